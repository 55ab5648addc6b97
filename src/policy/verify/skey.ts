/**
 * The S/KEY server (RFC 2289 §6, §10; RFC 2243 extended responses).
 *
 * State meaning, as OPIE and Heimdal keep it: `last` is the one-time password with sequence number
 * `sequence`, OTP(sequence). The challenge asks for the previous one, `sequence − 1`; the server hashes
 * the response once and compares the result with `last`. On success the response becomes `last` and
 * `sequence` goes down by one. With `sequence` 0 nothing can be asked any more: the token is exhausted.
 *
 * The orchestration issues the challenge with {@link skeyChallenge}, keeps at most one pending challenge
 * per user (RFC 2289 §10 race attack) and verifies against the state the challenge was made from.
 *
 * @see https://www.rfc-editor.org/rfc/rfc2289#section-6
 * @see https://www.rfc-editor.org/rfc/rfc2243#section-4
 */
import { InvalidInputError } from '../../errors.js';
import { SKEY_ALGORITHMS, type SkeyAlgorithm } from '../../tokens/algorithms.js';
import { formatSkeyChallenge, validateSequence } from '../../tokens/skey/challenge.js';
import { type SkeyEncoding, type SkeyResponse, parseSkeyResponse } from '../../tokens/skey/response.js';
import { validateSeed } from '../../tokens/skey/secret.js';
import { SKEY_VALUE_BYTES } from '../../tokens/skey/step.js';
import type { OtpBackend } from '../../otp-backend/backend.js';
import { bytesEqual } from './compare.js';
import { type Verdict, fail, failAndPersist, succeed } from './verdict.js';

/** One S/KEY token's state. */
export interface SkeyState {
  readonly algorithm: SkeyAlgorithm;
  /** The sequence number of `last`; the next challenge asks for `sequence − 1`. */
  readonly sequence: number;
  /** 1 to 16 letters or digits, case as provisioned (hashing lower-cases it). */
  readonly seed: string;
  /** OTP(sequence): the last accepted response, or the initial value; 8 bytes. */
  readonly last: Uint8Array;
}

/** S/KEY settings. */
export interface SkeySettings {
  /** Warn (`detail.lowSequence`) when fewer challenges than this remain. OPIE warns below 10. */
  readonly warnBelow: number;
  /**
   * Whether an `init-hex:`/`init-word:` response may re-key the token at all. Off by default: the
   * current part is one disclosed response, and whoever wins the race with it (RFC 2289 §10) would
   * re-key the token to a chain they chose, for good. The orchestration sets it per token (`reinit=`
   * on its `#OTPD/META` line, docs/store.md).
   */
  readonly reinit: boolean;
  /** Smallest sequence a remote re-initialisation may set. */
  readonly minReinitSequence: number;
  /** Algorithms a remote re-initialisation may choose. */
  readonly reinitAlgorithms: readonly SkeyAlgorithm[];
}

/** Warn below 10 (OPIE); no remote re-initialisation; when on, to at least 10 with any algorithm. Frozen. */
export const DEFAULT_SKEY_SETTINGS: Readonly<SkeySettings> = Object.freeze({
  warnBelow: 10,
  reinit: false,
  minReinitSequence: 10,
  reinitAlgorithms: SKEY_ALGORITHMS,
});

/** Facts about an accepted S/KEY response. */
export interface SkeyDetail {
  /** The sequence number of the accepted response (the challenge's number). */
  readonly sequence: number;
  /** How it was written: six words or hex. */
  readonly encoding: SkeyEncoding;
  /** `plain`, `typed` (`hex:`/`word:`) or `init` (`init-hex:`/`init-word:`). */
  readonly kind: SkeyResponse['kind'];
  /** True when the response re-initialised the token; `state` then holds the new parameters. */
  readonly reinitialised: boolean;
  /** Challenges left with the new state. */
  readonly remaining: number;
  /** True when `remaining` is below `warnBelow`: the user should re-initialise soon. */
  readonly lowSequence: boolean;
}

/** What the S/KEY verifier needs from the outside world. */
export interface SkeyContext {
  readonly backend: OtpBackend;
}

function validateState(state: SkeyState): void {
  if (!SKEY_ALGORITHMS.includes(state.algorithm)) {
    throw new InvalidInputError('algorithm', `must be one of ${SKEY_ALGORITHMS.join(', ')}`);
  }
  validateSequence(state.sequence);
  validateSeed(state.seed);
  if (!(state.last instanceof Uint8Array) || state.last.length !== SKEY_VALUE_BYTES) {
    throw new InvalidInputError('last', `must be ${SKEY_VALUE_BYTES} bytes`);
  }
}

/**
 * True when no challenge can be issued any more (`sequence` is 0).
 *
 * @example
 * skeyExhausted({ algorithm: 'md5', sequence: 0, seed: 'ke1234', last }); // true
 */
