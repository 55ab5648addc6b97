/**
 * Durations as administrators write them: `"30s"`, `"15m"`, `"1h"`, `"2d"`, combinations such as
 * `"1h30m"`, or `"0"`. A bare TOML integer is a number of seconds.
 */

const UNIT_SECONDS: Readonly<Record<string, number>> = Object.freeze({ s: 1, m: 60, h: 3600, d: 86_400 });

/** Longest duration accepted anywhere: 366 days. Longer values are almost certainly typos. */
export const MAX_DURATION_SECONDS = 366 * 86_400;

/**
 * Parses a duration into whole seconds.
 *
 * Accepted: `"0"`; one or more `<digits><unit>` parts with units `s`, `m`, `h`, `d` in decreasing
 * order, each at most once (`"1d12h"`, `"90s"`, `"1h30m"`); blanks around the text are ignored. Case
 * matters (`"15M"` is refused, so nobody mistakes it for months).
 *
 * @param text - the duration
 * @returns seconds, from 0 to {@link MAX_DURATION_SECONDS}
 * @throws RangeError with a message saying what is accepted
 * @example
 * parseDuration('15m'); // 900
 * parseDuration('1h30m'); // 5400
 */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  if (trimmed === '0') return 0;
  const part = /(\d{1,9})([smhd])/gy;
  let total = 0;
  let lastRank = Infinity;
  let end = 0;
  for (let match = part.exec(trimmed); match !== null; match = part.exec(trimmed)) {
    const unit = match[2] as string;
    const seconds = UNIT_SECONDS[unit] as number;
    if (seconds >= lastRank) throw new RangeError(durationProblem(text, 'units must go from largest to smallest, each once'));
    lastRank = seconds;
    total += Number(match[1]) * seconds;
    end = part.lastIndex;
  }
  if (trimmed === '' || end !== trimmed.length) throw new RangeError(durationProblem(text, 'expected e.g. "30s", "15m", "1h", "1h30m", "2d" or "0"'));
  if (total > MAX_DURATION_SECONDS) throw new RangeError(durationProblem(text, `must be at most 366 days`));
  return total;
}

/**
 * Formats seconds the way {@link parseDuration} reads them (`5400` ⇒ `"1h30m"`).
 *
 * @param seconds - a non-negative integer
 * @returns the shortest combination of d, h, m, s; `"0"` for zero
 */
export function formatDuration(seconds: number): string {
  if (seconds === 0) return '0';
  let rest = seconds;
  let out = '';
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    const count = Math.floor(rest / size);
    if (count > 0) out += `${count}${unit}`;
    rest -= count * size;
  }
  return out;
}

function durationProblem(text: string, why: string): string {
  return `not a duration ${JSON.stringify(text)}: ${why}`;
}
