/**
 * One connection's conversation, as the daemon sees it (docs/protocol.md, "The state machine of a
 * conversation"): HELLO ⇄ HELLO, AUTH_START, 0 … 16 CONV/ANSWER steps, RESULT. It knows messages only,
 * never bytes or sockets: the server (server.ts) feeds it decoded messages and gives it a `send` and a
 * `close`; the decision itself sits behind {@link DecisionSession}.
 *
 * Any message out of turn ⇒ `ERROR UNEXPECTED` and close. While the daemon is deciding it accepts
 * nothing at all from the client.
 */
import { Flag, Limits, PROTOCOL_VERSION, WireErrorCode, type VerdictName } from '../../protocol/index.js';
import type { AuthStartMessage, Message } from '../../protocol/index.js';
import type { DecisionSession } from '../../decision/session.js';
import type { AuthCode, AuthOutcome, AuthRequest, LoginParty } from '../../policy/ports.js';

/** The prompt for every token but S/KEY: echo off, a stable first word that OpenVPN's list can match. */
export const OTP_PROMPT = 'One-time password: ';

/** The S/KEY prompt: the challenge first, as opie/skey logins show it. */
export function skeyPrompt(challenge: string): string {
  return `${challenge}, Response: `;
}

/** Where the conversation's messages go. `close` ends the connection after what was sent. */
export interface ConversationIO {
  send(message: Message): void;
  close(): void;
  /** Whether the client has hung up already (asked before an answer is decided). */
  clientGone(): boolean;
}

export type ConversationState = 'start' | 'hello-done' | 'working' | 'conv-sent' | 'done';

/** RESULT verdict for each decision code (docs/protocol.md, "RESULT verdicts"). */
export function verdictOf(outcome: Pick<AuthOutcome, 'accepted' | 'code'>): VerdictName {
  if (outcome.accepted) return 'SUCCESS';
  const code: AuthCode = outcome.code;
  switch (code) {
    case 'AUTH_USER_UNKNOWN':
      return 'USER_UNKNOWN';
    case 'AUTH_USER_LOCKED':
    case 'AUTH_LOCKED_NOW':
      return 'MAXTRIES';
    case 'AUTH_TOKEN_MISSING':
      return 'CRED_INSUFFICIENT';
    case 'AUTH_STORE_ERROR':
    case 'AUTH_INTERNAL_ERROR':
      return 'AUTHINFO_UNAVAIL';
    default:
      return 'AUTH_ERR';
  }
}

/** Refusals after which a try_first_pass login still prompts: the answer was wrong, nothing else. */
const PROMPT_AFTER: ReadonlySet<AuthCode> = new Set<AuthCode>(['AUTH_FAILED', 'AUTH_OTP_ALREADY_USED']);

/** Refusals that would tell an enrolled user from an unknown name if they came without a prompt. */
const HIDDEN_BEHIND_PROMPT: ReadonlySet<AuthCode> = new Set<AuthCode>(['AUTH_USER_UNKNOWN', 'AUTH_USER_LOCKED', 'AUTH_TOKEN_MISSING']);

class Aborted extends Error {}

/**
 * @example
 * const conv = new Conversation(session, { send: (m) => socket.write(encodeFrame(m)), close: () => socket.end() });
 * reader.onMessage((m) => conv.receive(m));
 */
export class Conversation {
  readonly #session: DecisionSession;
  readonly #io: ConversationIO;
  #state: ConversationState = 'start';
  #steps = 0;
  #answer: ((response: string) => void) | undefined;
  #abort: ((error: Aborted) => void) | undefined;
  #held: { user: string; claimId: string } | undefined;
  #deciding = false;
  #finished: Promise<void> = Promise.resolve();
  #label = '';
  /** Why the conversation ended early (for the AUTH_ABORTED audit line). */
  #endReason = 'conversation ended';
  /** The last decision's outcome, to tell when its verdict could not be delivered. */
  #decided: AuthOutcome | undefined;

  constructor(session: DecisionSession, io: ConversationIO) {
    this.#session = session;
    this.#io = io;
  }

  get state(): ConversationState {
    return this.#state;
  }

  /** True while the decision runs (the store may be being updated): a shutdown must wait for it. */
  get deciding(): boolean {
    return this.#deciding;
  }

  /** Resolves when the work started by AUTH_START has ended (at once before AUTH_START). */
  get finished(): Promise<void> {
    return this.#finished;
  }

