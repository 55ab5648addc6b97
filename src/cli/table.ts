/**
 * Plain-text tables for people (`otpctl user show`, `token list`): a header, then one row per item,
 * columns padded to their widest cell. Cells are sanitised so a name cannot move the cursor or fake a row.
 */
import { escapeChar } from '../encoding/log-text.js';

/**
 * Every character an audit value would escape (format.ts `escapeChar`: control characters, line and
 * paragraph separators, bidi controls) becomes `?`, one column wide: a user or token name must not
 * write escape sequences, break a row or reorder what follows it.
 */
function cell(value: string): string {
  return Array.from(value, (char) => (char === '\\' || char === '"' || escapeChar(char) === char ? char : '?')).join('');
}

/**
 * @param header - column titles
 * @param rows - the cells, one array per row (as many as the header)
 * @returns the table, lines joined with `\n`, no trailing newline; `(none)` for no rows
 */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  if (rows.length === 0) return `${header.join('  ')}\n(none)`;
  const all = [header, ...rows].map((row) => row.map(cell));
  const widths = header.map((_, c) => Math.max(...all.map((row) => (row[c] ?? '').length)));
  return all
    .map((row) =>
      row
        .map((value, c) => (c === row.length - 1 ? value : value.padEnd(widths[c] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** A time in seconds since the epoch as a table shows it (ISO 8601, UTC); `-` for none. */
export function tableTime(seconds: number | null): string {
  return seconds === null ? '-' : new Date(seconds * 1000).toISOString();
}
