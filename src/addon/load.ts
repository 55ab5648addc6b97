/**
 * The one place that loads `otpd_native.node` (native/src/addon.cc): where it is, what it must export,
 * and the file-descriptor check every system-call binding shares. Its callers are the OTP backend
 * (src/otp-backend/native-backend.ts) and the system calls Node lacks (peer-credentials.ts,
 * locking.ts beside this file).
 *
 * @see docs/native.md
 */
import { messageOf } from '../errors.js';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Environment variable naming a `.node` file to load instead of the package's own build. */
export const NATIVE_PATH_ENV = 'OTPD_NATIVE_PATH';

/** The addon's build output, relative to the package root. */
export const NATIVE_ADDON_RELATIVE_PATH = path.join('native', 'build', 'Release', 'otpd_native.node');

/** The addon's exports, exactly as native/src/addon.cc defines them. @internal */
export interface NativeAddon {
  hotpSearch(key: Uint8Array, alg: string, digits: number, counter: number, window: number, code: number): number;
  hotpSearchAsync(key: Uint8Array, alg: string, digits: number, counter: number, window: number, code: number): Promise<number>;
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
 * The directory of the package.json named "otpd" at or above `start` (works from `src/addon/` under
 * vitest and from `dist/src/addon/` after tsc).
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
    const reason = messageOf(error);
    throw new Error(`otpd native addon could not be loaded from ${file}: ${reason}`, { cause: error });
  }
  const missing = ADDON_FUNCTIONS.filter((name) => typeof (loaded as Record<string, unknown> | null)?.[name] !== 'function');
  if (missing.length > 0) {
    throw new Error(`otpd native addon at ${file} lacks ${missing.join(', ')}; rebuild it (npm run build:native)`);
  }
  return loaded as NativeAddon;
}