  /** One decoded message from the client. Never throws. */
  receive(message: Message): void {
    if (this.#state === 'done') return;
    if (message.type === 'ERROR') {
      this.#session.log(`${this.#label}client sent ERROR ${message.code}; closing`);
      this.#endReason = 'the client gave up';
      this.#end();
      return;
    }
    if (this.#state === 'start' && message.type === 'HELLO') {
      // decodeFrame already refused another version (reason `version`); this is a second line of defence.
      if (message.version !== PROTOCOL_VERSION) return this.fail(WireErrorCode.VERSION, `version ${message.version} is not ${PROTOCOL_VERSION}`);
      this.#state = 'hello-done';
      this.#io.send({ type: 'HELLO', version: PROTOCOL_VERSION });
      return;
    }
    if (this.#state === 'hello-done' && message.type === 'AUTH_START') {
      this.#state = 'working';
      this.#label = `${message.service}/${message.user}: `;
      this.#finished = this.#run(message);
      return;
    }
    if (this.#state === 'conv-sent' && message.type === 'ANSWER') {
      const resolve = this.#answer;
      this.#answer = undefined;
      this.#abort = undefined;
      this.#state = 'working';
      resolve?.(message.response);
      return;
    }
    this.fail(WireErrorCode.UNEXPECTED, `${message.type} in state ${this.#state}`);
  }

  /**
   * Sends `ERROR code` and closes (a framing error, a deadline, shutdown). A decision under way keeps
   * running to its end, so a store update it started is never cut in half; its verdict is dropped.
   */
  fail(code: number, why: string): void {
    if (this.#state === 'done') return;
    this.#session.log(`${this.#label}ERROR ${code}: ${why}`);
    this.#endReason = why;
    this.#io.send({ type: 'ERROR', code, message: why.slice(0, 200) });
    this.#end();
  }

  #end(): void {
    this.#state = 'done';
    this.#answer = undefined;
    const abort = this.#abort;
    this.#abort = undefined;
    abort?.(new Aborted('conversation ended'));
    this.#io.close();
  }

  /** Sends one CONV and waits for its ANSWER. */
  #ask(style: 'PROMPT_ECHO_OFF' | 'TEXT_INFO' | 'ERROR_MSG', text: string): Promise<string> {
    if (this.#state !== 'working') return Promise.reject(new Aborted('conversation ended'));
    if (++this.#steps > Limits.MAX_STEPS) {
      this.fail(WireErrorCode.TOO_MANY_STEPS, `more than ${Limits.MAX_STEPS} steps`);
      return Promise.reject(new Aborted('too many steps'));
    }
    return new Promise<string>((resolve, reject) => {
      this.#answer = resolve;
      this.#abort = reject;
      this.#state = 'conv-sent';
      this.#io.send({ type: 'CONV', style, text });
    });
  }

  #result(verdict: VerdictName): void {
    if (this.#state !== 'working') return;
    this.#session.log(`${this.#label}RESULT ${verdict}`);
    this.#io.send({ type: 'RESULT', verdict });
    this.#end();
  }

  async #decide(request: AuthRequest): Promise<AuthOutcome> {
    this.#deciding = true;
    try {
      this.#decided = await this.#session.authenticate({ ...request, challengeClaim: this.#held?.claimId ?? null });
      return this.#decided;
    } finally {
      this.#deciding = false;
    }
  }

  async #run(start: AuthStartMessage): Promise<void> {
    const party: LoginParty = { user: start.user, service: start.service, rhost: start.rhost, tty: start.tty };
    let delivered = false;
    try {
      const verdict = await this.#login(start);
      delivered = this.#state === 'working' && !this.#io.clientGone();
      this.#result(verdict);
    } catch (error) {
      if (!(error instanceof Aborted)) {
        delivered = this.#state === 'working';
        this.#session.log(`${this.#label}refused: ${error instanceof Error ? `${error.name}: ${error.message}` : 'unexpected error'}`);
        this.#result('AUTHINFO_UNAVAIL');
      }
    } finally {
      // The decision ended the claim it held (src/policy/authenticate.ts); releasing a claim that is no
      // longer pending writes nothing, and covers decisions that ended before reaching the claim.
      const held = this.#held;
      this.#held = undefined;
      if (held !== undefined) await this.#session.releaseChallenge(held.user, held.claimId).catch(() => undefined);
    }
    if (!delivered && this.#decided !== undefined) this.#session.undelivered(party, this.#decided, this.#endReason);
  }

