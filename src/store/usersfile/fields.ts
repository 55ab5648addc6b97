/**
 * Field readers shared by the line parsers. Each throws {@link LineProblem} with a message that names
 * the field and never quotes a secret.
 * @internal
 */
import { InvalidInputError } from '../../errors.js';
import { LineProblem } from './entry.js';
import { parsePasswordField, type PasswordSpec } from '../../tokens/password.js';
import { parseOathTimestamp } from './timestamp.js';

/** Reads an unsigned decimal that fits a safe integer. */
export function readDecimal(field: string, what: string): number {
  if (!/^[0-9]{1,16}$/.test(field) || !Number.isSafeInteger(Number(field))) {
    throw new LineProblem(`${what} is not a decimal number up to ${Number.MAX_SAFE_INTEGER}`);
  }
  return Number(field);
}

/** Reads a PASSWORD field. */
export function readPassword(field: string | undefined, what: string): PasswordSpec {
  if (field === undefined) throw new LineProblem(`${what} line has no password field (use - for none)`);
  try {
    return parsePasswordField(field);
  } catch (err) {
    throw new LineProblem(`${what} ${err instanceof InvalidInputError ? err.message : 'password field is invalid'}`);
  }
}

/** Reads an optional TIMESTAMP field. */
export function readTimestamp(field: string | undefined, what: string): Date | undefined {
  if (field === undefined) return undefined;
  const date = parseOathTimestamp(field);
  if (date === undefined) throw new LineProblem(`${what} timestamp is not of the form YYYY-MM-DDTHH:MM:SSL`);
  return date;
}

/** Runs a validator from src/ and rewords its error as a line problem. */
export function validated<T>(what: string, check: () => T): T {
  try {
    return check();
  } catch (err) {
    if (err instanceof InvalidInputError) throw new LineProblem(`${what} ${err.message}`);
    throw err;
  }
}
