/**
 * The hexadecimal form of a 64-bit S/KEY value.
 *
 * Two output styles exist in the wild, and both parse the same:
 * - `rfc`: four groups of four upper-case digits, `9E87 6134 D904 99DD`, as RFC 2289's tables print;
 * - `compact`: sixteen lower-case digits, `9e876134d90499dd`, as Heimdal's `otpprint -h` and the
 *   RFC 2243 extended-response examples write.
 *
 * @see https://www.rfc-editor.org/rfc/rfc2289#section-6
 */
import { InvalidInputError } from '../../errors.js';
import { SKEY_VALUE_BYTES, checkValue } from './step.js';

/** Output styles of {@link formatSkeyHex}. */
export const SKEY_HEX_STYLES = Object.freeze(['rfc', 'compact'] as const);
export type SkeyHexStyle = (typeof SKEY_HEX_STYLES)[number];

const HEX_PATTERN = /^[0-9A-Fa-f]*$/;

/**
 * Parses 16 hex digits, in any case and with any whitespace between them.
 *
 * @param text - e.g. `9E87 6134 D904 99DD` or `9e876134d90499dd`
 * @param field - field name for errors (default `response`)
 * @returns the 8-byte value
 * @throws InvalidInputError naming the field; the message does not quote the text
 * @see https://www.rfc-editor.org/rfc/rfc2289#section-6
 * @example
 * parseSkeyHex(' 9e87 6134\nD904 99dd '); // 9E 87 61 34 D9 04 99 DD
 */
export function parseSkeyHex(text: string, field = 'response'): Uint8Array {
  const digits = text.replace(/\s+/g, '');
  if (!HEX_PATTERN.test(digits)) {
    throw new InvalidInputError(field, 'must contain only hex digits 0-9, a-f and whitespace');
  }
  if (digits.length !== SKEY_VALUE_BYTES * 2) {
    throw new InvalidInputError(field, `must be ${SKEY_VALUE_BYTES * 2} hex digits, got ${digits.length}`);
  }
  return new Uint8Array(Buffer.from(digits, 'hex'));
}

/**
 * Formats an 8-byte value as hex.
 *
 * @param value - 8 bytes
 * @param style - `rfc` (default): `9E87 6134 D904 99DD`; `compact`: `9e876134d90499dd`
 * @returns the hex text
 * @throws InvalidInputError naming `value` when it is not 8 bytes
 * @example
 * formatSkeyHex(value);            // '9E87 6134 D904 99DD'
 * formatSkeyHex(value, 'compact'); // '9e876134d90499dd'
 */
export function formatSkeyHex(value: Uint8Array, style: SkeyHexStyle = 'rfc'): string {
  checkValue(value);
  const hex = Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex');
  if (style === 'compact') return hex;
  return hex.toUpperCase().replace(/(.{4})(?=.)/g, '$1 ');
}
