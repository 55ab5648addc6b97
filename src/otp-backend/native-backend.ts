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
import { loadAddon, nativeAddonPath } from '../addon/load.js';
import { withChecks } from './backend-checks.js';
import type { OtpBackend } from './backend.js';

/** Counter of a search result, `null` for the addon's -1. */
function toCounter(found: number): number | null {
  return found < 0 ? null : found;
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
