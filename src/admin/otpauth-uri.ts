/**
 * The `otpauth://` URI authenticator apps scan (Google Authenticator's Key Uri Format):
 * `otpauth://TYPE/ISSUER:ACCOUNT?secret=BASE32&issuer=ISSUER&algorithm=SHA1&digits=6&period=30`
 * (`counter=N` instead of `period` for HOTP). The secret is RFC 4648 base32 without `=` padding, the
 * label and issuer are percent-encoded (a blank as `%20`, never `+`).
 *
 * @see https://github.com/google/google-authenticator/wiki/Key-Uri-Format
 */
import { formatBase32 } from '../encoding/key.js';
import { InvalidInputError } from '../errors.js';

export interface OtpauthParameters {
  readonly type: 'hotp' | 'totp';
  /** Shown above the account in the app; must not contain `:`. */
  readonly issuer: string;
  /** The login name. */
  readonly account: string;
  readonly key: Uint8Array;
  readonly digits: number;
  /** TOTP step in seconds. */
  readonly period?: number;
  /** HOTP: the counter of the first code. */
  readonly counter?: number;
}

/**
 * @throws InvalidInputError naming `issuer` when it is empty or holds a colon
 */
export function validateIssuer(issuer: string): string {
  if (issuer.length === 0 || issuer.length > 64 || issuer.includes(':')) throw new InvalidInputError('issuer', 'must be 1 to 64 characters without ":"');
  return issuer;
}

/** Base32 as apps take it: upper case, no padding. */
export function appSecret(key: Uint8Array): string {
  return formatBase32(key).replace(/=+$/, '');
}

/**
 * @returns the URI; it holds the secret, so it is printed for the enrolling administrator only
 * @example
 * otpauthUri({ type: 'totp', issuer: 'Example', account: 'alice', key, digits: 6, period: 30 });
 * // 'otpauth://totp/Example:alice?secret=…&issuer=Example&algorithm=SHA1&digits=6&period=30'
 */
export function otpauthUri(p: OtpauthParameters): string {
  const issuer = encodeURIComponent(validateIssuer(p.issuer));
  const label = `${issuer}:${encodeURIComponent(p.account)}`;
  const tail = p.type === 'totp' ? `period=${p.period ?? 30}` : `counter=${p.counter ?? 0}`;
  return `otpauth://${p.type}/${label}?secret=${appSecret(p.key)}&issuer=${issuer}&algorithm=SHA1&digits=${p.digits}&${tail}`;
}
