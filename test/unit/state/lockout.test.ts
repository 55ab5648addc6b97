import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { EVERY_GROUP, openStateDir, type StateDir } from '../../../src/state/index.js';
import { tempDirForFile } from '../../support/temp-dir.js';

const tmp = tempDirForFile('otpd-state-lockout-');

let state: StateDir;
let n = 0;
beforeEach(async () => {
  state = await openStateDir(path.join(tmp, `s${n++}`));
});

const policy = { maxFail: 3, unlockAfterSeconds: 60 };
const tag = (s: string): string => state.answerTag(s);

describe('lock-out', () => {
  it('locks at maxFail distinct failures, with the unlock time', async () => {
    expect(await state.recordFailure('alice', 'default', tag('111111'), 1000, policy)).toEqual({ count: 1, locked: false, lockedUntil: null });
    expect(await state.recordFailure('alice', 'default', tag('222222'), 1001, policy)).toEqual({ count: 2, locked: false, lockedUntil: null });
    expect(await state.isLocked('alice', 'default', 1001)).toEqual({ locked: false, until: null });
    expect(await state.recordFailure('alice', 'default', tag('333333'), 1002, policy)).toEqual({ count: 3, locked: true, lockedUntil: 1062 });
    expect(await state.isLocked('alice', 'default', 1061.5)).toEqual({ locked: true, until: 1062 });
  });

  it('counts the same wrong answer repeated once', async () => {
    for (let i = 0; i < 5; i++) expect((await state.recordFailure('alice', 'default', tag('999999'), 1000 + i, policy)).count).toBe(1);
    expect((await state.recordFailure('alice', 'default', tag('888888'), 1010, policy)).count).toBe(2);
    // only the last one is remembered: going back to the first counts again
    expect((await state.recordFailure('alice', 'default', tag('999999'), 1011, policy)).count).toBe(3);
    expect(await state.isLocked('alice', 'default', 1011)).toEqual({ locked: true, until: 1071 });
  });

  it('unlocks by itself when the time has passed, and counts from zero again', async () => {
    for (const a of ['1', '2', '3']) await state.recordFailure('alice', 'default', tag(a), 1000, policy);
    expect((await state.isLocked('alice', 'default', 1059)).locked).toBe(true);
    expect(await state.isLocked('alice', 'default', 1060)).toEqual({ locked: false, until: null });
    expect(await state.recordFailure('alice', 'default', tag('4'), 1070, policy)).toEqual({ count: 1, locked: false, lockedUntil: null });
  });

  it('keeps counting while locked without moving the lock', async () => {
    for (const a of ['1', '2', '3']) await state.recordFailure('alice', 'default', tag(a), 1000, policy);
    expect(await state.recordFailure('alice', 'default', tag('4'), 1030, policy)).toEqual({ count: 4, locked: true, lockedUntil: 1060 });
  });

  it('unlockAfterSeconds 0 locks until an administrator unlocks', async () => {
    const admin = { maxFail: 2, unlockAfterSeconds: 0 };
    await state.recordFailure('alice', 'sshd', tag('1'), 1000, admin);
    expect(await state.recordFailure('alice', 'sshd', tag('2'), 1000, admin)).toEqual({ count: 2, locked: true, lockedUntil: null });
    expect(await state.isLocked('alice', 'sshd', 1e12)).toEqual({ locked: true, until: null });
    expect(await state.unlock('alice', 'sshd')).toBe(1);
    expect(await state.isLocked('alice', 'sshd', 1e12)).toEqual({ locked: false, until: null });
    expect(await state.unlock('alice', 'sshd')).toBe(0);
  });

  it('a lock of EVERY_GROUP locks each group, also one named later; a success in a group does not lift it', async () => {
    await state.recordFailure('alice', EVERY_GROUP, tag('admin'), 1000, { maxFail: 1, unlockAfterSeconds: 0 });
    for (const group of ['default', 'remote', 'added-later']) expect(await state.isLocked('alice', group, 2000)).toEqual({ locked: true, until: null });
    await state.resetFailures('alice', 'remote');
    expect((await state.isLocked('alice', 'remote', 2000)).locked).toBe(true);
    // With a lock of its own that ends, the group stays locked while EVERY_GROUP's lasts.
    for (const a of ['1', '2', '3']) await state.recordFailure('alice', 'default', tag(a), 1000, policy);
    expect(await state.isLocked('alice', 'default', 1100)).toEqual({ locked: true, until: null });
    expect(await state.unlock('alice', EVERY_GROUP)).toBe(1);
    expect(await state.isLocked('alice', 'remote', 2000)).toEqual({ locked: false, until: null });
    expect(await state.isLocked('alice', 'default', 1030)).toEqual({ locked: true, until: 1060 });
  });

  it('maxFail 0 counts but never locks', async () => {
    for (let i = 0; i < 10; i++) await state.recordFailure('alice', 'default', tag(String(i)), 1000, { maxFail: 0, unlockAfterSeconds: 0 });
    expect(await state.isLocked('alice', 'default', 1000)).toEqual({ locked: false, until: null });
    expect((await state.listFailures('alice'))[0]?.count).toBe(10);
  });

  it('counts per service group and per user', async () => {
    for (const a of ['1', '2', '3']) await state.recordFailure('alice', 'vpn', tag(a), 1000, policy);
    expect((await state.isLocked('alice', 'vpn', 1000)).locked).toBe(true);
    expect((await state.isLocked('alice', 'default', 1000)).locked).toBe(false);
    expect((await state.isLocked('bob', 'vpn', 1000)).locked).toBe(false);
  });

  it('a success resets the group only', async () => {
    await state.recordFailure('alice', 'vpn', tag('1'), 1000, policy);
    await state.recordFailure('alice', 'mail', tag('1'), 1000, policy);
    await state.resetFailures('alice', 'vpn');
    expect((await state.listFailures('alice')).map((f) => f.group)).toEqual(['mail']);
    expect((await state.recordFailure('alice', 'vpn', tag('1'), 1001, policy)).count).toBe(1);
  });

  it('a success with nothing to reset writes nothing', async () => {
    await state.resetFailures('nobody', 'default');
    expect(await state.listFailures()).toEqual([]);
    expect(await state.listSessions()).toEqual([]);
  });

  it('admin unlock of every group, and listings of one or every user', async () => {
    for (const g of ['a', 'b']) for (const a of ['1', '2', '3']) await state.recordFailure('alice', g, tag(a), 1000, policy);
    await state.recordFailure('bob', 'a', tag('1'), 1005, policy);
    const all = await state.listFailures();
    expect(all.map((f) => [f.user, f.group, f.count, f.lockedAt, f.lockedUntil])).toEqual([
      ['alice', 'a', 3, 1000, 1060],
      ['alice', 'b', 3, 1000, 1060],
      ['bob', 'a', 1, null, null],
    ]);
    expect(await state.unlock('alice')).toBe(2);
    expect(await state.listFailures('alice')).toEqual([]);
    expect(await state.listFailures('bob')).toHaveLength(1);
  });

  it('refuses bad arguments', async () => {
    await expect(state.recordFailure('alice', 'default', '123456', 1000, policy)).rejects.toThrow(/answer tag/);
    await expect(state.recordFailure('', 'default', tag('1'), 1000, policy)).rejects.toThrow(/user: must not be empty/);
    await expect(state.recordFailure('alice', '', tag('1'), 1000, policy)).rejects.toThrow(/group/);
    await expect(state.recordFailure('alice', 'g', tag('1'), Number.NaN, policy)).rejects.toThrow(/now/);
    await expect(state.recordFailure('alice', 'g', tag('1'), 1, { maxFail: -1, unlockAfterSeconds: 0 })).rejects.toThrow(/maxFail/);
  });
});

describe('answer tags', () => {
  it('are keyed HMACs: stable per installation, different across installations, never the answer', async () => {
    const other = await openStateDir(path.join(tmp, 'other'));
    const again = await openStateDir(state.path);
    expect(state.answerTag('123456')).toMatch(/^[0-9a-f]{64}$/);
    expect(again.answerTag('123456')).toBe(state.answerTag('123456'));
    expect(other.answerTag('123456')).not.toBe(state.answerTag('123456'));
    expect(state.answerTag('123456')).not.toBe(state.answerTag('123457'));
  });
});
