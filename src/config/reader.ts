/**
 * Typed access to a parsed TOML document: each read checks one key's type and range and fails with a
 * ConfigError naming the file, the line (where it can be found) and the key path.
 * @internal
 */
import { isAbsolute } from 'node:path';
import { TomlDate } from 'smol-toml';
import { parseDuration } from './duration.js';
import { ConfigError, ConfigErrorReasons } from './errors.js';
import type { KeyLines } from './locate.js';

/** Typed access to the parsed document, with errors that name file, line and key path. @internal */
export class Reader {
  constructor(
    private readonly file: string,
    private readonly lines: KeyLines,
  ) {}

  fail(path: readonly string[], problem: string): ConfigError {
    return new ConfigError(ConfigErrorReasons.SCHEMA, this.file, problem, { keyPath: keyPath(path), line: this.lines.lineOf(path) });
  }

  keys(table: Record<string, unknown>, path: readonly string[], allowed: readonly string[]): void {
    for (const key of Object.keys(table)) {
      if (!allowed.includes(key)) throw this.fail([...path, key], `unknown key (expected one of: ${allowed.join(', ')})`);
    }
  }

  private value(table: Record<string, unknown>, key: string): unknown {
    return Object.hasOwn(table, key) ? table[key] : undefined;
  }

  table(table: Record<string, unknown>, path: readonly string[], key: string): Record<string, unknown> {
    const value = this.value(table, key);
    if (value === undefined) return {};
    if (!isTable(value)) throw this.fail([...path, key], `must be a table, got ${describe(value)}`);
    return value;
  }

  integer(table: Record<string, unknown>, path: readonly string[], key: string, fallback: number, min: number, max: number): number {
    const value = this.value(table, key);
    if (value === undefined) return fallback;
    if (typeof value !== 'bigint') throw this.fail([...path, key], `must be an integer, got ${describe(value)}`);
    if (value < BigInt(min) || value > BigInt(max)) throw this.fail([...path, key], `must be an integer from ${min} to ${max}, got ${value}`);
    return Number(value);
  }

  boolean(table: Record<string, unknown>, path: readonly string[], key: string, fallback: boolean): boolean {
    const value = this.value(table, key);
    if (value === undefined) return fallback;
    if (typeof value !== 'boolean') throw this.fail([...path, key], `must be true or false, got ${describe(value)}`);
    return value;
  }

  string(table: Record<string, unknown>, path: readonly string[], key: string, fallback: string): string {
    const value = this.value(table, key);
    if (value === undefined) return fallback;
    if (typeof value !== 'string') throw this.fail([...path, key], `must be a string, got ${describe(value)}`);
    return value;
  }

  absolutePath(table: Record<string, unknown>, path: readonly string[], key: string, fallback: string): string {
    const value = this.string(table, path, key, fallback);
    if (!isAbsolute(value) || value.includes('\0')) throw this.fail([...path, key], `must be an absolute path, got ${JSON.stringify(value)}`);
    return value;
  }

  duration(table: Record<string, unknown>, path: readonly string[], key: string, fallback: number): number {
    const value = this.value(table, key);
    if (value === undefined) return fallback;
    if (typeof value === 'bigint') {
      if (value < 0n || value > 366n * 86_400n) throw this.fail([...path, key], `must be from 0 to 366 days in seconds, got ${value}`);
      return Number(value);
    }
    if (typeof value !== 'string') throw this.fail([...path, key], `must be a duration such as "15m" or "0", got ${describe(value)}`);
    try {
      return parseDuration(value);
    } catch (error) {
      throw this.fail([...path, key], (error as Error).message);
    }
  }

  stringArray(table: Record<string, unknown>, path: readonly string[], key: string): string[] {
    const value = this.value(table, key);
    if (value === undefined) return [];
    if (!Array.isArray(value)) throw this.fail([...path, key], `must be an array of strings, got ${describe(value)}`);
    return value.map((item: unknown, index) => {
      if (typeof item !== 'string') throw this.fail([...path, key], `item ${index + 1} must be a string, got ${describe(item)}`);
      return item;
    });
  }
}

function isTable(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof TomlDate);
}

function describe(value: unknown): string {
  if (typeof value === 'bigint') return `the integer ${value}`;
  if (typeof value === 'number') return `the float ${value}`;
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  if (typeof value === 'boolean') return `${value}`;
  if (Array.isArray(value)) return 'an array';
  if (value instanceof TomlDate) return 'a date';
  return 'a table';
}

/** `groups.mail.session`, quoting a part that is not a bare key. */
function keyPath(path: readonly string[]): string {
  return path.map((part) => (/^[A-Za-z0-9_-]+$/.test(part) ? part : JSON.stringify(part))).join('.');
}
