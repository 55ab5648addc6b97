/**
 * Token kinds other than plain HOTP through the built `otpctl verify`: Mobile-OTP (codes from
 * `otpctl gen motp`, each slot once), HOTP with a password prefix (plain and scrypt), and OTPD/STATIC
 * (hash from the project's hashPassword) → AUTH_OK_STATIC. The audit log never holds a code or password.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { MotpEntry, OathEntry } from '../../src/store/index.js';
import { hashPassword } from '../../src/tokens/password.js';
import { hotp, makeFixture, randomKeyHex, secretsInAudit, type Fixture } from '../support/store-fixture.js';
import { otpctl } from '../support/run.js';

let fx: Fixture | undefined;
afterEach(() => fx?.cleanup());

const SECRET = '0123456789abcdef0123';
const PIN = '4711';

function motpAt(t: number): string {
  const r = otpctl(['gen', 'motp', SECRET, PIN, '--now', String(t)]);
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.trim();
}

describe('Mobile-OTP', () => {
  it('accepts a code of `otpctl gen motp` once; older slots are refused', async () => {
    fx = makeFixture({ name: 'motp', store: `OTPD/MOTP\tfrank\t-\t${SECRET}\t${PIN}\t+0\n`, config: '[lockout]\nmax_fail = 0\n' });
    const now = Math.floor(Date.now() / 1000);
    const older = motpAt(now - 60);
    const earlier = motpAt(now - 30);
    const fresh = otpctl(['gen', 'motp', SECRET, PIN]).stdout.trim();
    const first = fx.verify('frank', earlier);
    expect(first.verdict, first.stdout + first.stderr).toBe('Accept');
    expect(first.code).toBe('AUTH_OK_OTP');
    const slot = ((await fx.entries('frank'))[0] as MotpEntry).lastSlot;
    expect(slot).toBe(Math.floor((now - 30) / 10));
    const again = fx.verify('frank', earlier);
    expect(again.verdict).toBe('Reject');
    expect(again.code).toBe('AUTH_OTP_ALREADY_USED');
    expect(fx.verify('frank', older).verdict).toBe('Reject');
    expect(fx.verify('frank', fresh.toUpperCase()).verdict).toBe('Accept');
    expect(fx.verify('frank', fresh).verdict).toBe('Reject');
    expect(((await fx.entries('frank'))[0] as MotpEntry).lastSlot).toBeGreaterThan(slot ?? 0);
    expect(secretsInAudit(fx, [older, earlier, fresh, fresh.toUpperCase(), SECRET, PIN])).toEqual([]);
  });
});

describe('password + OTP, static password', () => {
  it('HOTP with a plain password: password+code accepted; a wrong password refused without using the code', async () => {
    const key = randomKeyHex();
    const hash = await hashPassword('hashed pw');
    fx = makeFixture({ name: 'pwotp', store: `HOTP pat Sesam99 ${key}\nHOTP dan ${hash} ${key}\n`, config: '[lockout]\nmax_fail = 0\n' });
    const c0 = hotp(key, 0);
    const wrong = fx.verify('pat', `Sesam98${c0}`);
    expect(wrong.verdict).toBe('Reject');
    expect(wrong.code).toBe('AUTH_FAILED');
    expect(fx.verify('pat', c0).verdict).toBe('Reject'); // the code alone is not enough
    expect(((await fx.entries('pat'))[0] as OathEntry).lastOtp).toBeUndefined();
    const ok = fx.verify('pat', `Sesam99${c0}`, { debug: true });
    expect(ok.stdout + ok.stderr, 'explain output holds no secret').not.toMatch(new RegExp(`${c0}|Sesam`));
    expect(ok.verdict, ok.stdout + ok.stderr).toBe('Accept');
    expect(fx.verify('pat', `Sesam99${c0}`).code).toBe('AUTH_OTP_ALREADY_USED');
    expect(fx.storeBytes().toString('latin1')).toMatch(new RegExp(`^HOTP\\tpat\\tSesam99\\t${key}\\t0\\t${c0}\\t`));
    // A scrypt hash in the password field (otpd only).
    expect(fx.verify('dan', `hashed pw${c0}`).verdict).toBe('Accept');
    expect(fx.verify('dan', `hashed px${hotp(key, 1)}`).verdict).toBe('Reject');
    expect(fx.verify('dan', `hashed pw${hotp(key, 1)}`).verdict).toBe('Accept');
    expect(secretsInAudit(fx, ['Sesam99', 'Sesam98', 'hashed pw', 'hashed px', c0, hotp(key, 1)])).toEqual([]);
  });

  it('OTPD/STATIC accepts its password (AUTH_OK_STATIC), again and again; a wrong one is refused', async () => {
    const hash = await hashPassword('static secret 1');
    fx = makeFixture({ name: 'static', store: `# static\nOTPD/STATIC\tcarol\t${hash}\n` });
    const before = fx.storeBytes();
    for (let i = 0; i < 2; i++) {
      const r = fx.verify('carol', 'static secret 1');
      expect(r.verdict, r.stdout + r.stderr).toBe('Accept');
      expect(r.code).toBe('AUTH_OK_STATIC');
    }
    const bad = fx.verify('carol', 'static secret 2');
    expect(bad.verdict).toBe('Reject');
    expect(bad.code).toBe('AUTH_FAILED');
    expect(fx.storeBytes().equals(before)).toBe(true);
    expect(fx.auditCodes()).toEqual(['AUTH_OK_STATIC', 'AUTH_OK_STATIC', 'AUTH_FAILED']);
    expect(secretsInAudit(fx, ['static secret', hash])).toEqual([]);
  });
});
