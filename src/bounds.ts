/**
 * Limits that several layers enforce alike, in one leaf module that imports nothing: the OTP backends
 * and the token algorithms check their arguments against {@link BACKEND_LIMITS}; the configuration and
 * the verifiers bound their windows by {@link MAX_WINDOW} and {@link MAX_MOTP_DRIFT_SECONDS}.
 */

/** Limits every OTP backend accepts; the wrappers (src/otp-backend/backend-checks.ts) enforce them before calling in. */
export const BACKEND_LIMITS = Object.freeze({
  /** Largest counter or counter + window: kept to exact doubles so no backend rounds. */
  maxCounter: Number.MAX_SAFE_INTEGER,
  minDigits: 6,
  maxDigits: 8,
  /** HMAC keys up to 1 KiB; pam_oath itself stops at 32 bytes, RFC 6238 SHA-512 uses 64. */
  maxKeyBytes: 1024,
  /** S/KEY input (seed ‖ pass phrase, or an 8-byte response) up to 16 + 63 bytes, with headroom. */
  maxSkeyInputBytes: 256,
  /** S/KEY chain length: sequences stop at 9999 in practice; 10⁶ steps is a millisecond natively. */
  maxSkeyCount: 1_000_000,
  /** Values per `hotpRange` / `skeyList` call; callers chunk larger ranges. */
  maxBatch: 2 ** 20,
});

/** Largest look-ahead or ± window any verifier accepts (a window is a brute-force multiplier). */
export const MAX_WINDOW = 1000;

/**
 * The longest a login's conversation may last, whatever the front end (the PAM protocol's conversation
 * deadline is this): an S/KEY challenge is held a little longer than it.
 */
export const LONGEST_CONVERSATION_SECONDS = 180;

/** Largest mOTP drift accepted: one hour each way. */
export const MAX_MOTP_DRIFT_SECONDS = 3600;
