/** The daemon's conversation state machine against a fake policy (no sockets, no store). */
import { describe, expect, it } from 'vitest';
import type { DecisionSession } from '../../../../src/decision/session.js';
import { Conversation, OTP_PROMPT, verdictOf } from '../../../../src/frontends/pam/conversation.js';
import type { ChallengeOutcome } from '../../../../src/policy/challenge.js';
import type { AuthOutcome, AuthRequest } from '../../../../src/policy/ports.js';
import { Flag, WireErrorCode, type AuthStartMessage, type Message } from '../../../../src/protocol/index.js';

/** AUTH_START's fields; `Harness.start` fills in service sshd and user alice. */
type StartFields = Partial<Omit<AuthStartMessage, 'type'>>;

interface Harness {
  conv: Conversation;
  sent: Message[];
  closed: () => boolean;
  requests: AuthRequest[];
  released: string[];
  abandoned: string[];
  undelivered: string[];
  /** Makes the client look hung up (the native poll's answer). */
  hangUp(): void;
  /** The client's opening: HELLO, then AUTH_START for sshd/alice with `fields` over those. */
  start(fields?: StartFields): void;
}

function harness(options: { known?: boolean; challenge?: ChallengeOutcome; decide?: (r: AuthRequest) => AuthOutcome | Promise<AuthOutcome> } = {}): Harness {
  const sent: Message[] = [];
  const requests: AuthRequest[] = [];
  const released: string[] = [];
  const abandoned: string[] = [];
  const undelivered: string[] = [];
  let closed = false;
  let gone = false;
  const policy: DecisionSession = {
    knowsUser: async () => options.known ?? true,
    issueChallenge: async () => options.challenge ?? { issued: false, reason: 'no-skey-token' },
    authenticate: async (r) => {
      requests.push(r);
      return (options.decide ?? ((x) => ({ accepted: x.answer === '755224', code: x.answer === '755224' ? 'AUTH_OK_OTP' : 'AUTH_FAILED', reason: 'test' })))(r);
    },
    releaseChallenge: async (user) => {
      released.push(user);
    },
    abandoned: (r, why) => abandoned.push(`${r.service}/${r.user}: ${why}`),
    undelivered: (r, outcome, why) => undelivered.push(`${r.service}/${r.user} ${outcome.code}: ${why}`),
    log: () => undefined,
  };
  const conv = new Conversation(policy, { send: (m) => sent.push(m), close: () => (closed = true), clientGone: () => gone });
  const start = (fields: StartFields = {}): void => {
    conv.receive({ type: 'HELLO', version: 1 });
    conv.receive({ type: 'AUTH_START', service: 'sshd', user: 'alice', ...fields });
  };
  return { conv, sent, closed: () => closed, requests, released, abandoned, undelivered, hangUp: () => (gone = true), start };
}

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

