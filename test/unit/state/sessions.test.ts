import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { STATE_LIMITS, openStateDir, userFileName, type SessionPolicy, type StateDir } from '../../../src/state/index.js';
import { tempDirForFile } from '../../support/temp-dir.js';

const tmp = tempDirForFile('otpd-state-sessions-');

let state: StateDir;
let n = 0;
beforeEach(async () => {
  state = await openStateDir(path.join(tmp, `s${n++}`));
});

const policy: SessionPolicy = { timeoutSeconds: 3600, unusedTimeoutSeconds: 600, maxLogins: 0, matchRhost: false };
const ANSWER = 'secret123456';

describe('sessions', () => {
  it('a session accepts the same answer again, counting each login', async () => {
    const t = state.answerTag(ANSWER);
    const opened = await state.createSession('alice', 'mail', t, '10.0.0.5', 'phone', 1000, policy);
    expect(opened).toMatchObject({ user: 'alice', group: 'mail', rhost: '10.0.0.5', token: 'phone', createdAt: 1000, lastUsedAt: 1000, logins: 0 });
    expect(opened.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const hit = await state.findSession('alice', 'mail', t, '10.0.0.5', 1100, policy);
    expect(hit).toMatchObject({ id: opened.id, lastUsedAt: 1100, logins: 1 });
    expect((await state.findSession('alice', 'mail', t, null, 1200, policy))?.logins).toBe(2);
  });

  it('never matches another answer, group or user', async () => {
    const t = state.answerTag(ANSWER);
    await state.createSession('alice', 'mail', t, null, 'phone', 1000);
    expect(await state.findSession('alice', 'mail', state.answerTag('other'), null, 1001, policy)).toBeNull();
    expect(await state.findSession('alice', 'vpn', t, null, 1001, policy)).toBeNull();
    expect(await state.findSession('bob', 'mail', t, null, 1001, policy)).toBeNull();
  });

  it('ends at timeout after it was opened, however often it is used', async () => {
    const t = state.answerTag(ANSWER);
    await state.createSession('alice', 'mail', t, null, 'phone', 1000);
    for (let at = 1500; at < 4600; at += 500) expect(await state.findSession('alice', 'mail', t, null, at, policy)).not.toBeNull();
    expect(await state.findSession('alice', 'mail', t, null, 4600, policy)).toBeNull();
    expect(await state.listSessions('alice')).toEqual([]); // pruned
  });

  it('ends after unused_timeout without use; 0 means no idle limit', async () => {
    const t = state.answerTag(ANSWER);
    await state.createSession('alice', 'mail', t, null, 'phone', 1000);
    expect(await state.findSession('alice', 'mail', t, null, 1599, policy)).not.toBeNull();
    expect(await state.findSession('alice', 'mail', t, null, 2198, policy)).not.toBeNull();
    expect(await state.findSession('alice', 'mail', t, null, 2799, policy)).toBeNull();
    await state.createSession('bob', 'mail', t, null, 'phone', 1000);
    expect(await state.findSession('bob', 'mail', t, null, 4000, { ...policy, unusedTimeoutSeconds: 0 })).not.toBeNull();
  });

  it('serves at most max_logins logins; 0 is unlimited', async () => {
    const t = state.answerTag(ANSWER);
    await state.createSession('alice', 'mail', t, null, 'phone', 1000);
    const capped = { ...policy, maxLogins: 3 };
    const hits = [];
    for (let i = 0; i < 5; i++) hits.push(await state.findSession('alice', 'mail', t, null, 1001 + i, capped));
    expect(hits.map((h) => h?.logins ?? null)).toEqual([1, 2, 3, null, null]);
    await state.createSession('bob', 'mail', t, null, 'phone', 1000);
    for (let i = 0; i < 20; i++) expect(await state.findSession('bob', 'mail', t, null, 1001 + i, policy)).not.toBeNull();
  });

  it('with match_rhost, only the remote host that opened it', async () => {
    const t = state.answerTag(ANSWER);
    const strict = { ...policy, matchRhost: true };
    await state.createSession('alice', 'mail', t, '192.0.2.1', 'phone', 1000);
    expect(await state.findSession('alice', 'mail', t, '192.0.2.2', 1001, strict)).toBeNull();
    expect(await state.findSession('alice', 'mail', t, null, 1001, strict)).toBeNull();
    expect(await state.findSession('alice', 'mail', t, '192.0.2.1', 1001, strict)).not.toBeNull();
    expect(await state.findSession('alice', 'mail', t, '192.0.2.2', 1001, policy)).not.toBeNull();
    await state.createSession('bob', 'mail', t, '', 'phone', 1000); // empty rhost = none
    expect(await state.findSession('bob', 'mail', t, null, 1001, strict)).not.toBeNull();
  });

  it('prunes expired sessions on any later write when their limits are known', async () => {
    const t = state.answerTag(ANSWER);
    await state.createSession('alice', 'mail', t, null, 'phone', 1000, { timeoutSeconds: 60, unusedTimeoutSeconds: 0 });
    await state.createSession('alice', 'vpn', t, null, 'phone', 1000); // limits unknown: kept until its group prunes it
    await state.recordFailure('alice', 'default', t, 2000, { maxFail: 5, unlockAfterSeconds: 0 });
    expect((await state.listSessions('alice')).map((s) => s.group)).toEqual(['vpn']);
    await state.findSession('alice', 'vpn', t, null, 5000, { ...policy, timeoutSeconds: 60 });
    expect(await state.listSessions('alice')).toEqual([]);
  });

  it(`keeps at most ${STATE_LIMITS.maxSessions} sessions per user, evicting the oldest`, async () => {
    for (let i = 0; i < STATE_LIMITS.maxSessions + 5; i++) await state.createSession('alice', 'mail', state.answerTag(String(i)), null, 'phone', 1000 + i);
    const sessions = await state.listSessions('alice');
    expect(sessions).toHaveLength(STATE_LIMITS.maxSessions);
    expect(Math.min(...sessions.map((s) => s.createdAt))).toBe(1005);
    expect(await state.findSession('alice', 'mail', state.answerTag('0'), null, 1200, policy)).toBeNull();
    expect(await state.findSession('alice', 'mail', state.answerTag('104'), null, 1200, policy)).not.toBeNull();
  });

  it('deletes a session by id, listing every user', async () => {
    const t = state.answerTag(ANSWER);
    const a = await state.createSession('alice', 'mail', t, null, 'phone', 1000);
    const b = await state.createSession('bob', 'mail', t, null, 'phone', 1000);
    expect((await state.listSessions()).map((s) => s.id).sort()).toEqual([a.id, b.id].sort());
    expect(await state.deleteSession(a.id)).toBe(true);
    expect(await state.deleteSession(a.id)).toBe(false);
    expect((await state.listSessions()).map((s) => s.id)).toEqual([b.id]);
    expect(await state.findSession('alice', 'mail', t, null, 1001, policy)).toBeNull();
  });

  it('stores tags, never the answer', async () => {
    const t = state.answerTag(ANSWER);
    await state.createSession('alice', 'mail', t, null, 'phone', 1000);
    await state.recordFailure('alice', 'mail', state.answerTag('wrong-answer-77'), 1000, { maxFail: 3, unlockAfterSeconds: 0 });
    const text = readFileSync(path.join(state.path, 'users', userFileName('alice')), 'utf8');
    expect(text).not.toContain(ANSWER);
    expect(text).not.toContain('wrong-answer-77');
    expect(text).toContain(t);
  });
});
