/**
 * An administrator's lock and a narrowing unlock are one update each (`otpctl user lock|unlock`):
 * a reader never finds the user unlocked half-way, as it could when the lock was an unlock followed
 * by a second update that locked again.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EVERY_GROUP, openStateDir, type StateDir } from '../../../src/state/index.js';
import { tempDirForFile } from '../../support/temp-dir.js';

const tmp = tempDirForFile('otpd-state-admin-lock-');
let n = 0;
const fresh = (): Promise<StateDir> => openStateDir(path.join(tmp, `s${++n}`));

/** Runs `change` while reading `locked()` after every turn of the event loop; resolves to what was seen. */
async function watch(locked: () => Promise<boolean>, change: () => Promise<unknown>): Promise<boolean[]> {
  const seen: boolean[] = [];
  let done = false;
  const reader = (async () => {
    while (!done) {
      seen.push(await locked());
      await new Promise((r) => setImmediate(r));
    }
  })();
  await change();
  done = true;
  await reader;
  return seen;
}

describe("an administrator's lock", () => {
  it('locks without a moment unlocked, also over a lock from failures that would end', async () => {
    const state = await fresh();
    const policy = { maxFail: 1, unlockAfterSeconds: 60 };
    await state.recordFailure('alice', 'sshd', state.answerTag('wrong'), 1000, policy);
    expect((await state.isLocked('alice', 'sshd', 1000)).until).toBe(1060);
    const seen = await watch(
      async () => (await state.isLocked('alice', 'sshd', 1001)).locked,
      () => state.adminLock('alice', 'sshd', 1001),
    );
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every(Boolean), `the user was seen unlocked: ${JSON.stringify(seen)}`).toBe(true);
    expect(await state.isLocked('alice', 'sshd', 1e9)).toEqual({ locked: true, until: null });
  });

  it('a narrowing unlock keeps every other group locked throughout, and opens only the one', async () => {
    const state = await fresh();
    await state.adminLock('alice', EVERY_GROUP, 1000);
    const seen = await watch(
      async () => (await state.isLocked('alice', 'vpn', 1001)).locked,
      () => state.adminUnlockGroup('alice', 'sshd', ['sshd', 'vpn', 'mail'], 1001),
    );
    expect(seen.every(Boolean), `vpn was seen unlocked: ${JSON.stringify(seen)}`).toBe(true);
    expect((await state.isLocked('alice', 'sshd', 1002)).locked).toBe(false);
    expect(await state.isLocked('alice', 'vpn', 1e9)).toEqual({ locked: true, until: null });
    expect(await state.isLocked('alice', 'mail', 1e9)).toEqual({ locked: true, until: null });
    expect((await state.isLocked('alice', 'added-later', 1002)).locked).toBe(false);
  });

  it('unlocking one group of a user not locked for every group touches no other group', async () => {
    const state = await fresh();
    await state.adminLock('alice', 'vpn', 1000);
    await state.recordFailure('alice', 'sshd', state.answerTag('wrong'), 1000, { maxFail: 5, unlockAfterSeconds: 60 });
    expect(await state.adminUnlockGroup('alice', 'sshd', ['sshd', 'vpn'], 1001)).toEqual({ cleared: 1, stillLocked: [] });
    expect((await state.isLocked('alice', 'vpn', 1e9)).locked).toBe(true);
  });
});
