/**
 * The timestamp field of users.oath: strftime(3) `%Y-%m-%dT%H:%M:%SL` in the writer's local time
 * zone (the `L` is a literal letter meaning "local"). liboath reads it back with strptime(3) and
 * mktime(3) with `tm_isdst = -1`, so the instant it names depends on the reader's TZ as well.
 */

const PATTERN = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})L$/;

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/**
 * Formats an instant as liboath writes it (local time, 20 characters for years 1000–9999).
 *
 * @param date - the instant
 * @returns e.g. `2026-11-22T05:30:27L`
 */
export function formatOathTimestamp(date: Date): string {
  return (
    `${pad(date.getFullYear(), 4)}-${pad(date.getMonth() + 1, 2)}-${pad(date.getDate(), 2)}` +
    `T${pad(date.getHours(), 2)}:${pad(date.getMinutes(), 2)}:${pad(date.getSeconds(), 2)}L`
  );
}

/**
 * Parses a timestamp field. Stricter than strptime(3): exactly the form liboath writes, with field
 * ranges checked.
 *
 * @param field - the field text
 * @returns the instant (local time), or undefined when the text is not a timestamp
 * @example
 * parseOathTimestamp('2026-11-22T05:30:27L'); // Date for 05:30:27 local time
 */
export function parseOathTimestamp(field: string): Date | undefined {
  const m = PATTERN.exec(field);
  if (m === null) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return undefined;
  const date = new Date(year, month - 1, day, hour, minute, Math.min(second, 59));
  if (date.getDate() !== day) return undefined; // 31 February and the like
  return date;
}
