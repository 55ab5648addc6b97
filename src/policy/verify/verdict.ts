/**
 * What every verifier returns: a verdict with a stable reason code and, on success only, the new state
 * to persist. Verifiers are pure: they never mutate their input and never touch storage, so the store
 * writes `state` durably and the orchestration (lock-out, sessions, audit) reads `reason`.
 *
 * Messages are fixed texts per reason: they never contain the answer, a key, a PIN or a pass phrase.
 */

/** Why an answer was refused. Stable: the orchestration and the audit log key on these strings. */
export const FAILURE_REASONS = Object.freeze([
  /** Well-formed but matches nothing in the window. */
  'wrong',
  /** Matches a code, step, slot or response that was already accepted (AUTH_OTP_ALREADY_USED). */
  'replayed',
  /** Not even the shape of an answer for this token (wrong length, not digits, unknown word…). */
  'malformed',
  /** The password or PIN part of the answer is wrong. */
  'bad-password',
  /** S/KEY: the sequence is used up; the token must be re-initialised. */
  'exhausted',
  /**
   * S/KEY: the current part of an `init-hex:`/`init-word:` was right but the re-initialisation is
   * refused (the token does not allow it, or the new parameters are not acceptable).
   */
  'bad-reinit',
] as const);

export type FailureReason = (typeof FAILURE_REASONS)[number];

/** Every reason code, `ok` included. */
export type VerifyReason = 'ok' | FailureReason;

/**
 * A refusal. Usually nothing is to be persisted; `state`, when present, must be persisted anyway (an
 * S/KEY re-initialisation refused after its current one-time password was proven: that password was
 * disclosed and is burnt).
 */
export interface VerifyFailure<S = never> {
  readonly ok: false;
  readonly reason: FailureReason;
  /** A fixed, secret-free sentence for logs and explain mode. */
  readonly message: string;
  readonly state?: S;
}

/** An acceptance: `state` is the new state to persist before the verdict is acted on. */
export interface VerifySuccess<S, D> {
  readonly ok: true;
  readonly reason: 'ok';
  readonly state: S;
  /** Scheme-specific facts about the match (counter, drift, warnings); never secret. */
  readonly detail: D;
}

export type Verdict<S, D> = VerifySuccess<S, D> | VerifyFailure<S>;

const MESSAGES: Readonly<Record<FailureReason, string>> = Object.freeze({
  wrong: 'the one-time password does not match',
  replayed: 'the one-time password was already used',
  malformed: 'the answer is not in the form this token expects',
  'bad-password': 'the password is wrong',
  exhausted: 'the S/KEY sequence is used up; re-initialise the token',
  'bad-reinit': 'the S/KEY re-initialisation parameters are not acceptable',
});

/**
 * Builds a refusal with the fixed message for `reason`.
 *
 * @param reason - why
 * @param message - an optional more specific, secret-free message
 * @returns a frozen {@link VerifyFailure}
 * @internal
 */
export function fail(reason: FailureReason, message?: string): VerifyFailure {
  return Object.freeze({ ok: false as const, reason, message: message ?? MESSAGES[reason] });
}

/**
 * Builds a refusal that still carries a state to persist (see {@link VerifyFailure}).
 *
 * @internal
 */
export function failAndPersist<S>(reason: FailureReason, state: S, message?: string): VerifyFailure<S> {
  return Object.freeze({ ok: false as const, reason, message: message ?? MESSAGES[reason], state });
}

/**
 * Builds an acceptance.
 *
 * @internal
 */
export function succeed<S, D>(state: S, detail: D): VerifySuccess<S, D> {
  return Object.freeze({ ok: true as const, reason: 'ok' as const, state, detail });
}
