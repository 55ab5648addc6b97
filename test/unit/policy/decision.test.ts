/**
 * The per-user decision (security review, findings 1–3): parallel attempts for one user are decided
 * one after another and each is counted before it is verified, so at most `max_fail` wrong answers are
 * ever verified per lock period; the same answer in a new time step is a new guess; S/KEY answers only
 * for the login that holds the pending challenge.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../../src/audit/index.js';
import { parseConfig } from '../../../src/config/index.js';
import { typescriptBackend } from '../../../src/otp-backend/typescript-backend.js';
import { authenticate } from '../../../src/policy/authenticate.js';
import { CHALLENGE_HOLD_SECONDS, issueChallenge } from '../../../src/policy/challenge.js';
import { Deadlines } from '../../../src/protocol/index.js';
import type { PolicyPorts } from '../../../src/policy/ports.js';
import { fileTokenStore } from '../../../src/store/index.js';
import { openStateDir, type StateDir } from '../../../src/state/index.js';
import { skeyChain, skeySecret } from '../../../src/tokens/skey/index.js';
import { DEFAULT_TOTP_OPTIONS, totpCode } from '../../../src/tokens/totp.js';
import { tempDirForTest } from '../../support/temp-dir.js';

const KEY_HEX = '3132333435363738393031323334353637383930';
const KEY = Uint8Array.from(Buffer.from(KEY_HEX, 'hex'));
const T = 1_700_000_010;
const PASS = 'correct horse battery';

interface Setup {
  readonly ports: PolicyPorts & { state: StateDir };
  readonly clock: { now: number };
  readonly audit: AuditEvent[];
  readonly store: string;
}

async function setUp(store: string, config = '[lockout]\nmax_fail = 3\n'): Promise<Setup> {
  const dir = tempDirForTest('otpd-decision-');
  const file = path.join(dir, 'users.oath');
  writeFileSync(file, store);
  chmodSync(file, 0o600);
  const parsed = parseConfig(`store = "${file}"\nstate_dir = "${path.join(dir, 'state')}"\naudit_log = "stderr"\n${config}`, 'test.conf');
  const state = await openStateDir(parsed.stateDir);
  const clock = { now: T };
  const audit: AuditEvent[] = [];
  return {
    ports: {
      config: parsed,
      store: fileTokenStore(parsed.store),
      state,
      backend: typescriptBackend,
      now: () => clock.now,
      audit: (e) => void audit.push(e),
      explain: () => undefined,
    },
    clock,
    audit,
    store: file,
  };
}

const code = (unixSeconds: number): string => totpCode(KEY, unixSeconds, DEFAULT_TOTP_OPTIONS);
const VERIFIED = new Set(['AUTH_FAILED', 'AUTH_LOCKED_NOW', 'AUTH_OTP_ALREADY_USED', 'AUTH_OK_OTP']);

describe('one decision per user, counted before it is made', () => {
  it('40 answers at once (39 wrong, then the right code): at most max_fail are verified, the right one is refused', async () => {
    const s = await setUp(`HOTP/T30\talice\t-\t${KEY_HEX}\n`);
    const answers = Array.from({ length: 39 }, (_, i) => String(100_000 + i));
    answers.push(code(T));
    const outcomes = await Promise.all(answers.map((answer) => authenticate({ user: 'alice', service: 'sshd', answer, challengeClaim: null }, s.ports)));
    const verified = s.audit.filter((e) => VERIFIED.has(e.code));
    expect(verified.length, JSON.stringify(s.audit.map((e) => e.code))).toBeLessThanOrEqual(3);
    expect(outcomes.filter((o) => o.accepted)).toEqual([]);
    expect(outcomes.filter((o) => o.code === 'AUTH_USER_LOCKED')).toHaveLength(37);
    expect(s.audit.filter((e) => e.code === 'AUTH_LOCKED_NOW')).toHaveLength(1);
    // Nothing was spent: the code is still unused on disk.
    expect(readFileSync(s.store, 'latin1')).toBe(`HOTP/T30\talice\t-\t${KEY_HEX}\n`);
  });

  it('one guess resubmitted in each new time step is counted each time (it becomes the code later)', async () => {
    const s = await setUp(`HOTP/T30\talice\t-\t${KEY_HEX}\n`);
    const target = T + 300; // the guess is the code of a step ten steps ahead
    const guess = code(target);
    const login = () => authenticate({ user: 'alice', service: 'sshd', answer: guess, challengeClaim: null }, s.ports);
    expect((await login()).code).toBe('AUTH_FAILED');
    s.clock.now = T + 30;
    expect((await login()).code).toBe('AUTH_FAILED');
    s.clock.now = T + 60;
    expect((await login()).code).toBe('AUTH_LOCKED_NOW');
    s.clock.now = target;
    expect((await login()).code).toBe('AUTH_USER_LOCKED');
  });

  it('the same answer within one time step counts once (a client retrying), a static password repeat always once', async () => {
    const s = await setUp(`HOTP/T30\talice\t-\t${KEY_HEX}\n`);
    const login = () => authenticate({ user: 'alice', service: 'sshd', answer: '123456', challengeClaim: null }, s.ports);
    for (let i = 0; i < 5; i++) expect((await login()).code).toBe('AUTH_FAILED');
    expect((await s.ports.state.listFailures('alice'))[0]?.count).toBe(1);
    expect((await authenticate({ user: 'alice', service: 'sshd', answer: code(T), challengeClaim: null }, s.ports)).code).toBe('AUTH_OK_OTP');
    expect(await s.ports.state.listFailures('alice')).toEqual([]);
  });

  it('a success after failures forgets them in the same single write; a success with nothing to forget writes no state', async () => {
    const s = await setUp(`HOTP/T30\talice\t-\t${KEY_HEX}\n`);
    expect((await authenticate({ user: 'alice', service: 'sshd', answer: code(T), challengeClaim: null }, s.ports)).code).toBe('AUTH_OK_OTP');
    const users = path.join(s.ports.state.path, 'users');
    expect(readdirNames(users)).toEqual([]);
  });
});

describe('review findings on the decision', () => {
  it('a login that waited for another is judged at the time it is decided (its repeat tag and its check)', async () => {
    const s = await setUp(`HOTP/T30\talice\t-\t${KEY_HEX}\n`);
    const ports = { ...s.ports, explain: (step: string) => void (step.startsWith('failure 1 of') && (s.clock.now = T + 30)) };
    const login = () => authenticate({ user: 'alice', service: 'sshd', answer: '123456', challengeClaim: null }, ports);
    await Promise.all([login(), login()]);
    // The second was decided in the next step: the same answer there is a new guess.
    expect((await s.ports.state.listFailures('alice'))[0]?.count).toBe(2);
  });

  it('an unknown name writes its decoy exactly when a known user would: a repeat in the same step writes nothing', async () => {
    const s = await setUp(`HOTP/T30\talice\t-\t${KEY_HEX}\n`);
    const decoy = path.join(s.ports.state.path, 'unknown-users.json');
    const count = (): number => (JSON.parse(readFileSync(decoy, 'utf8')) as { failures: { count: number }[] }).failures[0]?.count ?? 0;
    const login = (answer: string) => authenticate({ user: 'nobody', service: 'sshd', answer, challengeClaim: null }, s.ports);
    await login('123456');
    await login('123456');
    expect(count()).toBe(1);
    await login('654321');
    expect(count()).toBe(2);
    s.clock.now = T + 30;
    await login('654321');
    expect(count()).toBe(3);
  });

  it('a decision whose final state write fails is audited once, as a store error (never as its verdict too)', async () => {
    const s = await setUp(`HOTP/T30\talice\t-\t${KEY_HEX}\n`);
    mkdirSync(path.join(s.ports.state.path, 'users', 'alice.json.new', 'x'), { recursive: true });
    await expect(authenticate({ user: 'alice', service: 'sshd', answer: '123456', challengeClaim: null }, s.ports)).rejects.toThrow();
    expect(s.audit.map((e) => e.code)).toEqual(['AUTH_STORE_ERROR']);
  });

  it('an S/KEY hold outlasts the longest conversation, so no second login is shown the same challenge meanwhile', () => {
    expect(CHALLENGE_HOLD_SECONDS * 1000).toBeGreaterThan(Deadlines.CONVERSATION_MS);
  });
});

function readdirNames(dirPath: string): string[] {
  return existsSync(dirPath) ? readdirSync(dirPath) : [];
}

describe('S/KEY and the pending challenge (RFC 2289 §10)', () => {
  const skeyStore = (): string => {
    const last = Buffer.from(skeyChain('md5', skeySecret('ke1234', PASS), 100)).toString('hex');
    return `OTPD/SKEY\terin\t-\tmd5\t99\tke1234\t${last}\n`;
  };

  it("a login that does not hold the challenge gets no S/KEY candidate: the holder's response is refused there, accepted for the holder", async () => {
    const s = await setUp(skeyStore());
    const a = await issueChallenge('erin', 'sshd', s.ports);
    if (!a.issued) throw new Error(`no challenge: ${a.reason}`);
    const response = Buffer.from(skeyChain('md5', skeySecret('ke1234', PASS), 99)).toString('hex');
    const b = await issueChallenge('erin', 'sshd', s.ports);
    expect(b).toMatchObject({ issued: false, reason: 'pending' });
    const raced = await authenticate({ user: 'erin', service: 'sshd', answer: response, challengeClaim: null }, s.ports);
    expect(raced).toMatchObject({ accepted: false, code: 'AUTH_SKEY_PENDING' });
    // otpctl verify (no claim) never answers a daemon conversation's challenge either.
    expect((await authenticate({ user: 'erin', service: 'sshd', answer: response }, s.ports)).accepted).toBe(false);
    expect((await s.ports.state.pendingChallenge('erin', T))?.claimId).toBe(a.claimId);
    const holder = await authenticate({ user: 'erin', service: 'sshd', answer: response, challengeClaim: a.claimId }, s.ports);
    expect(holder).toMatchObject({ accepted: true, code: 'AUTH_OK_OTP' });
    expect(await s.ports.state.pendingChallenge('erin', T)).toBeNull();
  });
});
