/**
 * Responses to an S/KEY challenge: the plain RFC 2289 forms (six words or hex, told apart
 * automatically, since servers must accept both) and the RFC 2243 extended forms — `hex:`/`word:`,
 * which name their encoding, and `init-hex:`/`init-word:`, which also re-initialise the sequence.
 *
 * Errors name the field `response` and never quote the text: a user may have typed the pass phrase at
 * the response prompt.
 *
 * @see https://www.rfc-editor.org/rfc/rfc2289#section-6
 * @see https://www.rfc-editor.org/rfc/rfc2243#section-3 (typed responses)
 * @see https://www.rfc-editor.org/rfc/rfc2243#section-4 (re-initialisation)
 */
import { InvalidInputError } from '../../errors.js';
import { type SkeyParameters, formatSkeyParameters, parseSkeyParameters } from './challenge.js';
import { formatSkeyHex, parseSkeyHex } from './hex.js';
import { SKEY_LIMITS } from './limits.js';
import { checkValue } from './step.js';
import { parseSixWords, toSixWords } from './words.js';

const FIELD = 'response';

/** How a value was (or is to be) written: 16 hex digits or six dictionary words. */
export type SkeyEncoding = 'hex' | 'words';

/** A bare one-time password, as RFC 2289 defines it. */
export interface SkeyPlainResponse {
  kind: 'plain';
  encoding: SkeyEncoding;
  /** The 8-byte one-time password. */
  value: Uint8Array;
}

/** `hex:<otp>` or `word:<six words>` (RFC 2243 §3). */
export interface SkeyTypedResponse {
  kind: 'typed';
  encoding: SkeyEncoding;
  value: Uint8Array;
}

/**
 * `init-hex:<current>:<algorithm> <sequence> <seed>:<new>` or `init-word:…` (RFC 2243 §4): proves
 * the current one-time password and installs a new sequence whose last value is `newValue`. The
 * server must check `current` as for any response, then store `newValue` with `next`; refusing a
 * `next.seed` equal to the current seed is the server's job (the parser does not know it).
 */
export interface SkeyInitResponse {
  kind: 'init';
  encoding: SkeyEncoding;
  /** The one-time password for the current challenge. */
  current: Uint8Array;
  /** The new sequence's parameters. */
  next: SkeyParameters;
  /** The one-time password for `next` (sequence `next.sequence` under the new seed). */
  newValue: Uint8Array;
}

/** Every response form, told apart by `kind`. */
export type SkeyResponse = SkeyPlainResponse | SkeyTypedResponse | SkeyInitResponse;

function parseEncoded(text: string, encoding: SkeyEncoding): Uint8Array {
  return encoding === 'hex' ? parseSkeyHex(text, FIELD) : parseSixWords(text, FIELD);
}

function formatEncoded(value: Uint8Array, encoding: SkeyEncoding, hexStyle: 'rfc' | 'compact'): string {
  checkValue(value, FIELD);
  return encoding === 'hex' ? formatSkeyHex(value, hexStyle) : toSixWords(value);
}

/**
 * Parses a bare response. Six whitespace-separated dictionary words with a valid checksum are read
 * as words; otherwise the text must be 16 hex digits. (A hex value that happens to be six dictionary
 * words with a valid checksum is not a realistic input.)
 */
function parsePlain(text: string): SkeyPlainResponse {
  const tokens = text
    .trim()
    .split(/\s+/)
    .filter((token) => token.length > 0);
  if (tokens.length === 6) {
    try {
      return { kind: 'plain', encoding: 'words', value: parseSixWords(text, FIELD) };
    } catch (wordsError) {
      const digits = tokens.join('');
      if (!/^[0-9A-Fa-f]{16}$/.test(digits)) throw wordsError;
    }
  }
  if (tokens.length === 0) {
    throw new InvalidInputError(FIELD, 'is empty; expected six words or 16 hex digits');
  }
  if (!/^[0-9A-Fa-f\s]+$/.test(text)) {
    throw new InvalidInputError(FIELD, 'must be six dictionary words or 16 hex digits');
  }
  return { kind: 'plain', encoding: 'hex', value: parseSkeyHex(text, FIELD) };
}

