/**
 * Concurrency across processes with the built otpctl: 20 parallel `otpctl verify` of one valid code give
 * exactly one Accept (several rounds, fresh codes); 20 parallel verifications for 20 different users give
 * 20 Accepts and all 20 counter updates on disk (pam_oath loses some of these: DESIGN.md).
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { OathEntry } from '../../src/store/index.js';
import { hotp, makeFixture, modeOf, parseVerify, randomKeyHex, secretsInAudit, spawnOtpctl, verifyArgs, type Fixture } from '../support/store-fixture.js';

const PARALLEL = 20;
const ROUNDS = 5;
const fixtures: Fixture[] = [];
afterAll(() => fixtures.forEach((f) => f.cleanup()));

async function runParallel(fx: Fixture, jobs: readonly { user: string; answer: string }[]) {
  const spawned = jobs.map((j) => spawnOtpctl(verifyArgs(j.user, j.answer, { service: 'sshd' }), fx.env));
  return (await Promise.all(spawned.map((s) => s.done))).map(parseVerify);
}

describe('parallel otpctl verify', () => {
  it(`${PARALLEL} parallel verifications of one code: exactly one Accept, ${ROUNDS} rounds`, async () => {
    const key = randomKeyHex();
    // Lock-out off: 19 replays a round must not lock the user out of the next round.
    const fx = makeFixture({ name: 'conc-one', store: `# one user\nHOTP\talice\t-\t${key}\t0\nHOTP bob - ${randomKeyHex()}\n`, config: '[lockout]\nmax_fail = 0\n' });
    fixtures.push(fx);
    const bobLine = fx.storeBytes().toString('latin1').split('\n')[2];
    const used: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const counter = round * 2 + 1; // skip one counter each round: inside the look-ahead window
      const code = hotp(key, counter);
      used.push(code);
      const results = await runParallel(fx, Array.from({ length: PARALLEL }, () => ({ user: 'alice', answer: code })));
      const accepts = results.filter((r) => r.verdict === 'Accept');
      const rejects = results.filter((r) => r.verdict === 'Reject');
      expect(accepts.length, `round ${round}: ${results.map((r) => r.code).join(',')}`).toBe(1);
      expect(rejects.length).toBe(PARALLEL - 1);
      for (const r of rejects) {
        expect(r.status).toBe(1);
        expect(r.code, r.stdout + r.stderr).toBe('AUTH_OTP_ALREADY_USED');
      }
      const entry = (await fx.entries('alice'))[0] as OathEntry;
      expect(entry.counter).toBe(counter);
      expect(entry.lastOtp).toBe(code);
      expect(modeOf(fx.store)).toBe(0o600);
      expect(fx.storeBytes().toString('latin1').split('\n')[2]).toBe(bobLine);
    }
    // Earlier codes stay refused.
    for (const code of used) expect(fx.verify('alice', code).verdict).toBe('Reject');
    const codes = fx.auditCodes();
    expect(codes.filter((c) => c === 'AUTH_OK_OTP').length).toBe(ROUNDS);
    expect(secretsInAudit(fx, used)).toEqual([]);
  });

  it(`${PARALLEL} parallel verifications for ${PARALLEL} users: ${PARALLEL} Accepts, all on disk`, async () => {
    const users = Array.from({ length: PARALLEL }, (_, i) => ({ user: `user${String(i).padStart(2, '0')}`, key: randomKeyHex() }));
    const fx = makeFixture({
      name: 'conc-many',
      store: '# many users\n' + users.map((u, i) => (i % 3 === 0 ? `HOTP ${u.user} - ${u.key} 4\n` : `HOTP\t${u.user}\t-\t${u.key}\t4\n`)).join(''),
    });
    fixtures.push(fx);
    for (let round = 0; round < 2; round++) {
      const counter = 5 + round;
      const results = await runParallel(fx, users.map((u) => ({ user: u.user, answer: hotp(u.key, counter) })));
      results.forEach((r, i) => expect(r.verdict, `${users[i]?.user}: ${r.stdout}${r.stderr}`).toBe('Accept'));
      const file = await fx.parsed();
      expect(file.errors).toEqual([]);
      for (const u of users) {
        const entry = (await fx.entries(u.user))[0] as OathEntry;
        expect(entry.counter, u.user).toBe(counter);
        expect(entry.lastOtp).toBe(hotp(u.key, counter));
      }
      expect(modeOf(fx.store)).toBe(0o600);
    }
  });
});
