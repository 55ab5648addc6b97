/** Asserts that a configuration text is refused with a schema (or syntax) error naming file, line and key. */
import { expect } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config/index.js';

export const CONFIG_FILE = '/etc/otpd/otpd.conf';

export function expectConfigError(text: string, pattern: RegExp, expected: { line?: number; keyPath?: string; reason?: string } = {}): ConfigError {
  let caught: unknown;
  try {
    parseConfig(text, CONFIG_FILE);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ConfigError);
  const error = caught as ConfigError;
  expect(error.code).toBe('CONFIG_ERROR');
  expect(error.message).toMatch(pattern);
  expect(error.message.startsWith(CONFIG_FILE)).toBe(true);
  if ('line' in expected) expect(error.line).toBe(expected.line);
  if ('keyPath' in expected) expect(error.keyPath).toBe(expected.keyPath);
  expect(error.reason).toBe(expected.reason ?? 'schema');
  return error;
}
