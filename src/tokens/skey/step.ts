/**
 * One S/KEY step, `f(x) = fold(hash(x))`: hash the input, then fold the digest to 64 bits.
 *
 * @see https://www.rfc-editor.org/rfc/rfc2289#section-5 (hash and fold)
 * @see https://www.rfc-editor.org/rfc/rfc2289#appendix-A (the sha1 fold and its byte order)
 */
import { hash } from 'node:crypto';
import { InvalidInputError } from '../../errors.js';
import type { SkeyAlgorithm } from '../algorithms.js';
import { md4Into } from './md4.js';

/** Every S/KEY value (an OTP, a stored last response) is 8 bytes. */
export const SKEY_VALUE_BYTES = 8;

/**
 * Checks that `value` is an 8-byte S/KEY value.
 *
 * @internal shared by the hex, word and response encoders
 */
export function checkValue(value: Uint8Array, field = 'value'): void {
  if (value.length !== SKEY_VALUE_BYTES) {
    throw new InvalidInputError(field, `must be ${SKEY_VALUE_BYTES} bytes, got ${value.length}`);
  }
}

const md4Digest = new Uint8Array(16);

/**
 * Hashes `input` with `algorithm` and writes the 64-bit fold into `out[0 ..< 8]`. `out` may be the
 * same buffer as `input` (the chain reuses one buffer).
 *
 * md4/md5: bytes 0–7 XOR bytes 8–15. sha1: the five big-endian words fold to (w0^w2^w4, w1^w3) and each
 * word is written least-significant byte first, as RFC 2289 Appendix A does (Heimdal agrees).
 *
 * @internal the chain calls this; others use {@link skeyStep}
 */
export function skeyStepInto(algorithm: SkeyAlgorithm, input: Uint8Array, out: Uint8Array): void {
  let digest: Uint8Array;
  if (algorithm === 'md4') {
    md4Into(input, md4Digest);
    digest = md4Digest;
  } else {
    digest = hash(algorithm, input, 'buffer');
  }

  if (algorithm !== 'sha1') {
    for (let i = 0; i < 8; i++) out[i] = (digest[i] as number) ^ (digest[i + 8] as number);
    return;
  }
  // Byte i of word w is digest[4w + i] (big-endian); writing each folded word LSB first reverses it.
  for (let i = 0; i < 4; i++) {
    out[3 - i] = (digest[i] as number) ^ (digest[8 + i] as number) ^ (digest[16 + i] as number);
    out[7 - i] = (digest[4 + i] as number) ^ (digest[12 + i] as number);
  }
}

/**
 * One S/KEY step: `fold(hash(input))`.
 *
 * @param algorithm - `md4`, `md5` or `sha1`
 * @param input - the secret (`lower(seed) ‖ pass phrase`) or an earlier 8-byte value
 * @returns 8 bytes
 * @see https://www.rfc-editor.org/rfc/rfc2289#section-5
 * @example
 * skeyStep('md5', skeySecret('TeSt', 'This is a test.')); // 9E87 6134 D904 99DD, sequence 0
 */
export function skeyStep(algorithm: SkeyAlgorithm, input: Uint8Array): Uint8Array {
  const out = new Uint8Array(SKEY_VALUE_BYTES);
  skeyStepInto(algorithm, input, out);
  return out;
}
