/**
 * The store against the real pam_oath (Debian libpam-oath 2.6.7, driven by pamtester): pam_oath accepts
 * a code from a file we wrote, rewrites its line, and we read the rewritten line; lines we rewrite are
 * read by pam_oath; the two take turns and no counter ever goes back; untouched lines stay identical.
 *
 * Needs root (a service file in /etc/pam.d named otpd-test-<random>, removed afterwards) and the Debian
 * packages libpam-oath, pamtester and oathtool. A missing tool fails the suite; it never skips.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_OATH_OPTIONS, hotpCode as hotpWith } from '../../src/tokens/hotp.js';
import { DEFAULT_TOTP_OPTIONS, totpCode } from '../../src/tokens/totp.js';
import { readStore, tokensOf, updateStore, type OathEntry } from '../../src/store/index.js';
import { run } from '../support/run.js';
import { tempDirForFile } from '../support/temp-dir.js';

const KEY_HEX = '3132333435363738393031323334353637383930';
const KEY = Buffer.from(KEY_HEX, 'hex');
const hotpCode = (key: Uint8Array, counter: number): string => hotpWith(key, counter, DEFAULT_OATH_OPTIONS);
const service = `otpd-test-${randomBytes(6).toString('hex')}`;
const serviceFile = path.join('/etc/pam.d', service);
const store = path.join(tempDirForFile('otpd-store-pam-'), 'users.oath');

const extensionLines =
  '# otpd test store\n' +
  '#OTPD/META zed9 name=paper enabled=no groups=sshd\n' +
  'OTPD/SKEY zed9 - md5 99 ke1234 0123456789abcdef\n' +
  'OTPD/MOTP zed9 - 0123456789abcdef 1234 +0\n' +
  'some line pam_oath does not know   \r\n' +
  '\n';

function pamLogin(user: string, code: string): boolean {
  const r = run('pamtester', [service, user, 'authenticate'], { input: `${code}\n` });
  return r.status === 0;
}

async function readOath(user: string): Promise<OathEntry> {
  const file = await readStore(store);
  const entry = tokensOf(file, user).find((e) => e.kind === 'oath');
  if (entry?.kind !== 'oath') throw new Error(`no OATH line for ${user}`);
  return entry;
}

beforeAll(() => {
  if (!existsSync('/usr/sbin/pamtester') && run('sh', ['-c', 'command -v pamtester']).status !== 0) {
    throw new Error('pamtester is missing: apt-get install pamtester libpam-oath');
  }
  writeFileSync(store, extensionLines + `HOTP otpdtesta - ${KEY_HEX}\n` + `HOTP/T30 otpdtestb - ${KEY_HEX} 0\n` + `HOTP otpdtestc pw ${KEY_HEX} 10\n`);
  chmodSync(store, 0o600);
  writeFileSync(serviceFile, `auth required pam_oath.so usersfile=${store} window=5 digits=6\naccount required pam_permit.so\n`);
});

afterAll(() => {
  rmSync(serviceFile, { force: true });
});

describe('pam_oath and the store take turns', () => {
  it('pam_oath accepts a code from our file; we read its rewritten line', async () => {
    const before = Date.now();
    expect(pamLogin('otpdtesta', hotpCode(KEY, 2))).toBe(true);
    const a = await readOath('otpdtesta');
    // pam_oath's COUNTER is the counter of the code it accepted (it searches from it, inclusive).
    expect(a.counter).toBe(2);
    expect(a.lastOtp).toBe(hotpCode(KEY, 2));
    expect(a.lastTime?.getTime()).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 - 1000);
    expect(a.lastTime?.getTime()).toBeLessThanOrEqual(Date.now());
    expect(readFileSync(store, 'latin1').startsWith(extensionLines)).toBe(true);
    expect(pamLogin('otpdtesta', hotpCode(KEY, 2))).toBe(false); // replay
  });

  it('our rewrite is what pam_oath would write and pam_oath reads it', async () => {
    const a = await readOath('otpdtesta');
    // otpd accepts counter 3's code and records it as pam_oath would.
    const r = await updateStore(store, [{ entry: a, state: { kind: 'oath', counter: 3, lastOtp: hotpCode(KEY, 3), time: new Date() } }]);
    expect(r.outcomes[0]?.status).toBe('updated');
    expect(pamLogin('otpdtesta', hotpCode(KEY, 3))).toBe(false); // ours: replay for pam_oath too
    expect(pamLogin('otpdtesta', hotpCode(KEY, 4))).toBe(true);
    expect((await readOath('otpdtesta')).counter).toBe(4);
  });

  it('a stale read conflicts instead of moving pam_oath’s counter back', async () => {
    const stale = await readOath('otpdtesta'); // counter 4
    expect(pamLogin('otpdtesta', hotpCode(KEY, 6))).toBe(true); // pam_oath moves to 6 meanwhile
    const r = await updateStore(store, [{ entry: stale, state: { kind: 'oath', counter: 5, lastOtp: hotpCode(KEY, 5), time: new Date() } }]);
    expect(r.written).toBe(false);
    expect(r.outcomes[0]).toMatchObject({ status: 'conflict', current: { counter: 6 } });
    expect((await readOath('otpdtesta')).counter).toBe(6);
  });

  it('TOTP and password lines: pam_oath writes, we read, other lines stay identical', async () => {
    const now = Math.floor(Date.now() / 1000);
    const code = totpCode(KEY, now, DEFAULT_TOTP_OPTIONS);
    expect(pamLogin('otpdtestb', code)).toBe(true);
    const b = await readOath('otpdtestb');
    expect(b.lastOtp).toBe(code);
    // Password + OTP in one answer, as pam_oath's password field allows.
    expect(pamLogin('otpdtestc', `pw${hotpCode(KEY, 10)}`)).toBe(true);
    expect(pamLogin('otpdtestc', hotpCode(KEY, 11))).toBe(false); // password missing
    expect((await readOath('otpdtestc')).counter).toBe(10);
    const text = readFileSync(store, 'latin1');
    expect(text.startsWith(extensionLines)).toBe(true);
    expect(text.split('\n').slice(6, 9)).toEqual([
      expect.stringMatching(/^HOTP\totpdtesta\t-\t3132\w+\t6\t\d{6}\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dL$/),
      expect.stringMatching(/^HOTP\/T30\totpdtestb\t-\t3132\w+\t\d+\t\d{6}\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dL$/),
      expect.stringMatching(/^HOTP\totpdtestc\tpw\t3132\w+\t10\t\d{6}\t/),
    ]);
  });

  it('the file stays 0600 and pam_oath is not blocked by a lock we left', async () => {
    const a = await readOath('otpdtesta');
    await updateStore(store, [{ entry: a, state: { kind: 'oath', counter: 7, lastOtp: hotpCode(KEY, 7), time: new Date() } }]);
    expect(existsSync(`${store}.lock`)).toBe(false);
    expect(existsSync(`${store}.new`)).toBe(false);
    expect(run('stat', ['-c', '%a', store]).stdout.trim()).toBe('600');
    expect(pamLogin('otpdtesta', hotpCode(KEY, 8))).toBe(true);
  });
});
