/**
 * The built otpctl's admin commands with bad input, as a script sees them: exit 2, nothing on stdout
 * (or one JSON error document with --json), one line on stderr that says what to do, the store
 * byte-identical; and secrets read from a pipe (first line, once) never echoed or stored in the clear.
 */
import { chmodSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { makeFixture, RFC_KEY_HEX, type Fixture } from '../support/store-fixture.js';

const STORE = `# site tokens\n#OTPD/USER\talice\n#OTPD/META\talice\tname=paper\tenabled=yes\nOTPD/SKEY\talice\t-\tmd5\t98\tab1234\t0123456789abcdef\nHOTP\tbob\t-\t${RFC_KEY_HEX}\t3\n`;
let fx: Fixture;
afterEach(() => fx.cleanup());

function refused(args: string[], message: RegExp, input?: string): void {
  const before = fx.storeBytes();
  const r = fx.otpctl(args, input);
  expect([r.status, r.stdout], args.join(' ')).toEqual([2, '']);
  expect(r.stderr, args.join(' ')).toMatch(new RegExp(`^otpctl: ${message.source}[^\\n]*\\n$`));
  const json = fx.otpctl([...args, '--json'], input);
  expect(JSON.parse(json.stdout)).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
  expect(fx.storeBytes().equals(before), args.join(' ')).toBe(true);
}

describe('otpctl admin errors', () => {
  it('unknown user or token, reused seed, taken name, no confirmation without a terminal', () => {
    fx = makeFixture({ name: 'admin-errors', store: STORE });
    refused(['user', 'show', 'carol'], /user: carol is not in .*; add it with: otpctl user add carol/);
    refused(['token', 'disable', 'alice/phone'], /token: alice has no token phone \(tokens: paper\)/);
    refused(
      ['token', 'add', 'alice/paper', '--type', 'skey', '--seed', 'AB1234', '--response', '0123456789abcdef'],
      /seed: ab1234 is the token's current seed; re-initialising needs a new seed/,
    );
    refused(['token', 'add', 'alice/paper', '--type', 'totp'], /token: alice\/paper already exists/);
    refused(['user', 'del', 'alice'], /yes: Delete user alice and 1 token .*not a terminal, so nothing was changed; add --yes/);
    refused(['group', 'del', 'nope', '--yes'], /group: nope is not a group/);
  });

  it('a malformed line of the user (file:line), a world-readable or missing store', () => {
    fx = makeFixture({ name: 'admin-errors', store: `${STORE}HOTP\talice\t-\tzz\n` });
    refused(['token', 'add', 'alice/phone', '--type', 'totp'], new RegExp(`${fx.store.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:6: HOTP key: `));
    // bob's lines are fine: his changes go through.
    expect(fx.otpctl(['token', 'disable', 'bob/HOTP@5']).status).toBe(0);
    fx.writeStore(STORE);
    chmodSync(fx.store, 0o644);
    refused(['user', 'list'], /.*: has mode 0644, so group or others can read or write its keys; run chmod 600 /);
    chmodSync(fx.store, 0o600);
    const missing = fx.otpctl(['user', 'add', 'carol', '--store', `${fx.dir}/nope.oath`]);
    expect([missing.status, missing.stdout]).toEqual([2, '']);
    expect(missing.stderr).toBe(
      `otpctl: ${fx.dir}/nope.oath: the store does not exist; create an empty one with: install -m 600 /dev/null ${fx.dir}/nope.oath (or give --store)\n`,
    );
  });

  it('secrets from a pipe: the first line, once; never on stdout or in the store', () => {
    fx = makeFixture({ name: 'admin-pipe', store: '#OTPD/USER\talice\n' });
    const pass = 'correct horse battery';
    const skey = fx.otpctl(['token', 'add', 'alice/paper', '--type', 'skey', '--seq', '10', '--seed', 'xy99'], `${pass}\nsecond line ignored\n`);
    expect(skey.status, skey.stderr).toBe(0);
    const word = fx.otpctl(['gen', 'skey', '9', 'xy99'], `${pass}\n`).stdout.trim();
    expect(fx.verify('alice', word).verdict).toBe('Accept');
    const pw = fx.otpctl(['token', 'add', 'alice/pw', '--type', 'password'], 'hunter2hunter2\n');
    expect(pw.status, pw.stderr).toBe(0);
    expect(fx.verify('alice', 'hunter2hunter2').code).toBe('AUTH_OK_STATIC');
    for (const secret of [pass, 'hunter2hunter2']) {
      expect(skey.stdout + skey.stderr + pw.stdout + pw.stderr).not.toContain(secret);
      expect(fx.storeBytes().toString('latin1')).not.toContain(secret);
    }
  });

  it('a secret given as - comes from standard input; only one per command', () => {
    fx = makeFixture({ name: 'admin-dash', store: '#OTPD/USER\talice\n' });
    const key = fx.otpctl(['token', 'add', 'alice/hw', '--type', 'hotp', '--key', '-', '--no-qr'], `${RFC_KEY_HEX}\n`);
    expect(key.status, key.stderr).toBe(0);
    expect(fx.storeBytes().toString()).toContain(`HOTP\talice\t-\t${RFC_KEY_HEX}\n`);
    expect(fx.verify('alice', '755224').verdict).toBe('Accept'); // RFC 4226 counter 0
    const verify = fx.otpctl(['verify', 'alice', '-'], '287082\n'); // counter 1, the answer from standard input
    expect([verify.status, verify.stdout.trim().split('\n').pop()]).toEqual([0, 'Accept']);
    const motp = fx.otpctl(['token', 'add', 'alice/mobile', '--type', 'motp', '--secret', '-', '--pin', '1234'], '0123456789abcdef\n');
    expect(motp.status, motp.stderr).toBe(0);
    expect(fx.storeBytes().toString()).toMatch(/^OTPD\/MOTP\talice\t-\t0123456789abcdef\t1234\t/m);
    refused(
      ['token', 'add', 'alice/m2', '--type', 'motp', '--secret', '-', '--pin', '-'],
      /pin: only one value can come from standard input \(secret, pin are all -\)/,
      'fedcba9876543210\n',
    );
    refused(
      ['token', 'add', 'alice/m3', '--type', 'motp', '--secret', '-'],
      /pin: standard input gave the secret \(--secret -\): give the PIN with --pin/,
      'fedcba9876543210\n',
    );
  });
});
