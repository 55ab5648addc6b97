/**
 * The outside world as the verifiers see it: the hot-loop backend and the time.
 */
import { InvalidInputError } from '../../errors.js';
import type { OtpBackend } from '../../otp-backend/backend.js';

/** What a verifier needs from the outside world. */
export interface VerifyContext {
  /** From `loadBackend()`; the verifiers never run HOTP or S/KEY loops themselves. */
  readonly backend: OtpBackend;
  /** The time, Unix seconds (fractions allowed). */
  readonly now: number;
}

/**
 * Unix seconds → the whole second pam_oath stamps into TIMESTAMP.
 *
 * @throws InvalidInputError naming `time` for a negative or non-finite time
 * @internal
 */
export function stampSeconds(now: number): number {
  if (!Number.isFinite(now) || now < 0) throw new InvalidInputError('time', `must be a finite number of seconds ≥ 0, got ${String(now)}`);
  return Math.floor(now);
}
