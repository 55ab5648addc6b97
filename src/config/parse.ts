/**
 * Reads the TOML configuration into a frozen, normalised {@link OtpdConfig}: validated once here, at
 * the boundary, so the rest of otpd never sees snake_case keys, duration strings or missing values.
 */
import { messageOf } from '../errors.js';
import { isAbsolute } from 'node:path';
import { TomlError, parse as parseToml } from 'smol-toml';
import type { AuditTarget } from '../audit/index.js';
import { MAX_MOTP_DRIFT_SECONDS, MAX_WINDOW } from '../bounds.js';
import { ConfigError, ConfigErrorReasons } from './errors.js';
import { locateKeys } from './locate.js';
import { Reader } from './reader.js';
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

/** Every default, deep-frozen: what an empty or missing default file gives. */
export const DEFAULT_CONFIG: OtpdConfig = parseConfig('', '(defaults)');
