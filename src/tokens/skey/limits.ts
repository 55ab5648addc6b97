/**
 * Limits of the S/KEY code, in one frozen object so callers and tests read the same numbers.
 *
 * @see https://www.rfc-editor.org/rfc/rfc2289#section-6 (seed and pass phrase rules)
 */
import { BACKEND_LIMITS } from '../../bounds.js';

export const SKEY_LIMITS = Object.freeze({
  /** Seed length, RFC 2289 §6: one to 16 alphanumerics. */
  minSeedLength: 1,
  maxSeedLength: 16,
  /** Pass phrase length in characters (code points) for generators, RFC 2289 §6. */
  minPassphraseLength: 10,
  maxPassphraseLength: 63,
  /** UTF-8 bytes a pass phrase may take, so that seed ‖ pass phrase fits every backend. */
  maxPassphraseBytes: BACKEND_LIMITS.maxSkeyInputBytes - 16,
  /**
   * Largest sequence number in a challenge or re-initialisation. RFC 2289 sets no cap; OPIE stops at
   * 9999, and a server computing 9999 steps stays well under a millisecond per thousand steps.
   */
  maxSequence: 9999,
  /** Largest `count` the chain functions accept (benchmarks go beyond maxSequence). */
  maxChainCount: BACKEND_LIMITS.maxSkeyCount,
  /** Longest response text parsed; RFC 2243 §2.2 asks servers to limit the input reasonably. */
  maxResponseLength: 512,
});
