/** The one assertion for "this input is refused": an InvalidInputError naming the field, never echoing a secret. */
import { expect } from 'vitest';
import { InvalidInputError } from '../../src/errors.js';

/**
 * Runs `action` and expects it to throw an InvalidInputError for `field` whose message starts with
 * `field: `. `check` is a pattern the message must match, or `{ notContaining }`: text (a key, a pass
 * phrase) that must not appear in it.
 *
 * @returns the error, for further checks
 */
export function expectInvalid(action: () => unknown, field: string, check?: RegExp | { notContaining: string }): InvalidInputError {
  let caught: unknown;
  try {
    action();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(InvalidInputError);
  const error = caught as InvalidInputError;
  expect(error.field).toBe(field);
  expect(error.code).toBe('INVALID_INPUT');
  expect(error.message.startsWith(`${field}: `)).toBe(true);
  if (check instanceof RegExp) expect(error.message).toMatch(check);
  else if (check !== undefined && check.notContaining.length > 0) expect(error.message).not.toContain(check.notContaining);
  return error;
}
