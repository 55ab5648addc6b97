/**
 * Finding where a drifted OATH token is, from two consecutive codes the user reads off it:
 * - HOTP: the first counter c ≥ the stored one (within a window) whose code is CODE1 while c + 1 gives
 *   CODE2; the token is then stored as having used c + 1 (the counter only moves forward);
 * - TOTP: the step s within ± a window of now whose code is CODE1 while s + 1 gives CODE2, nearest to
 *   now; the token's skew is then s + 1 − now, kept in its `#OTPD/META` line (docs/store.md).
 * Both search with the backend's window search (native when built), in chunks so progress can be
 * shown for long searches.
 */
import type { OtpBackend } from '../otp-backend/backend.js';
import type { OathEntry } from '../store/index.js';

/** Counters per backend call: a second or so of native search, so progress can be shown. */
const CHUNK = 1_000_000;

export interface ResyncSearch {
  readonly backend: OtpBackend;
  readonly entry: OathEntry;
  readonly code1: number;
  readonly code2: number;
  /** Called after each chunk with counters searched so far and in all (only for long searches). */
  readonly progress?: (done: number, total: number) => void;
}

function codeAt(s: ResyncSearch, counter: number): number | undefined {
  return s.backend.hotpRange(s.entry.key, 'sha1', s.entry.type.digits, counter, 1)[0];
}

/**
 * The counters in `first ..= last` whose code is CODE1 and whose successor's is CODE2, ascending (only
 * the first with `firstOnly`).
 */
async function pairs(s: ResyncSearch, first: number, last: number, firstOnly = false): Promise<number[]> {
  const found: number[] = [];
  const total = last - first + 1;
  for (let from = first; from <= last;) {
    const to = Math.min(last, from + CHUNK - 1);
    const hit = await s.backend.hotpSearchAsync({
      key: s.entry.key,
      algorithm: 'sha1',
      digits: s.entry.type.digits,
      counter: from,
      window: to - from,
      code: s.code1,
    });
    if (hit === null) {
      if (total > CHUNK) s.progress?.(to - first + 1, total);
      from = to + 1;
      continue;
    }
    if (codeAt(s, hit + 1) === s.code2) {
      found.push(hit);
      if (firstOnly) break;
    }
    from = hit + 1;
  }
  return found;
}

/**
 * @param window - how many counters after the stored one to search
 * @returns the counter of CODE2 (the new stored counter), or null when the pair is not in the window
 */
export async function findHotpPair(s: ResyncSearch, window: number): Promise<number | null> {
  const first = s.entry.counter;
  const [hit] = await pairs(s, first, first + window, true);
  return hit === undefined ? null : hit + 1;
}

/**
 * @param nowStep - the current time step (without any skew)
 * @param window - steps searched on each side
 * @returns the step of CODE2 nearest to now, or null
 */
export async function findTotpPair(s: ResyncSearch, nowStep: number, window: number): Promise<number | null> {
  const hits = await pairs(s, Math.max(0, nowStep - window), nowStep + window);
  if (hits.length === 0) return null;
  const nearest = hits.reduce((best, h) => (Math.abs(h + 1 - nowStep) < Math.abs(best + 1 - nowStep) ? h : best));
  return nearest + 1;
}
