/**
 * The Node-API backend: the only TypeScript caller of `otpd_native.node` (native/src/addon.cc over the
 * C core native/src/otp_core.c). It validates every argument against {@link BACKEND_LIMITS} and throws
 * `TypeError` / `RangeError` before native code sees it, so the addon's own checks are a second fence.
 *
 * Sync methods run on the calling thread; `hotpSearchAsync` and `skeyChainAsync` run on the libuv
 * thread pool (Napi::AsyncWorker) with a copy of the key or input taken before they are queued.
 *
 * @see docs/native.md
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { HMAC_ALGORITHMS, SKEY_ALGORITHMS } from '../tokens/algorithms.js';
import type { HmacAlgorithm, SkeyAlgorithm } from '../tokens/algorithms.js';
import { BACKEND_LIMITS } from './backend.js';
import type { HotpSearchRequest, OtpBackend } from './backend.js';

/** Environment variable naming a `.node` file to load instead of the package's own build. */
export const NATIVE_PATH_ENV = 'OTPD_NATIVE_PATH';

/** The addon's build output, relative to the package root. */
export const NATIVE_ADDON_RELATIVE_PATH = path.join('native', 'build', 'Release', 'otpd_native.node');

/**
 * Largest `count` of {@link OtpBackend.hotpRange} and `n` of {@link OtpBackend.skeyList} per call (the
 * interface's 2^20); the addon enforces the same number.
 *
 * @internal
 */
export const MAX_BATCH = 2 ** 20;

/** The addon's exports, exactly as native/src/addon.cc defines them. @internal */
interface NativeAddon {
  hotpSearch(key: Uint8Array, alg: string, digits: number, counter: number, window: number, code: number): number;
  hotpSearchAsync(
    key: Uint8Array,
    alg: string,
    digits: number,
    counter: number,
    window: number,
    code: number,
  ): Promise<number>;
  hotpRange(key: Uint8Array, alg: string, digits: number, counter: number, count: number): Uint32Array;
  skeyChain(alg: string, input: Uint8Array, count: number): Uint8Array;
  skeyChainAsync(alg: string, input: Uint8Array, count: number): Promise<Uint8Array>;
  skeyList(alg: string, input: Uint8Array, first: number, n: number): Uint8Array;
}

const ADDON_FUNCTIONS = Object.freeze([
  'hotpSearch',
  'hotpSearchAsync',
  'hotpRange',
  'skeyChain',
  'skeyChainAsync',
  'skeyList',
] as const satisfies readonly (keyof NativeAddon)[]);

/**
 * The directory of the package.json named "otpd" at or above `start` (works from `src/native/` under
 * vitest and from `dist/src/native/` after tsc).
 *
 * @throws Error when there is none
 * @internal
 */
