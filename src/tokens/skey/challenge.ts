/**
 * The S/KEY challenge, `otp-<algorithm> <sequence> <seed>`, optionally followed by RFC 2243's
 * capability list (`ext` or `ext,<set>,…`) that tells a generator it may send extended responses.
 *
 * Sequence numbers run from 0 to `SKEY_LIMITS.maxSequence` (9999, OPIE's ceiling); RFC 2289 itself sets
 * no upper bound, but an unbounded one would let a crafted challenge make a generator hash for ever.
 *
 * @see https://www.rfc-editor.org/rfc/rfc2289#section-6 (challenge)
 * @see https://www.rfc-editor.org/rfc/rfc2243#section-2.1 (extended challenge)
 */
import { InvalidInputError } from '../../errors.js';
import { SKEY_ALGORITHMS, type SkeyAlgorithm } from '../algorithms.js';
import { SKEY_LIMITS } from './limits.js';
import { validateSeed } from './secret.js';

/** What a challenge or a re-initialisation names: the algorithm, the sequence number and the seed. */
export interface SkeyParameters {
  algorithm: SkeyAlgorithm;
  /** 0 to `SKEY_LIMITS.maxSequence`. */
  sequence: number;
  /** 1 to 16 letters or digits, case kept as given. */
  seed: string;
}

/** A parsed challenge. `extended` is true when the server announced RFC 2243 extended responses. */
export interface SkeyChallenge extends SkeyParameters {
  extended: boolean;
}

const FIND_PATTERN = /(?<![A-Za-z0-9-])otp-([A-Za-z0-9]+)\s+([0-9]+)\s+([A-Za-z0-9]+)(?![A-Za-z0-9])(?:\s+(ext(?:,[A-Za-z0-9-]+)*)(?![A-Za-z0-9-]))?/i;

function parseAlgorithm(name: string, field: string): SkeyAlgorithm {
  const lowered = name.toLowerCase();
  const found = SKEY_ALGORITHMS.find((algorithm) => algorithm === lowered);
  if (found === undefined) {
    throw new InvalidInputError(field, `unknown algorithm; use one of ${SKEY_ALGORITHMS.join(', ')}`);
  }
  return found;
}

/**
 * Checks a sequence number: an integer from 0 to `SKEY_LIMITS.maxSequence`.
 *
 * @param sequence - the number to check
 * @param field - field name for errors (default `sequence`)
 * @returns `sequence`
 * @throws InvalidInputError naming the field
 */
export function validateSequence(sequence: number, field = 'sequence'): number {
  if (!Number.isSafeInteger(sequence) || sequence < 0 || sequence > SKEY_LIMITS.maxSequence) {
    throw new InvalidInputError(field, `must be an integer from 0 to ${SKEY_LIMITS.maxSequence}, got ${sequence}`);
  }
  return sequence;
}

function parseSequence(digits: string, field: string): number {
  if (!/^[0-9]+$/.test(digits)) {
    throw new InvalidInputError(field, 'sequence number must be decimal digits');
  }
  return validateSequence(Number(digits), field);
}

function checkParameters(p: SkeyParameters, field: string): void {
  parseAlgorithm(p.algorithm, field);
  validateSequence(p.sequence, field);
  validateSeed(p.seed, field);
}

/**
 * Parses `<algorithm> <sequence> <seed>` as it appears inside an RFC 2243 re-initialisation
 * (`md5 499 ke1235`, no `otp-` prefix), with any whitespace between and around the parts.
 *
 * @param text - the parameters
 * @param field - field name for errors (default `response`)
 * @returns the parameters, algorithm lower-cased, seed as given
 * @throws InvalidInputError naming the field
 * @see https://www.rfc-editor.org/rfc/rfc2243#section-4.1
 * @example
 * parseSkeyParameters('md5 499 ke1235'); // { algorithm: 'md5', sequence: 499, seed: 'ke1235' }
 */
export function parseSkeyParameters(text: string, field = 'response'): SkeyParameters {
  const parts = text.trim().split(/\s+/);
  if (parts.length !== 3) {
    throw new InvalidInputError(field, 'new parameters must be "<algorithm> <sequence> <seed>"');
  }
  const [algorithm, sequence, seed] = parts as [string, string, string];
  return {
    algorithm: parseAlgorithm(algorithm, field),
    sequence: parseSequence(sequence, field),
    seed: validateSeed(seed, field),
  };
}

