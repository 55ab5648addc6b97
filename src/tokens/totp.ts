/**
 * TOTP (RFC 6238): HOTP of the time-step counter. The counter is computed here; the code is
 * {@link hotpCode}'s, so there is exactly one HOTP implementation.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6238
 */
import { InvalidInputError } from '../errors.js';
import { DEFAULT_OATH_OPTIONS, HOTP_LIMITS, hotpCode, type OathOptions } from './hotp.js';

/** HOTP's parameters plus the time step X and the start time T0 (RFC 6238 §4.1). */
export interface TotpOptions extends OathOptions {
  /** Time step X in seconds, an integer ≥ 1 (oathtool `-s`, users.oath `HOTP/T30`). */
  readonly step: number;
  /** Unix time T0 at which counting starts, an integer ≥ 0 (oathtool `-S`). */
  readonly t0: number;
}

/** RFC 6238's defaults: 6 digits, HMAC-SHA1, 30-second steps from the Unix epoch. Frozen. */
export const DEFAULT_TOTP_OPTIONS: Readonly<TotpOptions> = Object.freeze({
  ...DEFAULT_OATH_OPTIONS,
  step: 30,
  t0: 0,
});

/** Input limits for TOTP, frozen. */
export const TOTP_LIMITS = Object.freeze({
  minStep: 1,
  /** One day; longer steps are not one-time passwords any more. */
  maxStep: 86_400,
});

/**
 * The RFC 6238 §4.2 counter T = floor((time − T0) / X).
 *
 * @param unixSeconds - the time, seconds since the Unix epoch (fractions allowed), not before `t0`
 * @param step - X, an integer from 1 to 86400 seconds
 * @param t0 - T0, an integer ≥ 0
 * @returns the counter, a safe integer ≥ 0
 * @throws InvalidInputError naming `time`, `step` or `t0`; a time before T0 is refused (oathtool
 *   would wrap the negative counter to 2^64 − 1)
 * @see https://www.rfc-editor.org/rfc/rfc6238#section-4.2
 * @example
 * totpCounter(59, 30, 0); // 1
 */
export function totpCounter(unixSeconds: number, step: number, t0: number): number {
  if (!Number.isSafeInteger(step) || step < TOTP_LIMITS.minStep || step > TOTP_LIMITS.maxStep) {
    throw new InvalidInputError('step', `must be an integer from ${TOTP_LIMITS.minStep} to ${TOTP_LIMITS.maxStep} seconds, got ${String(step)}`);
  }
  if (!Number.isSafeInteger(t0) || t0 < 0) {
    throw new InvalidInputError('t0', `must be an integer number of seconds ≥ 0, got ${String(t0)}`);
  }
  if (!Number.isFinite(unixSeconds)) {
    throw new InvalidInputError('time', `must be a finite number of seconds, got ${String(unixSeconds)}`);
  }
  if (unixSeconds < t0) {
    throw new InvalidInputError('time', `is before the start time T0 (${t0})`);
  }
  const counter = Math.floor((unixSeconds - t0) / step);
  if (counter > HOTP_LIMITS.maxCounter) {
    throw new InvalidInputError('time', 'is too far in the future for an exact counter');
  }
  return counter;
}

/**
 * The TOTP value at a given time: {@link hotpCode} of {@link totpCounter}.
 *
 * @param key - the HMAC key, 1 to 1024 bytes
 * @param unixSeconds - the time, seconds since the Unix epoch
 * @param options - digits, algorithm, step and T0; {@link DEFAULT_TOTP_OPTIONS} for RFC 6238's
 * @returns the code, exactly `digits` decimal digits
 * @throws InvalidInputError naming `key`, `time`, `step`, `t0`, `digits` or `algorithm`
 * @see https://www.rfc-editor.org/rfc/rfc6238#section-4.2
 * @example
 * const key = new TextEncoder().encode('12345678901234567890');
 * totpCode(key, 59, { ...DEFAULT_TOTP_OPTIONS, digits: 8 }); // '94287082' (RFC 6238 Appendix B)
 */
export function totpCode(key: Uint8Array, unixSeconds: number, options: TotpOptions): string {
  return hotpCode(key, totpCounter(unixSeconds, options.step, options.t0), options);
}
