/**
 * Parsers for command-line values. yargs hands us strings; these turn them into validated numbers
 * with errors that name the option, so `-c abc` says `counter: …` rather than producing NaN.
 */
import { InvalidInputError } from '../errors.js';

/**
 * @param text - decimal digits, optionally signed when `min` < 0
 * @throws InvalidInputError naming `field` when not an integer in `min ..= max`
 */
export function parseInteger(text: string | number, field: string, min: number, max: number): number {
  const raw = String(text).trim();
  if (!/^[+-]?\d+$/.test(raw)) throw new InvalidInputError(field, `must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new InvalidInputError(field, `must be between ${min} and ${max}, got ${raw}`);
  }
  return value;
}

/**
 * A UNIX time in seconds, as oathtool's `-N @SECONDS` or plain `SECONDS`.
 * @throws InvalidInputError naming `field`
 */
export function parseUnixSeconds(text: string | number, field = 'now'): number {
  return parseInteger(String(text).replace(/^@/, ''), field, 0, 2 ** 40);
}

const DURATION_UNITS: Readonly<Record<string, number>> = Object.freeze({ '': 1, s: 1, m: 60, h: 3600 });

/**
 * A TOTP time step: `30`, `30s`, `1m` or `1h` (oathtool writes `30s`).
 * @throws InvalidInputError naming `field` when not 1 s .. 24 h
 */
export function parseDurationSeconds(text: string | number, field = 'step'): number {
  const match = /^(\d+)([smh]?)$/.exec(String(text).trim());
  const unit = match ? DURATION_UNITS[match[2] ?? ''] : undefined;
  if (!match || unit === undefined) throw new InvalidInputError(field, `must be seconds like 30, 30s, 1m or 1h, got "${String(text)}"`);
  return parseInteger(Number(match[1]) * unit, field, 1, 86_400);
}
