/**
 * The hash algorithms otpd speaks, as closed lists, and their parsers. Names are lower-case, as
 * oathtool (`--totp=sha256`) and the S/KEY challenge (`otp-md5`) write them.
 */
import { InvalidInputError } from '../errors.js';

/** HMAC hashes for HOTP/TOTP (RFC 4226 §5.3, RFC 6238 §1.2). */
export const HMAC_ALGORITHMS = Object.freeze(['sha1', 'sha256', 'sha512'] as const);
export type HmacAlgorithm = (typeof HMAC_ALGORITHMS)[number];

/** S/KEY hashes (RFC 2289 §5 and Appendix A). */
export const SKEY_ALGORITHMS = Object.freeze(['md4', 'md5', 'sha1'] as const);
export type SkeyAlgorithm = (typeof SKEY_ALGORITHMS)[number];

function parseFrom<T extends string>(list: readonly T[], field: string, value: string): T {
  const lowered = value.toLowerCase();
  const found = list.find((name) => name === lowered);
  if (found === undefined) {
    throw new InvalidInputError(field, `unknown algorithm "${value}"; use one of ${list.join(', ')}`);
  }
  return found;
}

/**
 * @param value - `sha1`, `sha256` or `sha512`, any case
 * @returns the normalised name
 * @throws InvalidInputError naming the field `algorithm`
 */
export function parseHmacAlgorithm(value: string, field = 'algorithm'): HmacAlgorithm {
  return parseFrom(HMAC_ALGORITHMS, field, value);
}

/**
 * @param value - `md4`, `md5` or `sha1`, any case
 * @returns the normalised name
 * @throws InvalidInputError naming the field `algorithm`
 */
export function parseSkeyAlgorithm(value: string, field = 'algorithm'): SkeyAlgorithm {
  return parseFrom(SKEY_ALGORITHMS, field, value);
}
