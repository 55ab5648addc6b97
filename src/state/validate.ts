/**
 * Checks at the boundary of the state API: times, policies and strings. @internal
 */
import { InvalidInputError } from '../errors.js';

/** Unix seconds: finite and ≥ 0 (fractions allowed). */
export function checkTime(field: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new InvalidInputError(field, `must be a finite number of seconds ≥ 0, got ${String(value)}`);
  }
  return value;
}

/** A whole number ≥ 0 (counts, limits, durations in seconds). */
export function checkCount(field: string, value: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new InvalidInputError(field, `must be a whole number ≥ 0, got ${String(value)}`);
  }
  return value;
}

/** A boolean. */
export function checkFlag(field: string, value: boolean): boolean {
  if (typeof value !== 'boolean') throw new InvalidInputError(field, `must be true or false, got ${typeof value}`);
  return value;
}
