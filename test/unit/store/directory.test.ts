/**
 * The store's directory, and every directory above it, decides who can replace the store by rename or
 * plant `FILE.lock`, `FILE.new` or `FILE.otpd-dw` beside it: a store whose directory group or others
 * can write (sticky or not), or that is not root's (the running user's when not root), is refused,
 * naming the directory and the fix. Directories above may be sticky and world-writable (/tmp).
 */
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkStorePermissions, readStore, StoreError, StoreErrorReasons, updateStore } from '../../../src/store/index.js';
import { sweepStoreLeftovers } from '../../../src/store/recover.js';
import type { OathEntry } from '../../../src/store/usersfile/entry.js';
import { tempDirForTest } from '../../support/temp-dir.js';

const asRoot = process.getuid?.() === 0;
const KEY = '3132333435363738393031323334353637383930';
const LINE = `HOTP\talice\t-\t${KEY}\t0\n`;

let top = '';
beforeEach(() => {
  top = tempDirForTest('otpd-dir-'); // 0700, ours
});
// top back to 0700 before tempDirForTest removes it (its removal runs after the afterEach hooks).
afterEach(() => chmodSync(top, 0o700));

/** A store in `top/sub/` (sub made with `mode`). */
function storeIn(mode: number, sub = 'd'): { dir: string; file: string } {
  const dir = path.join(top, sub);
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, mode);
  const file = path.join(dir, 'users.oath');
  writeFileSync(file, LINE, { mode: 0o600 });
  return { dir, file };
}

async function refusal(promise: Promise<unknown>): Promise<InstanceType<typeof StoreError>> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'the store was accepted').toBeInstanceOf(StoreError);
  expect((err as InstanceType<typeof StoreError>).reason).toBe(StoreErrorReasons.INSECURE);
  return err as InstanceType<typeof StoreError>;
}

async function update(file: string): Promise<unknown> {
  const entry = (await readStore(file, { users: ['alice'], fresh: true })).entries[0] as OathEntry;
  return updateStore(file, [{ entry, state: { kind: 'oath', counter: 1, lastOtp: '755224', time: new Date(0) } }]);
}

describe('the store directory', () => {
  for (const mode of [0o777, 0o770, 0o722, 0o702]) {
    it(`a directory with mode 0${mode.toString(8)} is refused, naming it and "chmod go-w"`, async () => {
      const { dir, file } = storeIn(mode);
      const err = await refusal(readStore(file, { users: ['alice'] }));
      expect(err.file).toBe(file);
      expect(err.message).toBe(
        `${file}: its directory ${dir} has mode 0${mode.toString(8)}, so group or others can replace the store or plant users.oath.lock, .new or .otpd-dw beside it; run chmod go-w ${dir}`,
      );
      await refusal(checkStorePermissions(file));
      chmodSync(dir, 0o755);
      expect((await readStore(file, { users: ['alice'] })).errors).toEqual([]);
    });
  }

  it('a sticky world-writable directory (like /tmp) is refused too: others can still plant the lock', async () => {
    const { dir, file } = storeIn(0o1777);
    const err = await refusal(readStore(file, { users: ['alice'] }));
    expect(err.message).toContain(`${file}: its directory ${dir} has mode 1777`);
    expect(err.message).toContain('users.oath.lock');
    expect(err.message).toMatch(/move the store to a directory that only (root|the running user) can write/);
    expect(err.message).not.toContain('chmod go-w'); // never advise chmod go-w /tmp
  });

  it.skipIf(!asRoot)('a directory not owned by root is refused (running as root), with "chown root"', async () => {
    const { dir, file } = storeIn(0o700);
    chownSync(dir, 65534, 65534);
    const err = await refusal(readStore(file, { users: ['alice'] }));
    expect(err.message).toBe(`${file}: its directory ${dir} is owned by uid 65534, not root, who could replace the store; run chown root ${dir}`);
    chownSync(dir, 0, 0);
    expect((await readStore(file, { users: ['alice'] })).errors).toEqual([]);
  });

  it('a directory above the store that others can write is refused, naming it', async () => {
    const { file } = storeIn(0o700, 'open/d');
    const open = path.join(top, 'open');
    chmodSync(open, 0o777);
    const err = await refusal(readStore(file, { users: ['alice'] }));
    expect(err.message).toBe(
      `${file}: ${open}, a directory on the store's path, has mode 0777, so group or others can rename it and put another store in its place; run chmod go-w ${open}`,
    );
  });

  it.skipIf(!asRoot)('a directory above the store not owned by root is refused, naming it', async () => {
    const { file } = storeIn(0o700, 'theirs/d');
    const theirs = path.join(top, 'theirs');
    chownSync(theirs, 65534, 65534);
    const err = await refusal(readStore(file, { users: ['alice'] }));
    expect(err.message).toBe(
      `${file}: ${theirs}, a directory on the store's path, is owned by uid 65534, not root, who could put another store in its place; run chown root ${theirs}`,
    );
  });

  it('a sticky world-writable directory above a root-only one is fine (a store under /tmp/xyz/)', async () => {
    const { file } = storeIn(0o700, 'sticky/d');
    chmodSync(path.join(top, 'sticky'), 0o1777);
    expect((await readStore(file, { users: ['alice'] })).errors).toEqual([]);
  });

  it('a directory reached through a symbolic link is checked where it really is', async () => {
    const { dir, file } = storeIn(0o700, 'real');
    const link = path.join(top, 'link');
    symlinkSync(dir, link);
    const viaLink = path.join(link, 'users.oath');
    expect((await readStore(viaLink, { users: ['alice'] })).errors).toEqual([]);
    chmodSync(dir, 0o777);
    const err = await refusal(readStore(viaLink, { users: ['alice'] }));
    expect(err.message).toContain('has mode 0777');
    expect(err.message).toContain('chmod go-w');
    expect(existsSync(file)).toBe(true);
  });

  it('an update in such a directory is refused and writes nothing', async () => {
    const { dir, file } = storeIn(0o700);
    // Read while the directory was fine; then it becomes writable by others.
    const entry = (await readStore(file, { users: ['alice'], fresh: true })).entries[0] as OathEntry;
    chmodSync(dir, 0o777);
    await refusal(updateStore(file, [{ entry, state: { kind: 'oath', counter: 1, lastOtp: '755224', time: new Date(0) } }]));
    expect(readFileSync(file, 'latin1')).toBe(LINE);
    expect(existsSync(`${file}.lock`)).toBe(false);
    expect(existsSync(`${file}.new`)).toBe(false);
  });

  it('the start-up sweep refuses to work in such a directory', async () => {
    const { dir, file } = storeIn(0o777);
    writeFileSync(`${file}.new`, 'planted');
    await refusal(sweepStoreLeftovers(file));
    expect(existsSync(`${file}.lock`)).toBe(false);
    chmodSync(dir, 0o700);
    expect((await sweepStoreLeftovers(file)).removedNew).toBe(true);
  });

  it('an ordinary store (0700 directory of its own) reads and updates as before', async () => {
    const { file } = storeIn(0o700);
    await update(file);
    expect(readFileSync(file, 'latin1')).toMatch(/^HOTP\talice\t-\t[0-9a-f]+\t1\t755224\t/);
  });
});
