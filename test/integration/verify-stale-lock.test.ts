/**
 * A `.lock` and a `.new` left by a dead writer (what a SIGKILL inside the update leaves, see
 * verify-crash.test.ts): `otpctl verify` waits rather than breaking a young lock (10 s, then Reject
 * naming the lock), and takes it over once it is older than the stale-lock grace (30 s, docs/store.md)
 * and no process holds it; the `.new` is cleared by that writer. Real waiting: about 32 s of sleep.
 */
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { OathEntry } from '../../src/store/index.js';
import { hotp, makeFixture, modeOf, randomKeyHex, type Fixture } from '../support/store-fixture.js';

const STALE_AFTER_MS = 30_000;
let fx: Fixture | undefined;
afterAll(() => fx?.cleanup());

describe.concurrent('stale locks of a dead writer', () => {
  it('blocks no longer than the stale-lock recovery allows', async () => {
    const key = randomKeyHex();
    fx = makeFixture({ name: 'stale', store: `# stale\nHOTP\talice\t-\t${key}\t0\n` });
    const f = fx;
    const before = f.storeBytes();
    writeFileSync(`${f.store}.lock`, '2147483 otpd\n', { mode: 0o600 }); // a pid that cannot exist
    writeFileSync(`${f.store}.new`, 'half a file from a dead writer', { mode: 0o600 });
    const lockedAt = Date.now();

    // Young lock: waits for it (10 s), then refuses, naming the lock; nothing written.
    const young = await f.verifyAsync('alice', hotp(key, 1));
    expect(young.verdict).toBe('Reject');
    expect(young.status).not.toBe(0);
    expect(young.stdout + young.stderr).toContain('.lock');
    expect(f.storeBytes().equals(before)).toBe(true);
    expect(f.auditCodes()).toEqual(['AUTH_STORE_ERROR']);
    expect(f.auditText()).toContain('reason="store or state error: locked"');

    // Started before the lock turns stale: it must get in once the lock is 30 s old, not later.
    await new Promise((r) => setTimeout(r, Math.max(0, lockedAt + STALE_AFTER_MS - 8_000 - Date.now())));
    const old = await f.verifyAsync('alice', hotp(key, 1));
    const finished = Date.now() - lockedAt;
    expect(old.verdict, old.stdout + old.stderr).toBe('Accept');
    expect(finished).toBeGreaterThanOrEqual(STALE_AFTER_MS);
    expect(finished).toBeLessThan(STALE_AFTER_MS + 4_000);
    expect(existsSync(`${f.store}.lock`)).toBe(false);
    expect(existsSync(`${f.store}.new`)).toBe(false);
    expect(modeOf(f.store)).toBe(0o600);
    expect(((await f.entries('alice'))[0] as OathEntry).counter).toBe(1);
    expect(f.auditCodes()).toEqual(['AUTH_STORE_ERROR', 'AUTH_OK_OTP']);
  });

  it("a dead writer's lock in the state directory holds a login up for about a second, then is broken", async () => {
    const key = randomKeyHex();
    const g = makeFixture({ name: 'stale-state', store: `HOTP\talice\t-\t${key}\t0\n` });
    try {
      expect(g.verify('alice', '000000').verdict).toBe('Reject'); // a failure: alice now has a state file
      const lock = path.join(g.stateDir, 'users', 'alice.json.lock');
      writeFileSync(lock, '2147483 otpd\n', { mode: 0o600 });
      // Only otpd writes the state directory and it holds its locks open: one that no process has
      // open is dead after a short grace (1 s, docs/state.md), not the store's 30 s.
      const started = Date.now();
      const r = await g.verifyAsync('alice', hotp(key, 1));
      expect(r.verdict, r.stdout + r.stderr).toBe('Accept');
      expect(Date.now() - started).toBeLessThan(8_000);
      expect(existsSync(lock)).toBe(false);
      expect(g.auditCodes()).toEqual(['AUTH_FAILED', 'AUTH_OK_OTP']);
    } finally {
      g.cleanup();
    }
  });

  it("a live writer's lock in the state directory: the login is refused after the wait (AUTH_STORE_ERROR), never accepted", async () => {
    const key = randomKeyHex();
    const g = makeFixture({ name: 'live-state', store: `HOTP\talice\t-\t${key}\t0\n` });
    const lock = path.join(g.stateDir, 'users', 'alice.json.lock');
    try {
      expect(g.verify('alice', '000000').verdict).toBe('Reject'); // a failure: alice now has a state file
      // A process holding the lock open, as a live writer does: it must never be broken.
      writeFileSync(lock, '1 otpd\n', { mode: 0o600 });
      const holder = spawn('sh', ['-c', `exec 3<"${lock}"; sleep 30`], { stdio: 'ignore' });
      try {
        await new Promise((r) => setTimeout(r, 300));
        const r = await g.verifyAsync('alice', hotp(key, 1));
        expect(r.verdict).toBe('Reject');
        expect(r.status).toBe(2);
        expect(existsSync(lock)).toBe(true);
        expect(g.auditCodes()).toEqual(['AUTH_FAILED', 'AUTH_STORE_ERROR']);
      } finally {
        holder.kill();
      }
    } finally {
      g.cleanup();
    }
  });
});
