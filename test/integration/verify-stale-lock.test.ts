/**
 * A `.lock` and a `.new` left by a dead writer in the store (what a SIGKILL inside the update leaves,
 * see verify-crash.test.ts): `otpctl verify` waits rather than breaking a young lock (10 s, then Reject
 * naming the lock), and takes it over once it is older than the stale-lock grace (30 s, docs/store.md)
 * and no process holds it; the `.new` is cleared by that writer. The state directory's locks are
 * kernel byte-range locks (docs/state.md): a dead holder leaves none, a live one is waited for and
 * then refused. Real waiting: about 32 s of sleep.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/shared-data.js';
import type { OathEntry } from '../../src/store/index.js';
import { hotp, makeFixture, modeOf, randomKeyHex, type Fixture } from '../support/store-fixture.js';

const STALE_AFTER_MS = 30_000;

/**
 * Another process holding alice's state lock, as a live otpd or otpctl does inside a decision: the
 * built StateLocks (npm test builds dist/ first) on the fixture's `users.lock`, held until killed.
 */
function holdAlicesLock(stateDir: string): { child: ChildProcess; held: Promise<void>; exited: Promise<void> } {
  const lib = (file: string): string => JSON.stringify(pathToFileURL(path.join(repoRoot, 'dist', 'src', 'state', file)).href);
  const script = `
    import path from 'node:path';
    import { StateLocks } from ${lib('state-lock.js')};
    import { userFileName } from ${lib('names.js')};
    const dir = ${JSON.stringify(path.resolve(stateDir))};
    await new StateLocks(path.join(dir, 'users.lock'), 1000).acquire(path.join(dir, 'users', userFileName('alice')));
    process.stdout.write('held\\n');
    setInterval(() => undefined, 60_000);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const held = new Promise<void>((resolve, reject) => {
    child.stdout?.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`the lock holder exited (${code}) before it held the lock`)));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { child, held, exited };
}
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

  it('a state-directory lock holder that died holds nothing up: the kernel dropped its lock', async () => {
    const key = randomKeyHex();
    const g = makeFixture({ name: 'dead-state', store: `HOTP\talice\t-\t${key}\t0\n` });
    try {
      expect(g.verify('alice', '000000').verdict).toBe('Reject'); // a failure: alice now has a state file
      const holder = holdAlicesLock(g.stateDir);
      await holder.held;
      holder.child.kill('SIGKILL');
      await holder.exited;
      const started = Date.now();
      const r = await g.verifyAsync('alice', hotp(key, 1));
      expect(r.verdict, r.stdout + r.stderr).toBe('Accept');
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(g.auditCodes()).toEqual(['AUTH_FAILED', 'AUTH_OK_OTP']);
    } finally {
      g.cleanup();
    }
  });

  it("a live process holding a user's state lock: the login is refused after the wait (AUTH_STORE_ERROR), never accepted, nothing spent", async () => {
    const key = randomKeyHex();
    const g = makeFixture({ name: 'live-state', store: `HOTP\talice\t-\t${key}\t0\nHOTP\tbob\t-\t${key}\t0\n` });
    try {
      expect(g.verify('alice', '000000').verdict).toBe('Reject'); // a failure: alice now has a state file
      const before = g.storeBytes();
      const holder = holdAlicesLock(g.stateDir);
      try {
        await holder.held;
        const started = Date.now();
        const r = await g.verifyAsync('alice', hotp(key, 1));
        expect(r.verdict).toBe('Reject');
        expect(r.status).toBe(2);
        expect(Date.now() - started).toBeGreaterThanOrEqual(9_000); // otpctl waits 10 s for a live holder
        expect(r.stdout + r.stderr).toContain('users.lock');
        expect(g.storeBytes().equals(before)).toBe(true);
        expect(g.auditCodes()).toEqual(['AUTH_FAILED', 'AUTH_STORE_ERROR']);
        // Another user's lock is another byte: bob logs in while alice's is held.
        expect(g.verify('bob', hotp(key, 1)).verdict).toBe('Accept');
      } finally {
        holder.child.kill('SIGKILL');
        await holder.exited;
      }
    } finally {
      g.cleanup();
    }
  });
});
