/**
 * Where a HOTP window search runs: a login's window of a few dozen codes costs microseconds on the
 * calling thread, far less than a trip through the thread pool; only a window large enough to hold the
 * event loop up noticeably (resync, `gen … -w 10000000`) goes off it.
 */
import type { HotpSearchRequest, OtpBackend } from './backend.js';

/** Windows at least this large are searched off the event loop (≈ 10 ms native, more in TypeScript). */
export const OFF_LOOP_SEARCH_FROM = 100_000;

/** @returns the lowest matching counter in the request's window, or null */
export function searchHotp(backend: OtpBackend, request: HotpSearchRequest): Promise<number | null> {
  return request.window >= OFF_LOOP_SEARCH_FROM ? backend.hotpSearchAsync(request) : Promise.resolve(backend.hotpSearch(request));
}