export function skeyExhausted(state: SkeyState): boolean {
  return state.sequence < 1;
}

/**
 * The challenge for the next response, with RFC 2243's ` ext` (extended responses accepted).
 *
 * @param state - the token's state
 * @returns e.g. `otp-md5 499 ke1234 ext` for a state with sequence 500
 * @throws InvalidInputError naming `sequence` when the token is exhausted, or for an invalid state
 * @see https://www.rfc-editor.org/rfc/rfc2243#section-2.1
 * @example
 * skeyChallenge({ algorithm: 'md5', sequence: 500, seed: 'ke1234', last }); // 'otp-md5 499 ke1234 ext'
 */
export function skeyChallenge(state: SkeyState): string {
  validateState(state);
  if (skeyExhausted(state)) throw new InvalidInputError('sequence', 'is used up; re-initialise the S/KEY token');
  return formatSkeyChallenge({ algorithm: state.algorithm, sequence: state.sequence - 1, seed: state.seed, extended: true });
}

function detail(response: SkeyResponse, sequence: number, next: SkeyState, warnBelow: number): SkeyDetail {
  return {
    sequence,
    encoding: response.encoding,
    kind: response.kind,
    reinitialised: response.kind === 'init',
    remaining: next.sequence,
    lowSequence: next.sequence < warnBelow,
  };
}

/**
 * Verifies a response to {@link skeyChallenge}: six words or hex (told apart automatically), `hex:`,
 * `word:`, `init-hex:` or `init-word:`.
 *
 * A plain or typed response that hashes once to `last` is accepted: the new state stores it as `last`
 * with `sequence − 1`. An `init-*` response is checked the same way on its current part; then
 * `settings.reinit` must be on (it is off by default), the new parameters must differ in seed
 * (case-insensitively), have a sequence of at least `minReinitSequence` and an allowed algorithm, and
 * the new state is exactly the new parameters with the new value as `last`. A refused
 * re-initialisation whose current part was right returns `bad-reinit` **with** a state to persist:
 * the disclosed current response is burnt (the token stays on its own chain, one step down).
 *
 * @param state - the state the challenge was issued from; never modified
 * @param answer - the response part of the answer
 * @param context - the backend (its `skeyChain` does the one hash step, on the calling thread: it is one hash)
 * @param settings - {@link DEFAULT_SKEY_SETTINGS} by default (no remote re-initialisation)
 * @returns a verdict: `ok`, `wrong`, `replayed` (the response equals `last`), `malformed`,
 *   `exhausted` or `bad-reinit`
 * @throws InvalidInputError for an invalid state
 * @see https://www.rfc-editor.org/rfc/rfc2289#section-6
 * @see https://www.rfc-editor.org/rfc/rfc2243#section-4
 */
export async function verifySkey(
  state: SkeyState,
  answer: string,
  context: SkeyContext,
  settings: SkeySettings = DEFAULT_SKEY_SETTINGS,
): Promise<Verdict<SkeyState, SkeyDetail>> {
  validateState(state);
  if (skeyExhausted(state)) return fail('exhausted');

  let response: SkeyResponse;
  try {
    response = parseSkeyResponse(answer);
  } catch (error) {
    if (error instanceof InvalidInputError) return fail('malformed');
    throw error;
  }
  const current = response.kind === 'init' ? response.current : response.value;
  const hashed = context.backend.skeyChain(state.algorithm, current, 0);
  if (!bytesEqual(hashed, state.last)) return fail(bytesEqual(current, state.last) ? 'replayed' : 'wrong');

  const sequence = state.sequence - 1;
  const advanced: SkeyState = { ...state, sequence, last: Uint8Array.from(current) };
  if (response.kind !== 'init') return succeed(advanced, detail(response, sequence, advanced, settings.warnBelow));

  // Checked first, so that without the opt-in nothing about the proposed chain is looked at or told.
  if (!settings.reinit) return failAndPersist('bad-reinit', advanced, 'remote re-initialisation is off for this token');
  const { next, newValue } = response;
  const refused =
    next.seed.toLowerCase() === state.seed.toLowerCase()
      ? 'the new seed must differ from the current one'
      : next.sequence < settings.minReinitSequence
        ? `the new sequence must be at least ${settings.minReinitSequence}`
        : !settings.reinitAlgorithms.includes(next.algorithm)
          ? `the algorithm must be one of ${settings.reinitAlgorithms.join(', ')}`
          : undefined;
  if (refused !== undefined) return failAndPersist('bad-reinit', advanced, `S/KEY re-initialisation refused: ${refused}`);

  const reinitialised: SkeyState = {
    algorithm: next.algorithm,
    sequence: next.sequence,
    seed: next.seed,
    last: Uint8Array.from(newValue),
  };
  return succeed(reinitialised, detail(response, sequence, reinitialised, settings.warnBelow));
}