export function findPackageRoot(start: string): string {
  let dir = path.resolve(start);
  for (;;) {
    const candidate = path.join(dir, 'package.json');
    if (existsSync(candidate)) {
      try {
        const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: unknown };
        if (pkg.name === 'otpd') return dir;
      } catch {
        // An unreadable or malformed package.json is not ours; keep walking up.
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json named "otpd" at or above ${start}`);
    dir = parent;
  }
}

/**
 * Where the addon is loaded from: `$OTPD_NATIVE_PATH` when set and non-empty, else the package's build.
 *
 * @internal
 */
export function nativeAddonPath(env: NodeJS.ProcessEnv = process.env): string {
  const override = env[NATIVE_PATH_ENV];
  if (override !== undefined && override !== '') return path.resolve(override);
  const here = path.dirname(fileURLToPath(import.meta.url));
  return path.join(findPackageRoot(here), NATIVE_ADDON_RELATIVE_PATH);
}

// ---- validation (the boundary: user-facing messages) ---------------------------------------------

function checkBytes(value: unknown, field: string, max: number): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${field} must be a Uint8Array`);
  if (value.length > max) throw new RangeError(`${field} must be at most ${max} bytes, got ${value.length}`);
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

function checkDigits(value: unknown): number {
  return checkInteger(value, 'digits', BACKEND_LIMITS.minDigits, BACKEND_LIMITS.maxDigits);
}

interface HotpSearchArgs {
  key: Uint8Array;
  algorithm: HmacAlgorithm;
  digits: number;
  counter: number;
  window: number;
  code: number;
}

function checkSearch(request: HotpSearchRequest): HotpSearchArgs {
  if (typeof request !== 'object' || request === null) throw new TypeError('request must be an object');
  const key = checkBytes(request.key, 'key', BACKEND_LIMITS.maxKeyBytes);
  const algorithm = checkAlgorithm(request.algorithm, HMAC_ALGORITHMS);
  const digits = checkDigits(request.digits);
  const counter = checkInteger(request.counter, 'counter', 0, BACKEND_LIMITS.maxCounter);
  const window = checkInteger(request.window, 'window', 0, BACKEND_LIMITS.maxCounter - counter);
  const code = checkInteger(request.code, 'code', 0, 10 ** digits - 1);
  return { key, algorithm, digits, counter, window, code };
}

/** Counter of a search result, `null` for the addon's -1. */
function toCounter(found: number): number | null {
  return found < 0 ? null : found;
}

function loadAddon(file: string): NativeAddon {
  let loaded: unknown;
  try {
    loaded = createRequire(import.meta.url)(file);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`otpd native addon could not be loaded from ${file}: ${reason}`, { cause: error });
  }
  const missing = ADDON_FUNCTIONS.filter(
    (name) => typeof (loaded as Record<string, unknown> | null)?.[name] !== 'function',
  );
  if (missing.length > 0) {
    throw new Error(`otpd native addon at ${file} lacks ${missing.join(', ')}; rebuild it (npm run build:native)`);
  }
  return loaded as NativeAddon;
}

/**
 * Loads the Node-API addon and wraps it as an {@link OtpBackend} named `native`.
 *
 * @returns a frozen backend object
 * @throws Error (plain, with the path and reason) when the addon is missing, fails to load, or lacks an
 *   export; the backend loader catches it and falls back to the TypeScript backend
 * @example
 * const backend = loadNativeBackend();
 * backend.hotpSearch({ key, algorithm: 'sha1', digits: 6, counter: 0, window: 9, code: 162583 }); // 7
 * @see RFC 4226 §5.3, RFC 2289 §6
 */
export function loadNativeBackend(): OtpBackend {
  const addon = loadAddon(nativeAddonPath());

  const backend: OtpBackend = {
    name: 'native',

    hotpSearch(request) {
      const a = checkSearch(request);
      return toCounter(addon.hotpSearch(a.key, a.algorithm, a.digits, a.counter, a.window, a.code));
    },

    async hotpSearchAsync(request) {
      const a = checkSearch(request);
      return toCounter(await addon.hotpSearchAsync(a.key, a.algorithm, a.digits, a.counter, a.window, a.code));
    },

    hotpRange(key, algorithm, digits, counter, count) {
      checkBytes(key, 'key', BACKEND_LIMITS.maxKeyBytes);
      checkAlgorithm(algorithm, HMAC_ALGORITHMS);
      checkDigits(digits);
      checkInteger(counter, 'counter', 0, BACKEND_LIMITS.maxCounter);
      checkInteger(count, 'count', 0, Math.min(MAX_BATCH, BACKEND_LIMITS.maxCounter - counter + 1));
      return addon.hotpRange(key, algorithm, digits, counter, count);
    },

    skeyChain(algorithm: SkeyAlgorithm, input, count) {
      checkAlgorithm(algorithm, SKEY_ALGORITHMS);
      checkBytes(input, 'input', BACKEND_LIMITS.maxSkeyInputBytes);
      checkInteger(count, 'count', 0, BACKEND_LIMITS.maxCounter);
      return new Uint8Array(addon.skeyChain(algorithm, input, count));
    },

    async skeyChainAsync(algorithm: SkeyAlgorithm, input, count) {
      checkAlgorithm(algorithm, SKEY_ALGORITHMS);
      checkBytes(input, 'input', BACKEND_LIMITS.maxSkeyInputBytes);
      checkInteger(count, 'count', 0, BACKEND_LIMITS.maxCounter);
      return new Uint8Array(await addon.skeyChainAsync(algorithm, input, count));
    },

    skeyList(algorithm: SkeyAlgorithm, input, first, n) {
      checkAlgorithm(algorithm, SKEY_ALGORITHMS);
      checkBytes(input, 'input', BACKEND_LIMITS.maxSkeyInputBytes);
      checkInteger(first, 'first', 0, BACKEND_LIMITS.maxCounter);
      checkInteger(n, 'n', 0, Math.min(MAX_BATCH, BACKEND_LIMITS.maxCounter - first + 1));
      const buffer = addon.skeyList(algorithm, input, first, n);
      // A plain Uint8Array view, so slice() copies (Buffer#slice would share memory and stay a Buffer).
      const all = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
      const out: Uint8Array[] = [];
      for (let i = 0; i < n; i++) out.push(all.slice(i * 8, i * 8 + 8));
      return out;
    },
  };
  return Object.freeze(backend);
}
