/**
 * The Node-API backend: the only TypeScript caller of `otpd_native.node` (native/src/addon.cc over the
 * C core native/src/otp_core.c). `withChecks` validates every argument against BACKEND_LIMITS and throws
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

import { withChecks } from './backend-checks.js';
import type { OtpBackend } from './backend.js';

/** Environment variable naming a `.node` file to load instead of the package's own build. */
export const NATIVE_PATH_ENV = 'OTPD_NATIVE_PATH';

/** The addon's build output, relative to the package root. */
export const NATIVE_ADDON_RELATIVE_PATH = path.join('native', 'build', 'Release', 'otpd_native.node');

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
  peerCredentials(fd: number): { pid: number; uid: number; gid: number };
  peerGone(fd: number): boolean;
  tryLockRange(fd: number, start: number, len: number): boolean;
  unlockRange(fd: number, start: number, len: number): void;
  fsRoom(fd: number): { readOnly: boolean; freeBytes: number; freeInodes: number };
}

const ADDON_FUNCTIONS = Object.freeze([
  'hotpSearch',
  'hotpSearchAsync',
  'hotpRange',
  'skeyChain',
  'skeyChainAsync',
  'skeyList',
  'peerCredentials',
  'peerGone',
  'tryLockRange',
  'unlockRange',
  'fsRoom',
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

/**
 * A file descriptor for an addon call: a non-negative safe integer, checked before native code sees it.
 * @throws RangeError otherwise
 * @internal
 */
export function checkedFd(fd: number): number {
  if (!Number.isSafeInteger(fd) || fd < 0) throw new RangeError(`not a file descriptor: ${fd}`);
  return fd;
}

/** Counter of a search result, `null` for the addon's -1. */
function toCounter(found: number): number | null {
  return found < 0 ? null : found;
}

/**
 * Loads (once: Node caches it) and checks the addon at `file`.
 *
 * @throws Error with the path and reason when it is missing, fails to load or lacks an export
 * @internal
 */
export function loadAddon(file: string): NativeAddon {
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

  return withChecks({
    name: 'native',
    hotpSearch: (r) => toCounter(addon.hotpSearch(r.key, r.algorithm, r.digits, r.counter, r.window, r.code)),
    hotpSearchAsync: async (r) => toCounter(await addon.hotpSearchAsync(r.key, r.algorithm, r.digits, r.counter, r.window, r.code)),
    hotpRange: (key, algorithm, digits, counter, count) => addon.hotpRange(key, algorithm, digits, counter, count),
    skeyChain: (algorithm, input, count) => new Uint8Array(addon.skeyChain(algorithm, input, count)),
    skeyChainAsync: async (algorithm, input, count) => new Uint8Array(await addon.skeyChainAsync(algorithm, input, count)),
    skeyList(algorithm, input, first, n) {
      const buffer = addon.skeyList(algorithm, input, first, n);
      // A plain Uint8Array view, so slice() copies (Buffer#slice would share memory and stay a Buffer).
      const all = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
      const out: Uint8Array[] = [];
      for (let i = 0; i < n; i++) out.push(all.slice(i * 8, i * 8 + 8));
      return out;
    },
  });
}
