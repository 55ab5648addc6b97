/**
 * A full state directory must not turn the lock-out off (security review, finding 4): when the
 * attempt cannot be counted, nothing is verified and the login is refused as a store error — for a
 * user without a failure record and for one with — and no code is spent. The state directory is a
 * small tmpfs this test mounts itself (root only, as CI runs).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hotp, makeFixture, randomKeyHex, type Fixture } from '../support/store-fixture.js';

let fx: Fixture | undefined;
let mounted: string | undefined;

afterEach(() => {
  if (mounted !== undefined) spawnSync('umount', [mounted]);
  mounted = undefined;
  fx?.cleanup();
  fx = undefined;
});

/** Fills the filesystem to the last byte (dd stops at ENOSPC). */
function fill(dir: string): string {
  const filler = path.join(dir, 'filler');
  spawnSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=1024'], { stdio: 'ignore' });
  return filler;
}

const auditCodes = (f: Fixture): string[] => [...readFileSync(f.auditLog, 'utf8').matchAll(/code=(\S+)/g)].map((m) => m[1] ?? '');

/** otpctl verify, judged by its verdict and the audit line it wrote (a store error prints no code line). */
function attempt(f: Fixture, user: string, answer: string): [string | undefined, string | undefined] {
  const r = f.verify(user, answer);
  return [r.verdict, auditCodes(f).at(-1)];
}

describe.skipIf(process.getuid?.() !== 0)('a full state directory', () => {
  it('refuses every login before verification, audited as a store error, nothing spent; logins work again once there is room', () => {
    const keys = { alice: randomKeyHex(), bob: randomKeyHex() };
    fx = makeFixture({ name: 'disk-full', store: `HOTP alice - ${keys.alice} 0\nHOTP bob - ${keys.bob} 0\n`, config: '[lockout]\nmax_fail = 5\n' });
    const f = fx;
    mkdirSync(f.stateDir, { mode: 0o700 });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k,mode=0700', 'tmpfs', f.stateDir]);
    mounted = f.stateDir;
    // bob has a failure record already; alice has none.
    expect(f.verify('bob', '000000').code).toBe('AUTH_FAILED');
    const store = f.storeBytes();
    const filler = fill(f.stateDir);

    for (const guess of ['111111', '222222', '333333', '444444', '555555', '666666']) {
      expect(attempt(f, 'alice', guess)).toEqual(['Reject', 'AUTH_STORE_ERROR']);
    }
    expect(attempt(f, 'alice', hotp(keys.alice, 0))).toEqual(['Reject', 'AUTH_STORE_ERROR']);
    expect(attempt(f, 'bob', hotp(keys.bob, 0))).toEqual(['Reject', 'AUTH_STORE_ERROR']);
    expect(f.storeBytes(), 'a code was spent while its attempt could not be counted').toEqual(store);
    expect(auditCodes(f).filter((c) => c === 'AUTH_STORE_ERROR')).toHaveLength(8);
    expect(auditCodes(f)).not.toContain('AUTH_OK_OTP');

    rmSync(filler);
    expect(f.verify('alice', hotp(keys.alice, 0)).code).toBe('AUTH_OK_OTP');
    expect(f.verify('bob', hotp(keys.bob, 0)).code).toBe('AUTH_OK_OTP');
  });

  it('a read-only state directory refuses logins the same way', () => {
    const key = randomKeyHex();
    fx = makeFixture({ name: 'state-ro', store: `HOTP alice - ${key} 0\n` });
    const f = fx;
    mkdirSync(f.stateDir, { mode: 0o700 });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k,mode=0700', 'tmpfs', f.stateDir]);
    mounted = f.stateDir;
    expect(f.verify('alice', '000000').code).toBe('AUTH_FAILED'); // creates the secret and users/
    execFileSync('mount', ['-o', 'remount,ro', f.stateDir]);
    const store = f.storeBytes();
    expect(attempt(f, 'alice', hotp(key, 0))).toEqual(['Reject', 'AUTH_STORE_ERROR']);
    expect(f.storeBytes()).toEqual(store);
  });
});
