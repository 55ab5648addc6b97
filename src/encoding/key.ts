/**
 * Parsing and printing of HMAC keys as oathtool writes them: hex by default, RFC 4648 base32 with
 * `--base32`. The parsers accept exactly what `oathtool` 2.6 (liboath) accepts, with two deliberate
 * exceptions: an empty key is refused (oathtool silently uses a zero-length HMAC key) and keys longer
 * than {@link BACKEND_LIMITS.maxKeyBytes} are refused (oathtool has no limit).
 *
 * Error messages name the field and the position or the problem, never the key text itself.
 *
 * @see https://www.rfc-editor.org/rfc/rfc4648#section-6 (base32)
 * @see https://www.rfc-editor.org/rfc/rfc4648#section-8 (base16)
 */
import { InvalidInputError } from '../errors.js';
import { BACKEND_LIMITS } from '../bounds.js';

/** Limits for keys given as text, frozen. */
export const KEY_LIMITS = Object.freeze({
  /** At least one byte: oathtool would take an empty key, we never do. */
  minBytes: 1,
  /** What every backend accepts (1 KiB). */
  maxBytes: BACKEND_LIMITS.maxKeyBytes,
});

const HEX_DIGITS = '0123456789abcdef';
const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** char code → 5-bit value, or -1. Upper-case only; callers fold case first. */
const BASE32_VALUES: readonly number[] = Object.freeze(Array.from({ length: 128 }, (_, code) => BASE32_ALPHABET.indexOf(String.fromCharCode(code))));

/**
 * The number of base32 characters that may precede the padding in the last 8-character block
 * (RFC 4648 §6: 1, 2, 3 or 4 trailing bytes). 8 means the block is complete without padding.
 */
const BASE32_VALID_DATA_LENGTHS: ReadonlySet<number> = new Set([2, 4, 5, 7, 8]);

function checkByteLength(bytes: number, field: string): void {
  if (bytes < KEY_LIMITS.minBytes) {
    throw new InvalidInputError(field, 'is empty; a key needs at least 1 byte');
  }
  if (bytes > KEY_LIMITS.maxBytes) {
    throw new InvalidInputError(field, `is ${bytes} bytes long; at most ${KEY_LIMITS.maxBytes} bytes are allowed`);
  }
}

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30; // 0-9
  if (code >= 0x61 && code <= 0x66) return code - 0x61 + 10; // a-f
  if (code >= 0x41 && code <= 0x46) return code - 0x41 + 10; // A-F
  return -1;
}

/**
 * Parses a hex key as `oathtool KEY` does: digits in either case, no separators, no `0x` prefix,
 * an even number of digits.
 *
 * @param text - the key as typed
 * @param field - the name used in error messages
 * @returns the key bytes (1 to {@link KEY_LIMITS.maxBytes})
 * @throws InvalidInputError naming `field` for an empty or odd-length key, a character that is not a
 *   hex digit (by its 1-based position), or a key longer than the limit
 * @see https://www.rfc-editor.org/rfc/rfc4648#section-8
 * @example
 * parseHexKey('3132333435363738393031323334353637383930'); // the RFC 4226 test key
 */
export function parseHexKey(text: string, field = 'key'): Uint8Array {
  if (text.length === 0) {
    checkByteLength(0, field);
  }
  for (let i = 0; i < text.length; i++) {
    if (hexValue(text.charCodeAt(i)) < 0) {
      throw new InvalidInputError(field, `character ${i + 1} of ${text.length} is not a hex digit`);
    }
  }
  if (text.length % 2 !== 0) {
    throw new InvalidInputError(field, `has an odd number of hex digits (${text.length}); each byte needs two`);
  }
  checkByteLength(text.length / 2, field);
  const bytes = new Uint8Array(text.length / 2);
  for (let i = 0; i < bytes.length; i++) {
    bytes[i] = (hexValue(text.charCodeAt(2 * i)) << 4) | hexValue(text.charCodeAt(2 * i + 1));
  }
  return bytes;
}

/**
 * Parses a base32 key as `oathtool --base32 KEY` does (liboath 2.6 `oath_base32_decode`):
 *
 * - ASCII spaces anywhere are ignored (tabs and newlines are not);
 * - letters may be in either case (Google Authenticator shows upper case);
 * - padding is optional: after removing spaces the length, `=` included, modulo 8 must be 0, 2, 4, 5
 *   or 7, and the text is then treated as if `=` filled it to a multiple of 8;
 * - each 8-character block is 2, 4, 5, 7 or 8 alphabet characters followed only by `=`; a padded
 *   block may be followed by further blocks (liboath decodes them and concatenates the bytes);
 * - unused low bits in the last character need not be zero (`GF` decodes like `GE`).
 *
 * @param text - the key as typed
 * @param field - the name used in error messages
 * @returns the key bytes (1 to {@link KEY_LIMITS.maxBytes})
 * @throws InvalidInputError naming `field` for an empty key, a character outside the base32 alphabet
 *   (by its 1-based position in the text as typed), a length no base32 text can have, misplaced
 *   padding, or a key longer than the limit
 * @see https://www.rfc-editor.org/rfc/rfc4648#section-6
 * @example
 * parseBase32Key('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'); // '12345678901234567890'
 * parseBase32Key('gezd gnbv gy3t qojq gezd gnbv gy3t qojq'); // the same key
 */
