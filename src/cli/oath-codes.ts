/**
 * The two things `gen hotp` and `gen totp` do with a counter range: list its codes, or find a code in
 * it. Both go through the hot-loop backend, so windows of 10⁷ are a matter of seconds.
 */
import type { OtpBackend } from '../otp-backend/backend.js';
import { searchHotp } from '../otp-backend/search.js';
import type { Output } from './output.js';
import type { OathRequest } from './oath-options.js';

/** Codes computed per backend call when listing; bounds memory for huge windows. */
const LIST_CHUNK = 65_536;

/**
 * Prints the codes for counters `first ..= last`, one per line (oathtool's format), or a JSON array of
 * `{counter, code}` with `--json`; streamed, so 10⁷ lines never sit in memory at once.
 */
export async function listCodes(out: Output, backend: OtpBackend, request: OathRequest, first: number, last: number): Promise<void> {
  if (out.json) await out.write(`{"algorithm":"${request.algorithm}","digits":${request.digits},"codes":[`);
  for (let from = first; from <= last; from += LIST_CHUNK) {
    const count = Math.min(LIST_CHUNK, last - from + 1);
    const codes = backend.hotpRange(request.key, request.algorithm, request.digits, from, count);
    const lines: string[] = [];
    codes.forEach((code, i) => {
      const padded = String(code).padStart(request.digits, '0');
      lines.push(out.json ? `${from + i > first ? ',' : ''}{"counter":${from + i},"code":"${padded}"}` : `${padded}\n`);
    });
    await out.write(lines.join(''));
  }
  if (out.json) await out.write(']}\n');
}

/** @returns the lowest counter in `first ..= last` whose code is `code`, or null. */
export function findCounter(backend: OtpBackend, request: OathRequest, code: number, first: number, last: number): Promise<number | null> {
  const search = { key: request.key, algorithm: request.algorithm, digits: request.digits, counter: first, window: last - first, code };
  return searchHotp(backend, search);
}
