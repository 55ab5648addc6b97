/**
 * The S/KEY hash chain: the step applied over and over. These two functions are what the pure
 * TypeScript backend exposes as `skeyChain` and `skeyList` (see `src/otp-backend/backend.ts`).
 *
 * @see https://www.rfc-editor.org/rfc/rfc2289#section-5
 */
import { InvalidInputError } from '../../errors.js';
import { BACKEND_LIMITS } from '../../bounds.js';
import type { SkeyAlgorithm } from '../algorithms.js';
import { SKEY_LIMITS } from './limits.js';
import { SKEY_VALUE_BYTES, skeyStepInto } from './step.js';

function checkInput(input: Uint8Array): void {
  if (input.length === 0 || input.length > BACKEND_LIMITS.maxSkeyInputBytes) {
    throw new InvalidInputError('input', `must be 1 to ${BACKEND_LIMITS.maxSkeyInputBytes} bytes, got ${input.length}`);
  }
}

function checkCount(field: string, value: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < 0 || value > max) {
    throw new InvalidInputError(field, `must be an integer from 0 to ${max}, got ${value}`);
  }
}

/**
 * Applies the S/KEY step `count + 1` times. `skeyChain(alg, skeySecret(seed, pass), n)` is the
 * one-time password with sequence number `n`; `skeyChain(alg, response, 0)` hashes a response once,
 * which is what a server compares with its stored last value.
 *
 * @param algorithm - `md4`, `md5` or `sha1`
 * @param input - 1 to 256 bytes (`BACKEND_LIMITS.maxSkeyInputBytes`)
 * @param count - 0 to `SKEY_LIMITS.maxChainCount`
 * @returns 8 bytes, a fresh array
 * @throws InvalidInputError naming `input` or `count`
 * @see https://www.rfc-editor.org/rfc/rfc2289#section-5
 * @example
 * skeyChain('md5', skeySecret('TeSt', 'This is a test.'), 99); // 50FE 1962 C496 5880
 */
export function skeyChain(algorithm: SkeyAlgorithm, input: Uint8Array, count: number): Uint8Array {
  checkInput(input);
  checkCount('count', count, SKEY_LIMITS.maxChainCount);
  const value = new Uint8Array(SKEY_VALUE_BYTES);
  skeyStepInto(algorithm, input, value);
  for (let i = 0; i < count; i++) skeyStepInto(algorithm, value, value);
  return value;
}

/**
 * The one-time passwords for sequence numbers `first .. first + n - 1`, in one pass of `first + n`
 * steps (not `n` separate chains).
 *
 * @param algorithm - `md4`, `md5` or `sha1`
 * @param input - the secret, 1 to 256 bytes
 * @param first - lowest sequence number, 0 to `SKEY_LIMITS.maxChainCount`
 * @param n - how many values; `first + n - 1` must not exceed `SKEY_LIMITS.maxChainCount`
 * @returns `n` fresh 8-byte arrays, ascending by sequence number
 * @throws InvalidInputError naming `input`, `first` or `n`
 * @example
 * skeyList('md5', skeySecret('TeSt', 'This is a test.'), 97, 3); // what `otpprint -n 3 99 TeSt` prints
 */
export function skeyList(algorithm: SkeyAlgorithm, input: Uint8Array, first: number, n: number): Uint8Array[] {
  checkInput(input);
  checkCount('first', first, SKEY_LIMITS.maxChainCount);
  checkCount('n', n, SKEY_LIMITS.maxChainCount + 1 - first);
  const values: Uint8Array[] = [];
  if (n === 0) return values;
  let value = new Uint8Array(SKEY_VALUE_BYTES);
  skeyStepInto(algorithm, input, value);
  for (let i = 0; i < first; i++) skeyStepInto(algorithm, value, value);
  values.push(value);
  for (let i = 1; i < n; i++) {
    const next = new Uint8Array(SKEY_VALUE_BYTES);
    skeyStepInto(algorithm, value, next);
    values.push(next);
    value = next;
  }
  return values;
}
