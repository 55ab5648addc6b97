/**
 * Reads the TOML configuration into a frozen, normalised {@link OtpdConfig}: validated once here, at
 * the boundary, so the rest of otpd never sees snake_case keys, duration strings or missing values.
 */
import { messageOf } from '../errors.js';
import { isAbsolute } from 'node:path';
import { TomlDate, TomlError, parse as parseToml } from 'smol-toml';
import type { AuditTarget } from '../audit/index.js';
import { MAX_MOTP_DRIFT_SECONDS, MAX_WINDOW } from '../bounds.js';
import { parseDuration } from './duration.js';
import { ConfigError, ConfigErrorReasons } from './errors.js';
import { type KeyLines, locateKeys } from './locate.js';
import type { GroupConfig, OtpdConfig, SessionConfig } from './types.js';

/** The name of the group that holds every service not listed in another group. */
export const DEFAULT_GROUP = 'default';

/** Bounds of the numeric settings. Frozen. */
export const CONFIG_LIMITS = Object.freeze({
  hotpLookAhead: MAX_WINDOW,
  totpSteps: MAX_WINDOW,
  motpSeconds: MAX_MOTP_DRIFT_SECONDS,
  /** S/KEY sequences rarely exceed 9999 (OPIE's limit). */
  skeyWarnBelow: 9999,
  maxFail: 1000,
  maxLogins: 1_000_000,
  /** Largest configuration file read, in bytes. */
  fileBytes: 1024 * 1024,
} as const);

const DEFAULT_SESSION: SessionConfig = Object.freeze({
  enabled: false,
  timeoutSeconds: 8 * 3600,
  unusedTimeoutSeconds: 30 * 60,
  maxLogins: 0,
  matchRhost: true,
});

/** Group names: what a bare TOML key allows, at most 64 characters. */
const GROUP_NAME = /^[A-Za-z0-9_-]{1,64}$/;
/** PAM service names are file names in /etc/pam.d. */
const SERVICE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.+-]{0,63}$/;

/**
 * Checks and normalises a configuration text. Pure: reads no file, touches no clock.
 *
 * Every key is optional; see docs/config.md for the keys and their defaults. Unknown keys, wrong
 * types and out-of-range values are errors naming the file, the line (where it can be found) and the
 * key path.
 *
 * @param text - the TOML document
 * @param fileName - used in error messages only
 * @returns the deep-frozen configuration
 * @throws ConfigError with reason `syntax` (not TOML) or `schema` (a key is unknown or wrong)
 * @example
 * const config = parseConfig('[lockout]\nmax_fail = 3\n', '/etc/otpd/otpd.conf');
 * config.lockout.maxFail; // 3
 * config.lockout.unlockAfterSeconds; // 900
 */
export function parseConfig(text: string, fileName: string): OtpdConfig {
  let document: Record<string, unknown>;
  try {
    document = parseToml(text, { integersAsBigInt: true, unsafeKeyBehaviour: 'throw', maxDepth: 16 });
  } catch (error) {
    if (error instanceof TomlError) {
      const first = (error.message.split('\n')[0] ?? '').replace(/^Invalid TOML document: /, '');
      throw new ConfigError(ConfigErrorReasons.SYNTAX, fileName, `${first} (column ${error.column})`, { line: error.line }, { cause: error });
    }
    const message = messageOf(error);
    throw new ConfigError(ConfigErrorReasons.SYNTAX, fileName, message, {}, { cause: error });
  }
  return build(document, new Reader(fileName, locateKeys(text)));
}

function build(document: Record<string, unknown>, read: Reader): OtpdConfig {
  read.keys(document, [], ['store', 'state_dir', 'audit_log', 'windows', 'lockout', 'groups']);
  const windowsTable = read.table(document, [], 'windows');
  const lockoutTable = read.table(document, [], 'lockout');
  read.keys(windowsTable, ['windows'], ['hotp_look_ahead', 'totp_steps', 'motp_seconds', 'skey_warn_below']);
  read.keys(lockoutTable, ['lockout'], ['max_fail', 'unlock_after']);
  const windows = Object.freeze({
    hotpLookAhead: read.integer(windowsTable, ['windows'], 'hotp_look_ahead', 5, 0, CONFIG_LIMITS.hotpLookAhead),
    totpSteps: read.integer(windowsTable, ['windows'], 'totp_steps', 1, 0, CONFIG_LIMITS.totpSteps),
    motpSeconds: read.integer(windowsTable, ['windows'], 'motp_seconds', 180, 0, CONFIG_LIMITS.motpSeconds),
    skeyWarnBelow: read.integer(windowsTable, ['windows'], 'skey_warn_below', 10, 0, CONFIG_LIMITS.skeyWarnBelow),
  });
  const lockout = Object.freeze({
    maxFail: read.integer(lockoutTable, ['lockout'], 'max_fail', 5, 0, CONFIG_LIMITS.maxFail),
    unlockAfterSeconds: read.duration(lockoutTable, ['lockout'], 'unlock_after', 15 * 60),
  });
  const { groups, serviceGroups } = buildGroups(read.table(document, [], 'groups'), read);
  return Object.freeze({
    store: read.absolutePath(document, [], 'store', '/etc/users.oath'),
    stateDir: read.absolutePath(document, [], 'state_dir', '/var/lib/otpd'),
    auditLog: auditTarget(document, read),
    windows,
    lockout,
    groups,
    serviceGroups,
  });
}

