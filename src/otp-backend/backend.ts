/**
 * The one interface both hot-loop backends implement: the Node-API addon (`native`) and the pure
 * TypeScript path (`typescript`). Callers get a backend from `loader.ts` and never know which it is,
 * except through `name`. Both must give identical answers; `test/unit/otp-backend/backend-suite.ts` proves it.
 *
 * Both backends are wrapped by `withChecks` (backend-checks.ts), which validates every argument against
 * BACKEND_LIMITS (src/bounds.ts) first: TypeError for a wrong type, RangeError for a value out of range.
 */
import type { HmacAlgorithm, SkeyAlgorithm } from '../tokens/algorithms.js';

/** One HOTP window search: which counter in `counter ..= counter + window` yields `code`? */
export interface HotpSearchRequest {
  readonly key: Uint8Array;
  readonly algorithm: HmacAlgorithm;
  /** 6, 7 or 8. */
  readonly digits: number;
  /** First counter tried; a safe integer ≥ 0. */
  readonly counter: number;
  /** Extra counters after the first (oathtool's `-w`); `counter + window` is a safe integer. */
  readonly window: number;
  /** The code as a number (so `"012345"` is 12345); must be below 10^digits. */
  readonly code: number;
}

export interface OtpBackend {
  /** Which implementation this is, for notices and benchmarks. */
  readonly name: 'native' | 'typescript';

  /**
   * @returns the lowest matching counter, or `null` when no counter in the window matches
   * @see RFC 4226 §5.3 (HOTP), §7.4 (resynchronisation window)
   */
  hotpSearch(request: HotpSearchRequest): number | null;

  /** {@link hotpSearch} off the event loop (native: an AsyncWorker). */
  hotpSearchAsync(request: HotpSearchRequest): Promise<number | null>;

  /**
   * The codes, as numbers, for `count` consecutive counters starting at `counter`
   * (what `oathtool --hotp -w` prints). `count` ≤ `BACKEND_LIMITS.maxBatch` per call.
   */
  hotpRange(key: Uint8Array, algorithm: HmacAlgorithm, digits: number, counter: number, count: number): Uint32Array;

  /**
   * Applies the S/KEY step `f(x) = fold(hash(x))` `count + 1` times to `input`, so that
   * `skeyChain(alg, lower(seed) ‖ passphrase, n)` is the one-time password with sequence number n, and
   * `skeyChain(alg, response, 0)` is the value a server compares with its stored last response.
   *
   * @returns 8 bytes
   * @see RFC 2289 §5, §6 and Appendix A (sha1 byte order)
   */
  skeyChain(algorithm: SkeyAlgorithm, input: Uint8Array, count: number): Uint8Array;

  /** {@link skeyChain} off the event loop. */
  skeyChainAsync(algorithm: SkeyAlgorithm, input: Uint8Array, count: number): Promise<Uint8Array>;

  /**
   * The one-time passwords for sequence numbers `first .. first + n - 1`, computed in one pass
   * (O(first + n) hash steps, not O(n²)).
   *
   * @returns `n` values of 8 bytes, ascending by sequence number
   */
  skeyList(algorithm: SkeyAlgorithm, input: Uint8Array, first: number, n: number): Uint8Array[];
}
