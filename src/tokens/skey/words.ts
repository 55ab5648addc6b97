/**
 * The six-word form of a 64-bit S/KEY value: the 64 bits, then a 2-bit checksum (the sum of the
 * 32 bit pairs, mod 4), cut into six 11-bit indexes into the standard dictionary.
 *
 * @see https://www.rfc-editor.org/rfc/rfc2289#section-6 and #appendix-D
 */
import { InvalidInputError } from '../../errors.js';
import { RFC2289_WORDS } from './dictionary.js';
import { SKEY_VALUE_BYTES, checkValue } from './step.js';

const WORD_INDEX: ReadonlyMap<string, number> = new Map(RFC2289_WORDS.map((word, index) => [word, index]));

/** The 2-bit checksum: the sum of the 32 two-bit pairs of the value, mod 4. */
function checksum(value: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < SKEY_VALUE_BYTES; i++) {
    const b = value[i] as number;
    sum += (b >> 6) + ((b >> 4) & 3) + ((b >> 2) & 3) + (b & 3);
  }
  return sum & 3;
}

function toBigInt(value: Uint8Array): bigint {
  let n = 0n;
  for (let i = 0; i < SKEY_VALUE_BYTES; i++) n = (n << 8n) | BigInt(value[i] as number);
  return n;
}

/**
 * Encodes a 64-bit value as six dictionary words.
 *
 * @param value - 8 bytes
 * @returns six upper-case words separated by single spaces
 * @throws InvalidInputError naming `value` when it is not 8 bytes
 * @see https://www.rfc-editor.org/rfc/rfc2289#section-6
 * @example
 * toSixWords(parseSkeyHex('9E87 6134 D904 99DD')); // 'INCH SEA ANNE LONG AHEM TOUR'
 */
export function toSixWords(value: Uint8Array): string {
  checkValue(value);
  const bits = (toBigInt(value) << 2n) | BigInt(checksum(value));
  const words: string[] = [];
  for (let i = 5; i >= 0; i--) {
    words.push(RFC2289_WORDS[Number((bits >> BigInt(i * 11)) & 0x7ffn)] as string);
  }
  return words.join(' ');
}

/**
 * Decodes six dictionary words, in any case and separated by any whitespace, and verifies the
 * checksum. Errors name the word by position and never quote the text: a user may have typed the
 * pass phrase at the response prompt.
 *
 * @param text - six words from the standard dictionary
 * @param field - field name for errors (default `response`)
 * @returns the 8-byte value
 * @throws InvalidInputError naming the field: wrong word count, an unknown word, or a bad checksum
 * @see https://www.rfc-editor.org/rfc/rfc2289#section-6
 * @example
 * parseSixWords('inch sea anne\tlong ahem tour'); // 9E 87 61 34 D9 04 99 DD
 */
export function parseSixWords(text: string, field = 'response'): Uint8Array {
  const words = text
    .trim()
    .split(/\s+/)
    .filter((word) => word.length > 0);
  if (words.length !== 6) {
    throw new InvalidInputError(field, `must be six words, got ${words.length}`);
  }
  let bits = 0n;
  words.forEach((word, position) => {
    const index = WORD_INDEX.get(word.toUpperCase());
    if (index === undefined) {
      throw new InvalidInputError(field, `word ${position + 1} of 6 is not in the RFC 2289 dictionary`);
    }
    bits = (bits << 11n) | BigInt(index);
  });
  const value = new Uint8Array(SKEY_VALUE_BYTES);
  let n = bits >> 2n;
  for (let i = SKEY_VALUE_BYTES - 1; i >= 0; i--) {
    value[i] = Number(n & 0xffn);
    n >>= 8n;
  }
  if (checksum(value) !== Number(bits & 3n)) {
    throw new InvalidInputError(field, 'the six words fail the RFC 2289 checksum (a word is mistyped)');
  }
  return value;
}
