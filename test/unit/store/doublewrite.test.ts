/** The doublewrite record for a change across two sectors: encoding, and completing it after a crash. */
import { chmodSync, chownSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { decodeIntent, intentPath, replayIntent, SECTOR, spansSectors, tornOrOld, writeIntent } from '../../../src/store/doublewrite.js';
import { StoreError, StoreErrorReasons } from '../../../src/store/errors.js';
import { tempDirForTest } from '../../support/temp-dir.js';

const asRoot = process.getuid?.() === 0;

let dir = '';
let file = '';
beforeEach(() => {
  dir = tempDirForTest('otpd-dw-');
  file = path.join(dir, 'users.oath');
});

// A line whose COUNTER sits in the first sector and LASTOTP in the second.
const head = `#${'x'.repeat(SECTOR - 30)}\n`;
const oldLine = 'HOTP\tdan\t-\t00\t1\t287082\t2026-11-29T07:00:00L\n';
const newLine = 'HOTP\tdan\t-\t00\t2\t359152\t2026-11-29T08:00:00L\n';
const patch = { offset: head.length, old: Buffer.from(oldLine, 'latin1'), bytes: Buffer.from(newLine, 'latin1') };

describe('doublewrite', () => {
  it('records changes that span sectors, with a checksum', () => {
    expect(spansSectors(patch)).toBe(true);
    expect(spansSectors({ offset: 0, bytes: patch.bytes })).toBe(false);
    expect(tornOrOld(patch.old, patch)).toBe(true);
    expect(tornOrOld(patch.bytes, patch)).toBe(true);
    const torn = Buffer.concat([patch.bytes.subarray(0, SECTOR - head.length), patch.old.subarray(SECTOR - head.length)]);
    expect(tornOrOld(torn, patch)).toBe(true);
    expect(tornOrOld(Buffer.from(newLine.replace('\t2\t', '\t3\t'), 'latin1'), patch)).toBe(false);
  });

  it('completes a change the disk tore (new first sector, old second) and empties the record', async () => {
    const torn = newLine.slice(0, SECTOR - head.length) + oldLine.slice(SECTOR - head.length);
    writeFileSync(file, head + torn, { mode: 0o600 });
    await writeIntent(file, [patch]);
    expect(statSync(intentPath(file)).mode & 0o777).toBe(0o600);
    expect(await replayIntent(file)).toBe('replayed');
    expect(readFileSync(file, 'latin1')).toBe(head + newLine);
    expect(statSync(intentPath(file)).size).toBe(0);
    expect(await replayIntent(file)).toBe('none');
  });

  it('completes a change that never reached the store, and leaves a line that moved on since', async () => {
    writeFileSync(file, head + oldLine, { mode: 0o600 });
    await writeIntent(file, [patch]);
    expect(await replayIntent(file)).toBe('replayed');
    expect(readFileSync(file, 'latin1')).toBe(head + newLine);

    const later = newLine.replace('\t2\t359152', '\t3\t969429');
    writeFileSync(file, head + later, { mode: 0o600 });
    await writeIntent(file, [patch]); // an old record whose emptying was lost in the crash
    expect(await replayIntent(file)).toBe('moved-on');
    expect(readFileSync(file, 'latin1')).toBe(head + later);
  });

  it('ignores a record that was itself cut short (the store was not touched yet)', async () => {
    writeFileSync(file, head + oldLine, { mode: 0o600 });
    await writeIntent(file, [patch]);
    const record = readFileSync(intentPath(file));
    expect(decodeIntent(record)).toHaveLength(1);
    writeFileSync(intentPath(file), record.subarray(0, record.byteLength - 5));
    expect(decodeIntent(readFileSync(intentPath(file)))).toBeUndefined();
    expect(await replayIntent(file)).toBe('none');
    expect(readFileSync(file, 'latin1')).toBe(head + oldLine);
  });
});

/** The refusal `promise` ends in: a StoreError of reason `insecure`. */
async function insecure(promise: Promise<unknown>): Promise<StoreError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'it was used').toBeInstanceOf(StoreError);
  expect((err as StoreError).reason).toBe(StoreErrorReasons.INSECURE);
  return err as StoreError;
}

describe('a record someone else could have written is never used', () => {
  /** A valid record of `patch` for a store holding the old line, then `tamper` applied to the record. */
  async function planted(tamper: (record: string) => void): Promise<Buffer> {
    writeFileSync(file, head + oldLine, { mode: 0o600 });
    await writeIntent(file, [patch]);
    tamper(intentPath(file));
    return readFileSync(file);
  }

  it.skipIf(!asRoot)('a record owned by another user is refused, naming it and what to do; the store is untouched', async () => {
    const before = await planted((record) => chownSync(record, 65534, 65534));
    const err = await insecure(replayIntent(file));
    const record = intentPath(file);
    expect(err.file).toBe(file);
    expect(err.message).toBe(
      `${record}: is owned by uid 65534, not root, so it may not be replayed onto ${file}; check that ${file} is intact (otpctl token list), then remove it: rm ${record}`,
    );
    expect(readFileSync(file).equals(before)).toBe(true);
    expect(statSync(record).size).toBeGreaterThan(0); // kept for the administrator to look at
  });

  for (const mode of [0o620, 0o602, 0o666]) {
    it(`a record with mode 0${mode.toString(8)} is refused; the store is untouched`, async () => {
      const before = await planted((record) => chmodSync(record, mode));
      const err = await insecure(replayIntent(file));
      expect(err.message).toContain(`${intentPath(file)}: has mode 0${mode.toString(8)}, so group or others could have written it`);
      expect(err.message).toContain(`rm ${intentPath(file)}`);
      expect(readFileSync(file).equals(before)).toBe(true);
    });
  }

  it('a record that is a symbolic link is refused as such, not read through', async () => {
    const before = await planted((record) => {
      rmSync(record);
      writeFileSync(`${record}.elsewhere`, 'x'.repeat(100), { mode: 0o600 });
      symlinkSync(`${record}.elsewhere`, record);
    });
    const err = await insecure(replayIntent(file));
    expect(err.message).toContain(`${intentPath(file)}: is a symbolic link`);
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it.skipIf(!asRoot)("a change is never written into someone else's (empty) record", async () => {
    writeFileSync(file, head + oldLine, { mode: 0o600 });
    writeFileSync(intentPath(file), '', { mode: 0o600 });
    chownSync(intentPath(file), 65534, 65534);
    const err = await insecure(writeIntent(file, [patch]));
    expect(err.message).toContain(`${intentPath(file)}: is owned by uid 65534, not root`);
    expect(statSync(intentPath(file)).size).toBe(0); // the key bytes did not go into it
  });

  it('a record is not replayed onto a store that is not safe itself (checked on the opened file)', async () => {
    const before = await planted(() => chmodSync(file, 0o644));
    const err = await insecure(replayIntent(file));
    expect(err.message).toBe(`${file}: has mode 0644, so group or others can read or write its keys; run chmod 600 ${file}`);
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it.skipIf(!asRoot)('a record is not replayed onto a store owned by another user', async () => {
    const before = await planted(() => chownSync(file, 65534, 65534));
    const err = await insecure(replayIntent(file));
    expect(err.message).toContain('not root; run chown root:root');
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it('a record of our own, 0600, is still replayed', async () => {
    await planted(() => undefined);
    expect(await replayIntent(file)).toBe('replayed');
    expect(readFileSync(file, 'latin1')).toBe(head + newLine);
  });
});
