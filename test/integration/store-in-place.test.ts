/**
 * The in-place write path (docs/store.md, "Write strategy"): an update that keeps every changed line's
 * length inside one 512-byte sector overwrites those bytes in the same file (same inode) with one
 * fdatasync; anything else (a longer line, a line across a block boundary) replaces the whole file.
 * Either way pam_oath reads the result, and every other byte stays as it was.
 */
import { closeSync, openSync, readFileSync, statSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { intentPath, SECTOR } from '../../src/store/doublewrite.js';
import { readStore, storeCounters, tokensOf, updateStore, type OathEntry } from '../../src/store/index.js';
import { hotp, installPamService, RFC_KEY_HEX } from '../support/store-fixture.js';
import { tempDirForTest } from '../support/temp-dir.js';

let dir = '';
let store = '';
beforeEach(() => {
  dir = tempDirForTest('otpd-in-place-');
  store = path.join(dir, 'users.oath');
});

const entryOf = async (user: string): Promise<OathEntry> => tokensOf(await readStore(store, { users: [user] }), user)[0] as OathEntry;
const advance = async (user: string, counter: number, lastOtp: string): Promise<void> => {
  const r = await updateStore(store, [{ entry: await entryOf(user), state: { kind: 'oath', counter, lastOtp, time: new Date('2026-11-29T08:00:00Z') } }]);
  expect(r.outcomes[0]?.status).toBe('updated');
};

describe('in-place updates', () => {
  it('a same-length update is written in place (same inode, one patch); the rest of the file is untouched', async () => {
    writeFileSync(store, `# admin comment\nHOTP\talice\t-\t${RFC_KEY_HEX}\t1\t755224\t2026-11-29T07:00:00L\nHOTP\tbob\t-\t${RFC_KEY_HEX}\n`, { mode: 0o600 });
    const before = statSync(store);
    storeCounters(true);
    await advance('alice', 2, '287082');
    expect(storeCounters()).toMatchObject({ patches: 1, writes: 0 });
    expect(statSync(store).ino).toBe(before.ino);
    expect(readFileSync(store, 'latin1')).toBe(
      `# admin comment\nHOTP\talice\t-\t${RFC_KEY_HEX}\t2\t287082\t2026-11-29T08:00:00L\nHOTP\tbob\t-\t${RFC_KEY_HEX}\n`,
    );
  });

  it('a longer line replaces the whole file; a same-length line across a sector boundary is patched after a synced record', async () => {
    // bob's first use adds fields: longer line ⇒ rewrite
    writeFileSync(store, `HOTP\tbob\t-\t${RFC_KEY_HEX}\n`, { mode: 0o600 });
    storeCounters(true);
    await advance('bob', 1, '755224');
    expect(storeCounters()).toMatchObject({ patches: 0, writes: 1 });

    // carol's line straddles the first sector boundary ⇒ in place, through the doublewrite record
    const carol = `HOTP\tcarol\t-\t${RFC_KEY_HEX}\t1\t755224\t2026-11-29T07:00:00L\n`;
    const pad = `#${'x'.repeat(SECTOR - 20 - 2)}\n`;
    writeFileSync(store, pad + carol, { mode: 0o600 });
    expect(pad.length).toBeLessThan(SECTOR);
    expect(pad.length + carol.length).toBeGreaterThan(SECTOR);
    const ino = statSync(store).ino;
    storeCounters(true);
    await advance('carol', 2, '287082');
    expect(storeCounters()).toMatchObject({ patches: 1, writes: 0 });
    expect(statSync(store).ino).toBe(ino);
    expect(statSync(intentPath(store)).size).toBe(0); // emptied once the store was synced
    expect(statSync(intentPath(store)).mode & 0o777).toBe(0o600);
    expect(readFileSync(store, 'latin1')).toBe(`${pad}HOTP\tcarol\t-\t${RFC_KEY_HEX}\t2\t287082\t2026-11-29T08:00:00L\n`);
  });

  it('another process patching the same line in place first (same inode and size) ⇒ conflict, its bytes kept', async () => {
    const line = (counter: number, otp: string): string => `HOTP\terin\t-\t${RFC_KEY_HEX}\t${counter}\t${otp}\t2026-11-29T07:00:00L\n`;
    writeFileSync(store, `# head\n${line(1, '287082')}`, { mode: 0o600 });
    const stale = await entryOf('erin'); // this process now remembers the file (read cache)
    // Another writer (another otpd, holding the lock in its turn) advances erin in place.
    const fd = openSync(store, 'r+');
    writeSync(fd, line(2, '359152'), '# head\n'.length);
    closeSync(fd);
    const r = await updateStore(store, [{ entry: stale, state: { kind: 'oath', counter: 2, lastOtp: '359152', time: new Date() } }]);
    expect(r.outcomes[0]?.status).toBe('conflict');
    expect(readFileSync(store, 'latin1')).toBe(`# head\n${line(2, '359152')}`);
  });

  it("patching from a remembered version that another writer changed elsewhere: both changes kept, and reads see the other's", async () => {
    const line = (user: string, counter: number, otp: string): string => `HOTP\t${user}\t-\t${RFC_KEY_HEX}\t${counter}\t${otp}\t2026-11-29T07:00:00L\n`;
    writeFileSync(store, line('fay', 1, '287082') + line('gus', 1, '287082'), { mode: 0o600 });
    const fay = await entryOf('fay');
    await entryOf('gus'); // remembered: both at counter 1
    const fd = openSync(store, 'r+'); // another writer advances gus in place
    writeSync(fd, line('gus', 2, '359152'), line('fay', 1, '287082').length);
    closeSync(fd);
    const r = await updateStore(store, [{ entry: fay, state: { kind: 'oath', counter: 2, lastOtp: '359152', time: new Date('2026-11-29T07:00:00Z') } }]);
    expect(r.outcomes[0]?.status).toBe('updated');
    expect((await entryOf('gus')).counter).toBe(2);
    const onDisk = await readStore(store, { fresh: true });
    expect(tokensOf(onDisk, 'fay').map((e) => (e as OathEntry).counter)).toEqual([2]);
    expect(readFileSync(store, 'latin1').endsWith(line('gus', 2, '359152'))).toBe(true);
  });

  it('pam_oath takes over a line otpd patched in place and refuses what otpd accepted', async () => {
    // pam_oath's meaning: COUNTER is the last accepted counter, LASTOTP its code.
    writeFileSync(store, `HOTP\tdave\t-\t${RFC_KEY_HEX}\t0\t755224\t2026-11-29T07:00:00L\n`, { mode: 0o600 });
    await advance('dave', 1, hotp(RFC_KEY_HEX, 1));
    const pam = installPamService(`auth required pam_oath.so usersfile=${store} window=5\naccount required pam_permit.so\n`);
    try {
      expect(pam.login('dave', hotp(RFC_KEY_HEX, 1))).toBe(false);
      expect(pam.login('dave', hotp(RFC_KEY_HEX, 2))).toBe(true);
    } finally {
      pam.remove();
    }
    expect(await entryOf('dave')).toMatchObject({ counter: 2, lastOtp: hotp(RFC_KEY_HEX, 2) });
  });
});
