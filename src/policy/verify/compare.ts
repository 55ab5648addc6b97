/**
 * Constant-time comparisons for every secret-derived value the verifiers compare.
 *
 * `crypto.timingSafeEqual` needs equal lengths; strings of different lengths are first reduced to
 * SHA-256 digests, so neither the content nor the length of the expected value leaks through timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Compares two byte strings in constant time (for their common length; unequal lengths are compared
 * through their SHA-256 digests and always differ).
 *
 * @param a - one value
 * @param b - the other
 * @returns true when the bytes are identical
 * @example
 * bytesEqual(new Uint8Array([1]), new Uint8Array([1])); // true
 */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length === b.length) return timingSafeEqual(a, b);
  // Still spend a digest-sized comparison, then refuse.
  timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
  return false;
}

/**
 * Compares two strings (as UTF-8) in constant time; see {@link bytesEqual}.
 *
 * @example
 * stringsEqual('755224', '755224'); // true
 */
export function stringsEqual(a: string, b: string): boolean {
  return bytesEqual(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
