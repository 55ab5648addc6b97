/**
 * The boundary of every hot-loop backend: `withChecks(raw)` validates each argument against
 * {@link BACKEND_LIMITS} (TypeError for a wrong type, RangeError for a value out of range) and only then
 * calls the raw implementation. Both backends are wrapped by it, so they refuse exactly the same input
 * and native code never sees an argument outside its contract.
 */
import { HMAC_ALGORITHMS, SKEY_ALGORITHMS } from '../tokens/algorithms.js';
import type { HmacAlgorithm, SkeyAlgorithm } from '../tokens/algorithms.js';
import { BACKEND_LIMITS } from '../bounds.js';
import type { HotpSearchRequest, OtpBackend } from './backend.js';

function checkBytes(value: unknown, field: string, max: number): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${field} must be a Uint8Array`);
  if (value.length < 1 || value.length > max) throw new RangeError(`${field} must be 1 to ${max} bytes, got ${value.length}`);
  return value;
}

function checkInteger(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number') throw new TypeError(`${field} must be a number, got ${typeof value}`);
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new RangeError(`${field} must be an integer from ${min} to ${max}, got ${value}`);
  }
  return value;
}

function checkAlgorithm<T extends string>(value: unknown, list: readonly T[]): T {
  if (typeof value !== 'string') throw new TypeError(`algorithm must be a string, got ${typeof value}`);
  const found = list.find((name) => name === value);
  if (found === undefined) throw new RangeError(`algorithm must be one of ${list.join(', ')}, got "${value}"`);
  return found;
}

function checkHmac(key: unknown, algorithm: unknown, digits: unknown): void {
  checkBytes(key, 'key', BACKEND_LIMITS.maxKeyBytes);
  checkAlgorithm(algorithm, HMAC_ALGORITHMS);
  checkInteger(digits, 'digits', BACKEND_LIMITS.minDigits, BACKEND_LIMITS.maxDigits);
}

function checkSearch(request: HotpSearchRequest): void {
  if (typeof request !== 'object' || request === null) throw new TypeError('request must be an object');
  checkHmac(request.key, request.algorithm, request.digits);
  const counter = checkInteger(request.counter, 'counter', 0, BACKEND_LIMITS.maxCounter);
  checkInteger(request.window, 'window', 0, BACKEND_LIMITS.maxCounter - counter);
  checkInteger(request.code, 'code', 0, 10 ** request.digits - 1);
}

function checkSkey(algorithm: unknown, input: unknown, count: unknown, field = 'count'): void {
  checkAlgorithm(algorithm, SKEY_ALGORITHMS);
  checkBytes(input, 'input', BACKEND_LIMITS.maxSkeyInputBytes);
  checkInteger(count, field, 0, BACKEND_LIMITS.maxSkeyCount);
}

/**
 * @param raw - an implementation that trusts its arguments
 * @returns a frozen backend with the same name that validates first
 */
export function withChecks(raw: OtpBackend): OtpBackend {
  return Object.freeze({
    name: raw.name,
    hotpSearch(request: HotpSearchRequest) {
      checkSearch(request);
      return raw.hotpSearch(request);
    },
    async hotpSearchAsync(request: HotpSearchRequest) {
      checkSearch(request);
      return raw.hotpSearchAsync(request);
    },
    hotpRange(key: Uint8Array, algorithm: HmacAlgorithm, digits: number, counter: number, count: number) {
      checkHmac(key, algorithm, digits);
      checkInteger(counter, 'counter', 0, BACKEND_LIMITS.maxCounter);
      checkInteger(count, 'count', 0, Math.min(BACKEND_LIMITS.maxBatch, BACKEND_LIMITS.maxCounter - counter + 1));
      return raw.hotpRange(key, algorithm, digits, counter, count);
    },
    skeyChain(algorithm: SkeyAlgorithm, input: Uint8Array, count: number) {
      checkSkey(algorithm, input, count);
      return raw.skeyChain(algorithm, input, count);
    },
    async skeyChainAsync(algorithm: SkeyAlgorithm, input: Uint8Array, count: number) {
      checkSkey(algorithm, input, count);
      return raw.skeyChainAsync(algorithm, input, count);
    },
    skeyList(algorithm: SkeyAlgorithm, input: Uint8Array, first: number, n: number) {
      checkSkey(algorithm, input, first, 'first');
      checkInteger(n, 'n', 0, Math.min(BACKEND_LIMITS.maxBatch, BACKEND_LIMITS.maxSkeyCount - first + 1));
      return raw.skeyList(algorithm, input, first, n);
    },
  });
}