describe('Conversation', () => {
  it('HELLO, AUTH_START, prompt, ANSWER, RESULT SUCCESS, close', async () => {
    const h = harness();
    h.start();
    await tick();
    expect(h.sent).toEqual([
      { type: 'HELLO', version: 1 },
      { type: 'CONV', style: 'PROMPT_ECHO_OFF', text: OTP_PROMPT },
    ]);
    h.conv.receive({ type: 'ANSWER', response: '755224' });
    await h.conv.finished;
    expect(h.sent.at(-1)).toEqual({ type: 'RESULT', verdict: 'SUCCESS' });
    expect(h.closed()).toBe(true);
    expect(h.conv.state).toBe('done');
  });

  it('anything while deciding is out of turn; the decision still runs to its end', async () => {
    let finish: (o: AuthOutcome) => void = () => undefined;
    const h = harness({ decide: () => new Promise((r) => (finish = r)) });
    h.start({ authtok: 'x', flags: Flag.USE_FIRST_PASS });
    await tick();
    expect(h.conv.deciding).toBe(true);
    h.conv.receive({ type: 'ANSWER', response: '1' });
    expect(h.sent.at(-1)).toMatchObject({ type: 'ERROR', code: WireErrorCode.UNEXPECTED });
    finish({ accepted: true, code: 'AUTH_OK_OTP', reason: 'late' });
    await h.conv.finished;
    expect(h.sent.filter((m) => m.type === 'RESULT')).toEqual([]);
  });

  it('a conversation cut off at the prompt is reported as abandoned once, with the reason; a decided one never', async () => {
    const cut = harness();
    cut.start();
    await tick();
    cut.conv.fail(WireErrorCode.TIMEOUT, 'conversation longer than 100 ms');
    await cut.conv.finished;
    expect(cut.abandoned).toEqual(['sshd/alice: conversation longer than 100 ms']);
    expect(cut.requests).toEqual([]);

    const gone = harness();
    gone.start({ service: 'su', user: 'bob' });
    await tick();
    gone.conv.receive({ type: 'ERROR', code: WireErrorCode.UNEXPECTED, message: 'bye' });
    await gone.conv.finished;
    expect(gone.abandoned).toEqual(['su/bob: the client gave up']);

    const decided = harness({ decide: () => ({ accepted: false, code: 'AUTH_FAILED', reason: 'test', warning: 'few left' }) });
    decided.start({ user: 'carol' });
    await tick();
    decided.conv.receive({ type: 'ANSWER', response: '1' });
    await tick();
    decided.conv.fail(WireErrorCode.TIMEOUT, 'late'); // while the warning is shown: the decision was already audited
    await decided.conv.finished;
    expect(decided.abandoned).toEqual([]);
    expect(decided.undelivered).toEqual(['sshd/carol AUTH_FAILED: late']);
  });

  it('an answer whose client left before the decision is not decided (no code spent on nobody)', async () => {
    const h = harness();
    h.start();
    await tick();
    h.conv.receive({ type: 'ANSWER', response: '755224' });
    h.conv.fail(WireErrorCode.UNEXPECTED, 'the client closed its side'); // the close that arrived with the answer
    await h.conv.finished;
    expect(h.requests).toEqual([]);
    expect(h.abandoned).toEqual(['sshd/alice: the client closed its side']);
  });

  it('an answer that arrives from a client which has already hung up is not decided', async () => {
    const h = harness();
    h.start();
    await tick();
    h.hangUp();
    h.conv.receive({ type: 'ANSWER', response: '755224' });
    await h.conv.finished;
    expect(h.requests).toEqual([]);
    expect(h.abandoned).toEqual(['sshd/alice: the client gave up before its answer was checked']);
  });

  it('a refused first pass, then a client that leaves at the prompt: abandoned once, nothing "undelivered"', async () => {
    const h = harness();
    h.start({ authtok: '000000', flags: Flag.TRY_FIRST_PASS });
    await tick();
    await tick();
    expect(h.sent.at(-1)).toMatchObject({ type: 'CONV', style: 'PROMPT_ECHO_OFF' });
    h.conv.fail(WireErrorCode.UNEXPECTED, 'the client closed its side');
    await h.conv.finished;
    expect(h.requests).toHaveLength(1);
    expect(h.abandoned).toEqual(['sshd/alice: the client closed its side']);
    expect(h.undelivered).toEqual([]);
  });

  it('a first-pass authtok from a client that has already hung up is not decided', async () => {
    const h = harness();
    h.hangUp();
    h.start({ authtok: '755224', flags: Flag.USE_FIRST_PASS });
    await h.conv.finished;
    expect(h.requests).toEqual([]);
    expect(h.abandoned).toEqual(['sshd/alice: the client gave up before its answer was checked']);
  });

  it('a decision whose verdict cannot be sent any more is reported as undelivered', async () => {
    let finish: (o: AuthOutcome) => void = () => undefined;
    const h = harness({ decide: () => new Promise((r) => (finish = r)) });
    h.start({ tty: 'ssh' });
    await tick();
    h.conv.receive({ type: 'ANSWER', response: '755224' });
    await tick();
    expect(h.conv.deciding).toBe(true);
    h.conv.fail(WireErrorCode.TIMEOUT, 'conversation longer than 180000 ms');
    finish({ accepted: true, code: 'AUTH_OK_OTP', reason: 'test' });
    await h.conv.finished;
    expect(h.requests[0]?.tty).toBe('ssh');
    expect(h.undelivered).toEqual(['sshd/alice AUTH_OK_OTP: conversation longer than 180000 ms']);
    expect(h.sent.filter((m) => m.type === 'RESULT')).toEqual([]);
  });

  it('a decision that throws ⇒ RESULT AUTHINFO_UNAVAIL', async () => {
    const h = harness({
      decide: () => {
        throw new Error('store broke');
      },
    });
    h.start({ authtok: 'x', flags: Flag.USE_FIRST_PASS });
    await h.conv.finished;
    expect(h.sent.at(-1)).toEqual({ type: 'RESULT', verdict: 'AUTHINFO_UNAVAIL' });
  });

  it('an S/KEY challenge is shown and released when the client leaves before answering', async () => {
    const h = harness({ challenge: { issued: true, challenge: 'otp-md5 498 bi0617 ext', token: 'erin/skey', claimId: 'claim-1' } });
    h.start({ user: 'erin' });
    await tick();
    expect(h.sent.at(-1)).toEqual({ type: 'CONV', style: 'PROMPT_ECHO_OFF', text: 'otp-md5 498 bi0617 ext, Response: ' });
    h.conv.fail(WireErrorCode.TIMEOUT, 'test');
    await h.conv.finished;
    expect(h.released).toEqual(['erin']);
    expect(h.requests).toEqual([]);
  });

  it('maps decision codes to verdicts', () => {
    expect(verdictOf({ accepted: true, code: 'AUTH_OK_SESSION' })).toBe('SUCCESS');
    expect(verdictOf({ accepted: false, code: 'AUTH_USER_UNKNOWN' })).toBe('USER_UNKNOWN');
    expect(verdictOf({ accepted: false, code: 'AUTH_USER_LOCKED' })).toBe('MAXTRIES');
    expect(verdictOf({ accepted: false, code: 'AUTH_LOCKED_NOW' })).toBe('MAXTRIES');
    expect(verdictOf({ accepted: false, code: 'AUTH_STORE_ERROR' })).toBe('AUTHINFO_UNAVAIL');
    expect(verdictOf({ accepted: false, code: 'AUTH_INTERNAL_ERROR' })).toBe('AUTHINFO_UNAVAIL');
    expect(verdictOf({ accepted: false, code: 'AUTH_TOKEN_MISSING' })).toBe('CRED_INSUFFICIENT');
    expect(verdictOf({ accepted: false, code: 'AUTH_OTP_ALREADY_USED' })).toBe('AUTH_ERR');
    expect(verdictOf({ accepted: false, code: 'AUTH_FAILED' })).toBe('AUTH_ERR');
  });
});