export function parseBase32Key(text: string, field = 'key'): Uint8Array {
  // Remove spaces, fold case, and remember where each kept character was typed.
  const chars: number[] = [];
  const positions: number[] = [];
  for (let i = 0; i < text.length; i++) {
    let code = text.charCodeAt(i);
    if (code === 0x20) continue;
    if (code >= 0x61 && code <= 0x7a) code -= 0x20; // a-z → A-Z
    if (code !== 0x3d && (code >= 128 || (BASE32_VALUES[code] ?? -1) < 0)) {
      throw new InvalidInputError(field, `character ${i + 1} of ${text.length} is not in the base32 alphabet`);
    }
    chars.push(code);
    positions.push(i + 1);
  }
  if (chars.length === 0) {
    checkByteLength(0, field);
  }
  const rest = chars.length % 8;
  if (rest !== 0 && !BASE32_VALID_DATA_LENGTHS.has(rest)) {
    throw new InvalidInputError(field, `has ${chars.length} base32 characters without spaces; no base32 text has a length of 1, 3 or 6 modulo 8`);
  }
  while (chars.length % 8 !== 0) chars.push(0x3d);

  const out = new Uint8Array(Math.floor((chars.length * 5) / 8));
  let written = 0;
  for (let block = 0; block < chars.length; block += 8) {
    let data = 0;
    while (data < 8 && chars[block + data] !== 0x3d) data++;
    for (let j = block + data; j < block + 8; j++) {
      if (chars[j] !== 0x3d) {
        const where = positions[j] ?? text.length;
        throw new InvalidInputError(field, `character ${where} of ${text.length} follows padding inside its block`);
      }
    }
    if (!BASE32_VALID_DATA_LENGTHS.has(data)) {
      const where = positions[block] ?? text.length;
      throw new InvalidInputError(
        field,
        `the 8-character block starting at character ${where} has ${data} characters before its padding; only 2, 4, 5 or 7 are possible`,
      );
    }
    let acc = 0;
    let bits = 0;
    for (let j = block; j < block + data; j++) {
      acc = ((acc << 5) | (BASE32_VALUES[chars[j] ?? 0] ?? 0)) & 0xffff;
      bits += 5;
      if (bits >= 8) {
        bits -= 8;
        out[written++] = (acc >> bits) & 0xff;
      }
    }
  }
  checkByteLength(written, field);
  return out.slice(0, written);
}

/** How {@link parseKey} reads its text. */
export interface ParseKeyOptions {
  /** `true`: base32 as `oathtool --base32`; `false`: hex as plain `oathtool`. */
  readonly base32: boolean;
  /** Name used in error messages; `key` unless given. */
  readonly field?: string;
}

/**
 * Parses a key as oathtool would with or without `--base32`.
 *
 * @param text - the key as typed
 * @param options - which encoding, and the field name for errors
 * @returns the key bytes
 * @throws InvalidInputError as {@link parseHexKey} or {@link parseBase32Key}
 * @example
 * parseKey('GEZDGNBV', { base32: true }); // Uint8Array [0x31, 0x32, 0x33, 0x34, 0x35]
 */
export function parseKey(text: string, options: ParseKeyOptions): Uint8Array {
  const field = options.field ?? 'key';
  return options.base32 ? parseBase32Key(text, field) : parseHexKey(text, field);
}

/**
 * Formats bytes as lower-case hex, as `oathtool -v` prints "Hex secret:".
 *
 * @param bytes - any bytes
 * @returns two lower-case hex digits per byte
 * @example
 * formatHex(new Uint8Array([0x0a, 0xff])); // '0aff'
 */
export function formatHex(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) {
    out += (HEX_DIGITS[byte >> 4] ?? '') + (HEX_DIGITS[byte & 15] ?? '');
  }
  return out;
}

/**
 * Formats bytes as RFC 4648 base32, upper case and padded with `=` to a multiple of 8 characters,
 * exactly as `oathtool -v` prints "Base32 secret:".
 *
 * @param bytes - any bytes
 * @returns the base32 text
 * @see https://www.rfc-editor.org/rfc/rfc4648#section-6
 * @example
 * formatBase32(new Uint8Array([1])); // 'AE======'
 */
export function formatBase32(bytes: Uint8Array): string {
  let out = '';
  let acc = 0;
  let bits = 0;
  for (const byte of bytes) {
    acc = ((acc << 8) | byte) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += BASE32_ALPHABET[(acc >> bits) & 31] ?? '';
    }
  }
  if (bits > 0) {
    out += BASE32_ALPHABET[(acc << (5 - bits)) & 31] ?? '';
  }
  while (out.length % 8 !== 0) out += '=';
  return out;
}
