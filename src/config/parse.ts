/**
 * Reads the TOML configuration into a frozen, normalised {@link OtpdConfig}: validated once here, at
 * the boundary, so the rest of otpd never sees snake_case keys, duration strings or missing values.
 */
import { messageOf } from '../errors.js';
import { isAbsolute } from 'node:path';
import { TomlError, parse as parseToml } from 'smol-toml';
import type { AuditTarget } from '../audit/index.js';
import { ConfigError, ConfigErrorReasons } from './errors.js';
import { locateKeys } from './locate.js';
import { Reader } from './reader.js';
import { buildAccess } from './access.js';
import { CONFIG_LIMITS } from './limits.js';
import type { OtpdConfig } from './types.js';

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
  read.keys(document, [], ['store', 'state_dir', 'audit_log', 'windows', 'lockout', 'groups', 'clients']);
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
  const { groups, clients, serviceGroups } = buildAccess(read.table(document, [], 'groups'), read.table(document, [], 'clients'), lockout, read);
  return Object.freeze({
    store: read.absolutePath(document, [], 'store', '/etc/users.oath'),
    stateDir: read.absolutePath(document, [], 'state_dir', '/var/lib/otpd'),
    auditLog: auditTarget(document, read),
    windows,
    lockout,
    groups,
    clients,
    serviceGroups,
  });
}

function auditTarget(document: Record<string, unknown>, read: Reader): AuditTarget {
  const value = read.string(document, [], 'audit_log', 'syslog');
  if (value === 'syslog' || value === 'stderr') return Object.freeze({ kind: value });
  if (!isAbsolute(value)) throw read.fail(['audit_log'], `must be "syslog", "stderr" or an absolute file path, got ${JSON.stringify(value)}`);
  return Object.freeze({ kind: 'file', path: value });
}

/** Every default, deep-frozen: what an empty or missing default file gives. */
export const DEFAULT_CONFIG: OtpdConfig = parseConfig('', '(defaults)');
