/** Helpers shared by the S/KEY unit tests. */
import { expect } from 'vitest';
import { InvalidInputError } from '../../../../src/errors.js';

export const hex = (value: Uint8Array): string => Buffer.from(value).toString('hex');
export const fromHex = (text: string): Uint8Array => new Uint8Array(Buffer.from(text.replace(/\s+/g, ''), 'hex'));
export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Runs `action`, expects an InvalidInputError for `field`, and returns its message. */
export function expectInvalid(action: () => unknown, field: string, pattern?: RegExp): string {
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
  if (pattern) expect(error.message).toMatch(pattern);
  return error.message;
}
