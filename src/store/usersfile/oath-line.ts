/**
 * HOTP/TOTP lines: `TYPE USER PASSWORD HEXKEY [COUNTER [LASTOTP [TIMESTAMP]]]`, read with pam_oath's
 * rules and rewritten exactly as pam_oath rewrites them after a success:
 * `type\tuser\tpasswd\tkey\tcounter\totp\ttimestamp\n` — the first four fields copied byte for byte,
 * fields after the seventh dropped, the line end always `\n`.
 *
 * Stricter than liboath (which returns an error for the whole login only when it reaches the line):
 * the key must be 1–32 bytes of hex (liboath's buffer holds 32), the counter plain decimal, the
 * timestamp exactly liboath's format.
 */
import { parseHexKey } from '../../encoding/key.js';
import type { EntryCommon, OathEntry, OathState } from './entry.js';
import { LineProblem } from './entry.js';
import { readDecimal, readPassword, readTimestamp, validated } from './fields.js';
import type { OathType } from './oath-type.js';
import { formatOathTimestamp } from './timestamp.js';

/** liboath's key buffer (`char secret[32]` in usersfile.c). */
export const PAM_OATH_MAX_KEY_BYTES = 32;

/**
 * Parses the fields of an OATH line whose type is already recognised.
 *
 * @param type - the recognised type
 * @param common - line, raw, user, fields, meta
 * @returns the entry
 * @throws LineProblem naming the field
 */
export function parseOathLine(type: OathType, common: EntryCommon): OathEntry {
  const [, , passwordField, keyField, counterField, lastOtp, timeField] = common.fields;
  const password = readPassword(passwordField, 'HOTP');
  if (keyField === undefined) throw new LineProblem('HOTP line has no key');
  const key = validated('HOTP', () => parseHexKey(keyField, 'key'));
  if (key.length > PAM_OATH_MAX_KEY_BYTES) {
    throw new LineProblem(`HOTP key is ${key.length} bytes; pam_oath reads at most ${PAM_OATH_MAX_KEY_BYTES}`);
  }
  const counter = counterField === undefined ? 0 : readDecimal(counterField, 'HOTP counter');
  const lastTime = readTimestamp(timeField, 'HOTP');
  return { ...common, kind: 'oath', type, password, key, counter, lastOtp, lastTime };
}

/**
 * The line pam_oath would write for this entry after accepting `state.lastOtp`.
 *
 * @param entry - the entry as read
 * @param state - the new counter, code and time
 * @returns the new line, binary string, ending in `\n`
 */
export function renderOathLine(entry: OathEntry, state: OathState): string {
  const [type = '', user = '', passwd = '-', key = '-'] = entry.fields;
  const otp = Buffer.from(state.lastOtp, 'utf8').toString('latin1');
  return `${type}\t${user}\t${passwd}\t${key}\t${state.counter}\t${otp}\t${formatOathTimestamp(state.time)}\n`;
}