/**
 * Formats parameters as `<algorithm> <sequence> <seed>` (the RFC 2243 re-initialisation form).
 *
 * @throws InvalidInputError naming `response` when a part is out of range
 * @example
 * formatSkeyParameters({ algorithm: 'md5', sequence: 499, seed: 'ke1235' }); // 'md5 499 ke1235'
 */
export function formatSkeyParameters(p: SkeyParameters): string {
  checkParameters(p, 'response');
  return `${p.algorithm} ${p.sequence} ${p.seed}`;
}

/**
 * Parses a challenge that stands alone (surrounding whitespace is fine): `otp-md5 499 bi0617`, or with
 * RFC 2243's capability list, `otp-md5 499 bi0617 ext` or `… ext,foo`. The algorithm is matched in any
 * case. To pick a challenge out of a longer prompt, use {@link findSkeyChallenge}.
 *
 * @param text - the challenge
 * @returns the challenge, seed as given
 * @throws InvalidInputError naming `challenge` (or `seed`-level problems under that field)
 * @see https://www.rfc-editor.org/rfc/rfc2289#section-6
 * @see https://www.rfc-editor.org/rfc/rfc2243#section-2.1
 * @example
 * parseSkeyChallenge('otp-md5 499 ke1234 ext'); // { algorithm: 'md5', sequence: 499, seed: 'ke1234', extended: true }
 */
export function parseSkeyChallenge(text: string): SkeyChallenge {
  const field = 'challenge';
  const parts = text.trim().split(/\s+/);
  const [prefixed, sequence, seed, capabilities] = parts;
  if (parts.length < 3 || parts.length > 4 || prefixed === undefined || sequence === undefined || seed === undefined) {
    throw new InvalidInputError(field, 'must be "otp-<algorithm> <sequence> <seed>", optionally followed by "ext"');
  }
  if (!/^otp-/i.test(prefixed)) {
    throw new InvalidInputError(field, 'must start with "otp-" and the algorithm, e.g. otp-md5');
  }
  let extended = false;
  if (capabilities !== undefined) {
    if (!/^ext(,[A-Za-z0-9-]+)*$/i.test(capabilities)) {
      throw new InvalidInputError(field, 'only the capability list "ext[,<set>…]" may follow the seed');
    }
    extended = true;
  }
  return {
    algorithm: parseAlgorithm(prefixed.slice(4), field),
    sequence: parseSequence(sequence, field),
    seed: validateSeed(seed, field),
    extended,
  };
}

/**
 * Finds the first challenge inside a longer text, such as a login prompt
 * (`otp-md5 499 ke1234 ext, Response: `).
 *
 * @param text - any text
 * @returns the challenge, or `undefined` when the text holds none
 * @throws InvalidInputError naming `challenge` when a challenge is there but out of range
 * @example
 * findSkeyChallenge('[otp-sha1 42 abc9] Password: '); // { algorithm: 'sha1', sequence: 42, seed: 'abc9', extended: false }
 */
export function findSkeyChallenge(text: string): SkeyChallenge | undefined {
  const match = FIND_PATTERN.exec(text);
  if (match === null) return undefined;
  const [, algorithm = '', sequence = '', seed = '', capabilities] = match;
  return {
    algorithm: parseAlgorithm(algorithm, 'challenge'),
    sequence: parseSequence(sequence, 'challenge'),
    seed: validateSeed(seed, 'challenge'),
    extended: capabilities !== undefined,
  };
}

/**
 * Formats a challenge: `otp-md5 499 ke1234`, plus ` ext` when `extended`.
 *
 * @param challenge - the parts; the seed is written as given
 * @returns the challenge line, without a newline
 * @throws InvalidInputError naming `challenge` when a part is out of range
 * @see https://www.rfc-editor.org/rfc/rfc2289#section-6
 * @example
 * formatSkeyChallenge({ algorithm: 'md5', sequence: 499, seed: 'ke1234', extended: true }); // 'otp-md5 499 ke1234 ext'
 */
export function formatSkeyChallenge(challenge: SkeyChallenge): string {
  checkParameters(challenge, 'challenge');
  const base = `otp-${challenge.algorithm} ${challenge.sequence} ${challenge.seed}`;
  return challenge.extended ? `${base} ext` : base;
}
