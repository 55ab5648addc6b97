/**
 * Concurrency across processes with the built otpctl: 20 parallel `otpctl verify` of one valid code give
 * exactly one Accept (several rounds, fresh codes); 20 parallel verifications for 20 different users give
 * 20 Accepts and all 20 counter updates on disk (pam_oath loses some of these: DESIGN.md).
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { OathEntry, SkeyEntry } from '../../src/store/index.js';
import { otpctl } from '../support/run.js';
import { hotp, makeFixture, modeOf, parseVerify, randomKeyHex, secretsInAudit, spawnOtpctl, verifyArgs, type Fixture } from '../support/store-fixture.js';

const PARALLEL = 20;
const ROUNDS = 4;
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
    const fx = makeFixture({
      name: 'conc-one',
      store: `# one user\nHOTP\talice\t-\t${key}\t0\nHOTP bob - ${randomKeyHex()}\n`,
      config: '[lockout]\nmax_fail = 0\n',
    });
    fixtures.push(fx);
    const bobLine = fx.storeBytes().toString('latin1').split('\n')[2];
    const used: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const counter = round * 2 + 1; // skip one counter each round: inside the look-ahead window
      const code = hotp(key, counter);
      used.push(code);
      const results = await runParallel(
        fx,
        Array.from({ length: PARALLEL }, () => ({ user: 'alice', answer: code })),
      );
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

  it(`${PARALLEL} parallel verifications of one S/KEY response and of one mOTP code: one Accept each`, async () => {
    const pass = 'parallel pass phrase';
    const last = otpctl(['gen', 'skey', '--hex', '100', 'par1'], { input: `${pass}\n` }).stdout.trim();
    const fx = makeFixture({
      name: 'conc-skey',
      store: `OTPD/SKEY\terin\t-\tmd5\t99\tpar1\t${last}\nOTPD/MOTP\tfrank\t-\t0123456789abcdef\t1234\t+0\n`,
      config: '[lockout]\nmax_fail = 0\n',
    });
    fixtures.push(fx);
    const response = otpctl(['gen', 'skey', '99', 'par1'], { input: `${pass}\n` }).stdout.trim();
    const motp = otpctl(['gen', 'motp', '0123456789abcdef', '1234']).stdout.trim();
    const results = await runParallel(fx, [
      ...Array.from({ length: PARALLEL / 2 }, () => ({ user: 'erin', answer: response })),
      ...Array.from({ length: PARALLEL / 2 }, () => ({ user: 'frank', answer: motp })),
    ]);
    const erin = results.slice(0, PARALLEL / 2);
    const frank = results.slice(PARALLEL / 2);
    expect(erin.filter((r) => r.verdict === 'Accept').length, erin.map((r) => r.code).join(',')).toBe(1);
    expect(erin.filter((r) => r.verdict === 'Reject').length).toBe(PARALLEL / 2 - 1);
    expect(frank.filter((r) => r.verdict === 'Accept').length, frank.map((r) => r.code).join(',')).toBe(1);
    expect(frank.filter((r) => r.verdict === 'Reject').length).toBe(PARALLEL / 2 - 1);
    const skey = (await fx.entries('erin'))[0] as SkeyEntry;
    expect(skey.sequence).toBe(98);
    expect(secretsInAudit(fx, [pass, response, motp])).toEqual([]);
  });

  it(`${PARALLEL} parallel verifications for ${PARALLEL} users: ${PARALLEL} Accepts, all on disk`, async () => {
    const users = Array.from({ length: PARALLEL }, (_, i) => ({ user: `user${String(i).padStart(2, '0')}`, key: randomKeyHex() }));
    const fx = makeFixture({
      name: 'conc-many',
      store: '# many users\n' + users.map((u, i) => (i % 3 === 0 ? `HOTP ${u.user} - ${u.key} 4\n` : `HOTP\t${u.user}\t-\t${u.key}\t4\n`)).join(''),
    });
    fixtures.push(fx);
    for (let round = 0; round < 1; round++) {
      const counter = 5 + round;
      const results = await runParallel(
        fx,
        users.map((u) => ({ user: u.user, answer: hotp(u.key, counter) })),
      );
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
