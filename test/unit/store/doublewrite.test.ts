/** The doublewrite record for a change across two sectors: encoding, and completing it after a crash. */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeIntent, intentPath, replayIntent, SECTOR, spansSectors, tornOrOld, writeIntent } from '../../../src/store/doublewrite.js';

let dir = '';
let file = '';
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'otpd-dw-'));
  file = path.join(dir, 'users.oath');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

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
