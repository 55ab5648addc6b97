/**
 * Bad stores through the built `otpctl verify`: a malformed line refuses only its user, naming file:line
 * (and never quoting the key); other users keep working and the bad line is kept byte for byte; a store
 * that group or others can read, or one in a directory they can write, is refused (exit 2, with the fix)
 * and nothing is rewritten.
 */
import { chmodSync, existsSync, statSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { OathEntry } from '../../src/store/index.js';
import { hotp, makeFixture, randomKeyHex, secretsInAudit, type Fixture } from '../support/store-fixture.js';

let fx: Fixture | undefined;
afterEach(() => fx?.cleanup());

describe('malformed lines', () => {
  it('refuse their user with FILE:LINE; other users still work; the bad line is kept', async () => {
    const key = randomKeyHex();
    const badKey = 'deadbeefdeadbeefzz01deadbeefdeadbeef0102';
    const badLine = `HOTP\talice\t-\t${badKey}\t0\n`;
    fx = makeFixture({ name: 'badline', store: `# bad line below\n${badLine}HOTP bob - ${key}\nOTPD/MOTP carol - 0123 12 +0\n` });
    const a = fx.verify('alice', hotp(key, 0), { debug: true });
    expect(a.verdict).toBe('Reject');
    expect(a.status).toBe(1);
    expect(a.code).toBe('AUTH_STORE_ERROR');
    expect(a.stdout + a.stderr).toContain(`${fx.store}:2:`);
    expect(a.stdout + a.stderr).not.toContain(badKey);
    const c = fx.verify('carol', '123456', { debug: true });
    expect(c.verdict).toBe('Reject');
    expect(c.stdout + c.stderr).toContain(`${fx.store}:4:`);
    const b = fx.verify('bob', hotp(key, 0));
    expect(b.verdict, b.stdout + b.stderr).toBe('Accept');
    const text = fx.storeBytes().toString('latin1');
    expect(text.startsWith(`# bad line below\n${badLine}HOTP\tbob\t-\t${key}\t0\t`)).toBe(true);
    expect(text.endsWith('OTPD/MOTP carol - 0123 12 +0\n')).toBe(true);
    expect(((await fx.entries('bob'))[0] as OathEntry).counter).toBe(0);
    expect(fx.auditText()).toContain(`${fx.store}:2:`);
    expect(secretsInAudit(fx, [badKey, key, hotp(key, 0)])).toEqual([]);
  });
});

describe('permissions', () => {
  it('a config file others can write is refused (exit 2, chmod go-w); nothing is rewritten', () => {
    const key = randomKeyHex();
    fx = makeFixture({ name: 'perm-conf', store: `HOTP alice - ${key}\n` });
    chmodSync(fx.config, 0o666);
    const before = fx.storeBytes();
    const r = fx.verify('alice', hotp(key, 0));
    expect(r.status, r.stdout + r.stderr).toBe(2);
    expect(r.stdout.trim().split('\n').pop()).toBe('Reject');
    expect(r.stderr).toContain(`chmod go-w ${fx.config}`);
    expect(fx.storeBytes().equals(before)).toBe(true);
  });

  for (const mode of [0o640, 0o604, 0o660]) {
    it(`a store with mode 0${mode.toString(8)} is refused with exit 2 and "chmod 600"; nothing is rewritten`, () => {
      const key = randomKeyHex();
      fx = makeFixture({ name: 'perm', store: `HOTP alice - ${key}\n` });
      chmodSync(fx.store, mode);
      const before = fx.storeBytes();
      const mtime = statSync(fx.store).mtimeMs;
      const r = fx.verify('alice', hotp(key, 0));
      expect(r.status, r.stdout + r.stderr).toBe(2);
      expect(r.stdout.trim().split('\n').pop()).toBe('Reject');
      expect(r.stdout + r.stderr).toContain(`chmod 600 ${fx.store}`);
      expect(fx.storeBytes().equals(before)).toBe(true);
      expect(statSync(fx.store).mtimeMs).toBe(mtime);
      expect(statSync(fx.store).mode & 0o777).toBe(mode);
      // The refusal is a decision like any other: one audit line.
      expect(fx.auditText()).toMatch(/code=AUTH_STORE_ERROR user="alice" token=- service="login" .*reason="store or state error: insecure"/);
      // Fixed by the administrator: the same code is accepted (it was not used).
      chmodSync(fx.store, 0o600);
      expect(fx.verify('alice', hotp(key, 0)).verdict).toBe('Accept');
    });
  }

  for (const mode of [0o777, 0o1777]) {
    it(`a store in a directory with mode 0${mode.toString(8)} is refused with exit 2, naming the directory; nothing is written`, () => {
      const key = randomKeyHex();
      fx = makeFixture({ name: 'perm-dir', store: `HOTP alice - ${key}\n` });
      const before = fx.storeBytes();
      chmodSync(fx.dir, mode);
      const r = fx.verify('alice', hotp(key, 0));
      expect(r.status, r.stdout + r.stderr).toBe(2);
      expect(r.stdout.trim().split('\n').pop()).toBe('Reject');
      expect(r.stdout + r.stderr).toContain(`${fx.store}: its directory ${fx.dir} has mode ${mode.toString(8).padStart(4, '0')}`);
      if (mode === 0o777) expect(r.stdout + r.stderr).toContain(`chmod go-w ${fx.dir}`);
      else expect(r.stdout + r.stderr).toContain('move the store to a directory that only');
      expect(fx.storeBytes().equals(before)).toBe(true);
      expect(existsSync(`${fx.store}.lock`) || existsSync(`${fx.store}.new`)).toBe(false);
      chmodSync(fx.dir, 0o700);
      expect(fx.verify('alice', hotp(key, 0)).verdict).toBe('Accept');
    });
  }
});
