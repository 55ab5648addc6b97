/**
 * A new HOTP or TOTP token as pam_oath reads it: `HOTP[/E/D]` or `HOTP/T30|T60[/D]`, HMAC-SHA1, the
 * key in hex (so oathtool and pam_oath use the same line), and its `otpauth://` URI for the phone.
 */
import { randomBytes } from 'node:crypto';
import { formatHex, parseKey } from '../encoding/key.js';
import { InvalidInputError } from '../errors.js';
import { formatOathType, PAM_OATH_MAX_KEY_BYTES } from '../store/index.js';
import { toBinary } from '../store/index.js';
import { HOTP_LIMITS } from '../tokens/hotp.js';
import { otpauthUri } from './otpauth-uri.js';

/** Bytes of a generated key: 160 bits, RFC 4226 §4's recommendation and Google Authenticator's. */
export const GENERATED_KEY_BYTES = 20;
/** Shorter keys are refused: RFC 4226 §4 asks for at least 128 bits. */
export const MIN_KEY_BYTES = 16;

export interface OathEnrolment {
  readonly type: 'hotp' | 'totp';
  readonly user: string;
  /** Hex, or base32 with `base32`; absent: a fresh random key. */
  readonly key?: string | undefined;
  readonly base32: boolean;
  readonly digits: number;
  readonly algorithm: string;
  readonly period: number;
  readonly counter: number;
  readonly issuer: string;
}

export interface OathToken {
  /** The token line (binary string, with `\n`). */
  readonly line: string;
  readonly key: Uint8Array;
  readonly uri: string;
}

/**
 * @throws InvalidInputError naming the option that pam_oath's format cannot hold
 */
export function enrolOath(e: OathEnrolment): OathToken {
  if (e.algorithm.toLowerCase() !== 'sha1') {
    throw new InvalidInputError('algorithm', 'users.oath lines are HMAC-SHA1 (pam_oath and oathtool know no other); use sha1');
  }
  if (e.digits !== 6 && e.digits !== 7 && e.digits !== 8) throw new InvalidInputError('digits', 'must be 6, 7 or 8');
  if (e.type === 'totp' && e.period !== 30 && e.period !== 60) throw new InvalidInputError('period', 'must be 30 or 60 seconds (the steps users.oath knows)');
  if (e.type === 'totp' && e.counter !== 0) throw new InvalidInputError('counter', 'is for HOTP tokens only');
  if (!Number.isSafeInteger(e.counter) || e.counter < 0 || e.counter > HOTP_LIMITS.maxCounter) throw new InvalidInputError('counter', 'is out of range');
  const key = e.key === undefined ? new Uint8Array(randomBytes(GENERATED_KEY_BYTES)) : parseKey(e.key, { base32: e.base32 });
  if (key.length < MIN_KEY_BYTES || key.length > PAM_OATH_MAX_KEY_BYTES) {
    throw new InvalidInputError(
      'key',
      `must be ${MIN_KEY_BYTES} to ${PAM_OATH_MAX_KEY_BYTES} bytes (pam_oath reads at most ${PAM_OATH_MAX_KEY_BYTES}), got ${key.length}`,
    );
  }
  const type = formatOathType(e.digits, e.type === 'totp' ? (e.period as 30 | 60) : 0);
  const counter = e.type === 'hotp' && e.counter > 0 ? `\t${e.counter}` : '';
  const uri = otpauthUri({ type: e.type, issuer: e.issuer, account: e.user, key, digits: e.digits, period: e.period, counter: e.counter });
  return { line: `${type}\t${toBinary(e.user)}\t-\t${formatHex(key)}${counter}\n`, key, uri };
}