/**
 * Parses any response: plain six words or hex, `hex:`, `word:`, `init-hex:` or `init-word:`. The type
 * is matched in any case and whitespace is allowed around every part (RFC 2243 §2.2).
 *
 * @param text - the response line, without or with surrounding whitespace
 * @returns the response, told apart by `kind`
 * @throws InvalidInputError naming `response`: too long, unsupported type, wrong number of parts, or a
 *   bad value (unknown word, checksum, hex digits, parameters)
 * @see https://www.rfc-editor.org/rfc/rfc2243#section-2.2
 * @example
 * parseSkeyResponse('init-hex:5bf075d9959d036f:md5 499 ke1235:3712dcb4aa5316c1');
 * // { kind: 'init', encoding: 'hex', current: …, next: { algorithm: 'md5', sequence: 499, seed: 'ke1235' }, newValue: … }
 */
export function parseSkeyResponse(text: string): SkeyResponse {
  if (text.length > SKEY_LIMITS.maxResponseLength) {
    throw new InvalidInputError(FIELD, `must be at most ${SKEY_LIMITS.maxResponseLength} characters, got ${text.length}`);
  }
  if (!text.includes(':')) return parsePlain(text);

  const parts = text.split(':');
  const type = (parts[0] as string).trim().toLowerCase();
  switch (type) {
    case 'hex':
    case 'word': {
      if (parts.length !== 2) {
        throw new InvalidInputError(FIELD, `a ${type}: response has exactly one value after the type`);
      }
      const encoding = type === 'hex' ? 'hex' : 'words';
      return { kind: 'typed', encoding, value: parseEncoded(parts[1] as string, encoding) };
    }
    case 'init-hex':
    case 'init-word': {
      if (parts.length !== 4) {
        throw new InvalidInputError(FIELD, `an ${type}: response is "${type}:<current>:<algorithm> <sequence> <seed>:<new>"`);
      }
      const encoding = type === 'init-hex' ? 'hex' : 'words';
      return {
        kind: 'init',
        encoding,
        current: parseEncoded(parts[1] as string, encoding),
        next: parseSkeyParameters(parts[2] as string, FIELD),
        newValue: parseEncoded(parts[3] as string, encoding),
      };
    }
    default:
      throw new InvalidInputError(FIELD, 'unsupported response type; expected hex:, word:, init-hex: or init-word:');
  }
}

/**
 * Formats a response. Plain hex uses the RFC 2289 style (`9E87 6134 D904 99DD`); the typed and init
 * forms use lower-case type names (RFC 2243 §2.2 requires it of generators) and compact lower-case
 * hex, as the RFC 2243 examples write it. Words are upper case, single-spaced.
 *
 * @param response - any {@link SkeyResponse}
 * @returns the response line, without a newline
 * @throws InvalidInputError naming `response` when a value is not 8 bytes or a parameter is out of range
 * @see https://www.rfc-editor.org/rfc/rfc2243#section-3
 * @example
 * formatSkeyResponse({ kind: 'typed', encoding: 'words', value }); // 'word:BOND FOGY DRAB NE RISE MART'
 */
export function formatSkeyResponse(response: SkeyResponse): string {
  switch (response.kind) {
    case 'plain':
      return formatEncoded(response.value, response.encoding, 'rfc');
    case 'typed': {
      const type = response.encoding === 'hex' ? 'hex' : 'word';
      return `${type}:${formatEncoded(response.value, response.encoding, 'compact')}`;
    }
    case 'init': {
      const type = response.encoding === 'hex' ? 'init-hex' : 'init-word';
      const current = formatEncoded(response.current, response.encoding, 'compact');
      const next = formatSkeyParameters(response.next);
      const newValue = formatEncoded(response.newValue, response.encoding, 'compact');
      return `${type}:${current}:${next}:${newValue}`;
    }
  }
}