  async #login(start: AuthStartMessage): Promise<VerdictName> {
    const flags = start.flags ?? 0;
    const noInfo = (flags & (Flag.NO_INFO | Flag.SILENT)) !== 0;
    const base: LoginParty = { user: start.user, service: start.service, rhost: start.rhost, tty: start.tty };
    // By default an unknown user gets the same conversation as a known one (a prompt, then the
    // refusal), so nobody learns from the prompt who has a token; `unknown_user=refuse` keeps the
    // quick refusal for modules stacked as optional.
    const promptUnknown = (flags & Flag.NO_PROMPT_UNKNOWN) === 0;
    let authtok = start.authtok;
    try {
      if (!promptUnknown && !(await this.#session.knowsUser(base))) return 'USER_UNKNOWN';
      if (authtok !== undefined && (flags & (Flag.TRY_FIRST_PASS | Flag.USE_FIRST_PASS)) !== 0) {
        this.#requireClient(base);
        const outcome = await this.#decide({ ...base, answer: authtok });
        authtok = undefined;
        const prompts = PROMPT_AFTER.has(outcome.code) || (promptUnknown && HIDDEN_BEHIND_PROMPT.has(outcome.code));
        if (outcome.accepted || (flags & Flag.USE_FIRST_PASS) !== 0 || !prompts) return await this.#close(outcome, noInfo);
        this.#session.log(`${this.#label}first pass refused (${outcome.code}); prompting`);
        this.#decided = undefined; // superseded by the prompt: its refusal is audited, never "undelivered"
      }
    } finally {
      // The rest of this async function waits up to the conversation's deadline, its frame alive:
      // the first-pass secret must not stay reachable from it meanwhile.
      // eslint-disable-next-line no-useless-assignment
      authtok = undefined;
    }

    let prompt = OTP_PROMPT;
    const challenge = await this.#session.issueChallenge(start.user, start.service);
    if (challenge.issued) {
      this.#held = { user: start.user, claimId: challenge.claimId };
      prompt = skeyPrompt(challenge.challenge);
    } else if (challenge.reason === 'locked' && !promptUnknown) {
      // Prompting everyone alike (the default), a locked user is prompted too and refused after the
      // answer (unverified): an unknown name never locks, so a refusal without a prompt would tell.
      return 'MAXTRIES';
    } else if (challenge.reason === 'store-error') {
      return 'AUTHINFO_UNAVAIL';
    } else if (challenge.reason === 'pending' && !noInfo) {
      // Told, not hidden: the user's other tokens still answer this prompt; the S/KEY one does not.
      const until = challenge.until === undefined ? '' : ` until ${new Date(challenge.until * 1000).toISOString().slice(11, 19)} UTC`;
      await this.#ask('ERROR_MSG', `otpd: another login is answering this user's S/KEY challenge${until}; S/KEY cannot be used now`);
    }
    let answer: string | undefined = await this.#ask('PROMPT_ECHO_OFF', prompt).catch((error: unknown) => {
      if (error instanceof Aborted) this.#session.abandoned(base, this.#endReason);
      throw error;
    });
    try {
      this.#requireClient(base);
      const outcome = await this.#decide({ ...base, answer });
      return await this.#close(outcome, noInfo);
    } finally {
      // JS strings cannot be wiped; drop the only reference before the verdict is sent (the
      // FrameReader zeroed its bytes).
      // eslint-disable-next-line no-useless-assignment
      answer = undefined;
    }
  }

  /**
   * Before an answer is decided: a client that gave up while its answer waited in the socket (a daemon
   * paused past the module's timeout) has hung up behind it, and no code is spent on nobody.
   *
   * @throws Aborted (after auditing AUTH_ABORTED) when the conversation is over
   */
  #requireClient(base: LoginParty): void {
    if (this.#state === 'working' && this.#io.clientGone()) this.fail(WireErrorCode.UNEXPECTED, 'the client gave up before its answer was checked');
    if (this.#state !== 'working') {
      this.#session.abandoned(base, this.#endReason);
      throw new Aborted('conversation ended');
    }
  }

  /** The verdict, after telling the user a warning when info messages are allowed. */
  async #close(outcome: AuthOutcome, noInfo: boolean): Promise<VerdictName> {
    this.#session.log(`${this.#label}${outcome.code} ${outcome.reason}`);
    if (outcome.warning !== undefined && !noInfo) await this.#ask('TEXT_INFO', `otpd: ${outcome.warning}`);
    return verdictOf(outcome);
  }
}
