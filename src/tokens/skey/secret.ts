/**
 * The S/KEY secret and the rules for its parts: the seed and the pass phrase.
 *
 * @see https://www.rfc-editor.org/rfc/rfc2289#section-6
 */
import { InvalidInputError } from '../../errors.js';
import { SKEY_LIMITS } from './limits.js';

const SEED_PATTERN = /^[A-Za-z0-9]+$/;
// C0 controls and DEL cannot be typed at a generator's pass phrase prompt (a line reader).
const CONTROL_PATTERN = /[\u0000-\u001f\u007f]/;
const encoder = new TextEncoder();

/**
 * Checks a seed: 1 to 16 ASCII letters or digits (RFC 2289 §6).
 *
 * @param seed - the seed as the user or the challenge gave it
 * @param field - field name for the error (default `seed`)
 * @returns `seed` unchanged (its case is kept for display; hashing lower-cases it)
 * @throws InvalidInputError naming the field; the message says what is wrong, not the seed itself
 * @see https://www.rfc-editor.org/rfc/rfc2289#section-6
 * @example
 * validateSeed('TeSt'); // 'TeSt'
 */
export function validateSeed(seed: string, field = 'seed'): string {
  const { minSeedLength, maxSeedLength } = SKEY_LIMITS;
  if (seed.length < minSeedLength || seed.length > maxSeedLength) {
    throw new InvalidInputError(field, `must be ${minSeedLength} to ${maxSeedLength} letters or digits, got ${seed.length} characters`);
  }
  if (!SEED_PATTERN.test(seed)) {
    throw new InvalidInputError(field, 'must contain only the letters A-Z, a-z and the digits 0-9 (no blanks or punctuation)');
  }
  return seed;
}

/**
 * The form of a seed that is hashed: lower case (RFC 2289 §6). Does not validate.
 *
 * @param seed - a seed already checked with {@link validateSeed}
 * @returns the seed in lower case
 * @example
 * normaliseSeed('TeSt'); // 'test'
 */
export function normaliseSeed(seed: string): string {
  return seed.toLowerCase();
}

/**
 * Checks a pass phrase for a generator: 10 to 63 characters (RFC 2289 §6 asks for at least 10 and
 * requires support for 63), no control characters, and at most `SKEY_LIMITS.maxPassphraseBytes`
 * bytes in UTF-8. Characters are Unicode code points.
 *
 * @param passphrase - the secret pass phrase
 * @throws InvalidInputError naming the field `pass phrase`; the message never quotes it
 * @see https://www.rfc-editor.org/rfc/rfc2289#section-6
 * @example
 * validatePassphrase('This is a test.'); // ok
 */
export function validatePassphrase(passphrase: string): void {
  const { minPassphraseLength, maxPassphraseLength, maxPassphraseBytes } = SKEY_LIMITS;
  const length = [...passphrase].length;
  if (length < minPassphraseLength || length > maxPassphraseLength) {
    throw new InvalidInputError('pass phrase', `must be ${minPassphraseLength} to ${maxPassphraseLength} characters, got ${length}`);
  }
  if (CONTROL_PATTERN.test(passphrase)) {
    throw new InvalidInputError('pass phrase', 'must not contain control characters');
  }
  const bytes = encoder.encode(passphrase).length;
  if (bytes > maxPassphraseBytes) {
    throw new InvalidInputError('pass phrase', `must be at most ${maxPassphraseBytes} bytes in UTF-8, got ${bytes}`);
  }
}

/**
 * The input of S/KEY step 0: `lower(seed) ‖ pass phrase`, as UTF-8 bytes. Validates both parts.
 *
 * @param seed - 1 to 16 letters or digits, any case
 * @param passphrase - 10 to 63 characters
 * @returns a fresh byte array (callers holding secrets may `fill(0)` it after use)
 * @throws InvalidInputError naming `seed` or `pass phrase`
 * @see https://www.rfc-editor.org/rfc/rfc2289#section-6
 * @example
 * skeyChain('md5', skeySecret('TeSt', 'This is a test.'), 0); // 9E87 6134 D904 99DD
 */
export function skeySecret(seed: string, passphrase: string): Uint8Array {
  validateSeed(seed);
  validatePassphrase(passphrase);
  return encoder.encode(normaliseSeed(seed) + passphrase);
}
