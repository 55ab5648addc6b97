/**
 * HOTP (RFC 4226): the one TypeScript implementation, used directly and by the pure-TS hot-loop
 * backend. HMAC and truncation are otplib's (`@otplib/hotp` `generateSync` over node:crypto); this
 * module validates once at the boundary and hands otplib options it will accept for every key oathtool
 * accepts (see docs/otplib.md for the guardrails).
 *
 * @see https://www.rfc-editor.org/rfc/rfc4226
 */
import { createGuardrails } from '@otplib/core';
import { generateSync } from '@otplib/hotp';
import { NodeCryptoPlugin } from '@otplib/plugin-crypto-node';
import { InvalidInputError } from '../errors.js';
import { BACKEND_LIMITS } from '../bounds.js';
import { HMAC_ALGORITHMS, type HmacAlgorithm } from './algorithms.js';

/** The parameters HOTP and TOTP share (RFC 4226 §5.3, RFC 6238 §1.2). */
export interface OathOptions {
  /** Code length, 6 to 8 (as oathtool and pam_oath allow). */
  readonly digits: number;
  /** HMAC hash; RFC 4226 defines sha1 only, RFC 6238 adds sha256 and sha512. */
  readonly algorithm: HmacAlgorithm;
}

/** RFC 4226's defaults: 6 digits, HMAC-SHA1. Frozen. */
export const DEFAULT_OATH_OPTIONS: Readonly<OathOptions> = Object.freeze({ digits: 6, algorithm: 'sha1' });

/** Input limits for HOTP, frozen; the same as every hot-loop backend's. */
export const HOTP_LIMITS = Object.freeze({
  minDigits: BACKEND_LIMITS.minDigits,
  maxDigits: BACKEND_LIMITS.maxDigits,
  minKeyBytes: 1,
  maxKeyBytes: BACKEND_LIMITS.maxKeyBytes,
  maxCounter: BACKEND_LIMITS.maxCounter,
});

/**
 * otplib's defaults refuse keys under 16 bytes and over 64; oathtool takes any length, RFC 4226 §4
 * only recommends 16+. Built once: otplib validates against it on every call.
 * @internal
 */
const GUARDRAILS = createGuardrails({
  MIN_SECRET_BYTES: HOTP_LIMITS.minKeyBytes,
  MAX_SECRET_BYTES: HOTP_LIMITS.maxKeyBytes,
  MAX_COUNTER: HOTP_LIMITS.maxCounter,
});

/** The one crypto plugin instance (node:crypto `createHmac`). @internal */
const CRYPTO = new NodeCryptoPlugin();

/**
 * Checks a code length.
 *
 * @param n - the number of digits
 * @param field - the name used in error messages
 * @returns `n`
 * @throws InvalidInputError naming `field` unless `n` is an integer from 6 to 8
 * @see https://www.rfc-editor.org/rfc/rfc4226#section-5.3
 * @example
 * validateDigits(8); // 8
 */
export function validateDigits(n: number, field = 'digits'): number {
  if (!Number.isInteger(n) || n < HOTP_LIMITS.minDigits || n > HOTP_LIMITS.maxDigits) {
    throw new InvalidInputError(field, `must be an integer from ${HOTP_LIMITS.minDigits} to ${HOTP_LIMITS.maxDigits}, got ${String(n)}`);
  }
  return n;
}

/**
 * Checks an HMAC algorithm name that reached us typed but unchecked (for example from JSON).
 *
 * @param algorithm - the value to check
 * @param field - the name used in error messages
 * @returns the algorithm
 * @throws InvalidInputError naming `field` unless it is `sha1`, `sha256` or `sha512`
 * @see https://www.rfc-editor.org/rfc/rfc6238#section-1.2
 */
export function validateHmacAlgorithm(algorithm: unknown, field = 'algorithm'): HmacAlgorithm {
  const found = HMAC_ALGORITHMS.find((name) => name === algorithm);
  if (found === undefined) {
    throw new InvalidInputError(field, `must be one of ${HMAC_ALGORITHMS.join(', ')}`);
  }
  return found;
}

/**
 * Checks an HOTP counter: a safe integer ≥ 0 (oathtool's counter is 64-bit; otpd stops at 2^53 − 1
 * so every backend computes exactly).
 *
 * @param counter - the counter
 * @param field - the name used in error messages
 * @returns `counter`
 * @throws InvalidInputError naming `field` otherwise
 * @see https://www.rfc-editor.org/rfc/rfc4226#section-5.2
 */
export function validateCounter(counter: number, field = 'counter'): number {
  if (!Number.isSafeInteger(counter) || counter < 0) {
    throw new InvalidInputError(field, `must be an integer from 0 to ${HOTP_LIMITS.maxCounter}, got ${String(counter)}`);
  }
  return counter;
}

/**
 * Checks an HMAC key's type and length.
 *
 * @param key - the key bytes
 * @param field - the name used in error messages
 * @returns `key`
 * @throws InvalidInputError naming `field` unless it is a Uint8Array of 1 to 1024 bytes
 */
export function validateHmacKey(key: Uint8Array, field = 'key'): Uint8Array {
  if (!(key instanceof Uint8Array)) {
    throw new InvalidInputError(field, 'must be bytes (a Uint8Array)');
  }
  if (key.length < HOTP_LIMITS.minKeyBytes || key.length > HOTP_LIMITS.maxKeyBytes) {
    throw new InvalidInputError(field, `must be ${HOTP_LIMITS.minKeyBytes} to ${HOTP_LIMITS.maxKeyBytes} bytes long, got ${key.length} bytes`);
  }
  return key;
}

/**
 * The HOTP value for one counter: HMAC(key, counter as 8 big-endian bytes), dynamic truncation,
 * modulo 10^digits, zero-padded.
 *
 * Cheap to call in a loop: validation is a handful of comparisons and everything built for otplib
 * (guardrails, crypto plugin) is built once per process.
 *
 * @param key - the HMAC key, 1 to 1024 bytes (any length oathtool takes, short keys included)
 * @param counter - a safe integer ≥ 0
 * @param options - digits (6–8) and algorithm; {@link DEFAULT_OATH_OPTIONS} for RFC 4226's
 * @returns the code, exactly `digits` decimal digits
 * @throws InvalidInputError naming `key`, `counter`, `digits` or `algorithm`
 * @see https://www.rfc-editor.org/rfc/rfc4226#section-5.3
 * @example
 * const key = new TextEncoder().encode('12345678901234567890');
 * hotpCode(key, 0, DEFAULT_OATH_OPTIONS); // '755224' (RFC 4226 Appendix D)
 */
export function hotpCode(key: Uint8Array, counter: number, options: OathOptions): string {
  validateHmacKey(key);
  validateCounter(counter);
  validateDigits(options.digits);
  validateHmacAlgorithm(options.algorithm);
  return generateSync({
    secret: key,
    counter,
    digits: options.digits,
    algorithm: options.algorithm,
    crypto: CRYPTO,
    guardrails: GUARDRAILS,
  });
}