function auditTarget(document: Record<string, unknown>, read: Reader): AuditTarget {
  const value = read.string(document, [], 'audit_log', 'syslog');
  if (value === 'syslog' || value === 'stderr') return Object.freeze({ kind: value });
  if (!isAbsolute(value)) throw read.fail(['audit_log'], `must be "syslog", "stderr" or an absolute file path, got ${JSON.stringify(value)}`);
  return Object.freeze({ kind: 'file', path: value });
}

function buildGroups(table: Record<string, unknown>, read: Reader): Pick<OtpdConfig, 'groups' | 'serviceGroups'> {
  const groups: Record<string, GroupConfig> = Object.create(null) as Record<string, GroupConfig>;
  const serviceGroups: Record<string, string> = Object.create(null) as Record<string, string>;
  const names = Object.keys(table);
  if (!names.includes(DEFAULT_GROUP)) names.push(DEFAULT_GROUP);
  for (const name of names) {
    const path = ['groups', name];
    if (!GROUP_NAME.test(name)) throw read.fail(path, 'a group name is 1 to 64 letters, digits, "_" or "-"');
    const group = read.table(table, ['groups'], name);
    read.keys(group, path, ['services', 'session']);
    const services = read.stringArray(group, path, 'services');
    services.forEach((service, index) => {
      if (!SERVICE_NAME.test(service)) {
        throw read.fail([...path, 'services'], `item ${index + 1}: ${JSON.stringify(service)} is not a PAM service name`);
      }
      const other = Object.hasOwn(serviceGroups, service) ? serviceGroups[service] : undefined;
      if (other !== undefined) {
        throw read.fail(
          [...path, 'services'],
          `service ${JSON.stringify(service)} is already in group ${JSON.stringify(other)}; a service belongs to one group`,
        );
      }
      serviceGroups[service] = name;
    });
    groups[name] = Object.freeze({ name, services: Object.freeze(services), session: buildSession(group, [...path, 'session'], read) });
  }
  return { groups: Object.freeze(groups), serviceGroups: Object.freeze(serviceGroups) };
}

function buildSession(group: Record<string, unknown>, path: string[], read: Reader): SessionConfig {
  const parent = path.slice(0, -1);
  if (!Object.hasOwn(group, 'session')) return DEFAULT_SESSION;
  const table = read.table(group, parent, 'session');
  read.keys(table, path, ['enabled', 'timeout', 'unused_timeout', 'max_logins', 'match_rhost']);
  const timeoutSeconds = read.duration(table, path, 'timeout', DEFAULT_SESSION.timeoutSeconds);
  if (timeoutSeconds === 0) throw read.fail([...path, 'timeout'], 'must be longer than 0 (to turn sessions off, set enabled = false)');
  return Object.freeze({
    enabled: read.boolean(table, path, 'enabled', DEFAULT_SESSION.enabled),
    timeoutSeconds,
    unusedTimeoutSeconds: read.duration(table, path, 'unused_timeout', DEFAULT_SESSION.unusedTimeoutSeconds),
    maxLogins: read.integer(table, path, 'max_logins', DEFAULT_SESSION.maxLogins, 0, CONFIG_LIMITS.maxLogins),
    matchRhost: read.boolean(table, path, 'match_rhost', DEFAULT_SESSION.matchRhost),
  });
}

/** Typed access to the parsed document, with errors that name file, line and key path. @internal */
class Reader {
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

/** Every default, deep-frozen: what an empty or missing default file gives. */
export const DEFAULT_CONFIG: OtpdConfig = parseConfig('', '(defaults)');
