/**
 * One audit line per decision: `key=value` pairs in a fixed order. The line is built only from the
 * named fields of {@link AuditEvent}, so nothing else a caller's object carries (an answer, a key)
 * can reach it; every text value is quoted and escaped, so a user name cannot forge fields or lines.
 */
import { escapeChar } from '../encoding/log-text.js';
import { type AuditCode, isAuditCode } from './events.js';

/**
 * The facts of one decision. There is deliberately no field for an answer, code, key, PIN or pass
 * phrase. `reason` is a fixed, secret-free sentence such as a verdict's `message`.
 */
export interface AuditEvent {
  readonly code: AuditCode;
  readonly user?: string | undefined;
  /** The token's name (`alice/phone`), never its key. */
  readonly token?: string | undefined;
  /** The PAM service. */
  readonly service?: string | undefined;
  /** The remote host as PAM reports it. */
  readonly rhost?: string | undefined;
  readonly tty?: string | undefined;
  /** An otpd session id (sessions of `[groups.NAME.session]`). */
  readonly session?: string | undefined;
  /** A short fixed sentence: why. Never the answer. */
  readonly reason?: string | undefined;
  /** The client the request came from (for PAM: the service). */
  readonly client?: string | undefined;
  /** The access group whose rules decided. */
  readonly accessGroup?: string | undefined;
}

/**
 * The fields after `time` and `code`, in the order they are written: their names in the line. Fields
 * added later go at the end, so a parser of the older lines still finds its fields where they were.
 */
export const AUDIT_FIELDS = Object.freeze(['user', 'token', 'service', 'rhost', 'tty', 'session', 'reason', 'client', 'access_group'] as const);

/** Where each field of the line comes from in {@link AuditEvent}. */
const EVENT_KEYS: Readonly<Record<(typeof AUDIT_FIELDS)[number], keyof Omit<AuditEvent, 'code'>>> = Object.freeze({
  user: 'user',
  token: 'token',
  service: 'service',
  rhost: 'rhost',
  tty: 'tty',
  session: 'session',
  reason: 'reason',
  client: 'client',
  access_group: 'accessGroup',
});

/** Longest value written, in code points; longer values are cut and marked (`"…"...`). */
export const MAX_AUDIT_VALUE_LENGTH = 200;

/**
 * Formats one audit line (no newline).
 *
 * `time=<ISO 8601 UTC> code=<CODE>` then every field of {@link AUDIT_FIELDS}: `-` when absent, else a
 * double-quoted string in which `\`, `"`, control characters, line and paragraph separators and
 * bidirectional controls are escaped (`\\`, `\"`, `\n`, `\r`, `\t`, `\xHH`, `\u{HHHH}`). A value cut
 * at {@link MAX_AUDIT_VALUE_LENGTH} is followed by `...` after its closing quote.
 *
 * @param event - the decision
 * @param time - when it was made
 * @returns the line
 * @throws TypeError for an unknown code
 * @example
 * formatAuditLine({ code: 'AUTH_OK_OTP', user: 'alice', service: 'sshd' }, new Date(0));
 * // time=1970-01-01T00:00:00.000Z code=AUTH_OK_OTP user="alice" token=- service="sshd" rhost=- tty=- session=- reason=- client=- access_group=-
 */
export function formatAuditLine(event: AuditEvent, time: Date): string {
  if (typeof event.code !== 'string' || !isAuditCode(event.code)) throw new TypeError(`unknown audit code ${JSON.stringify(event.code)}`);
  const parts = [`time=${time.toISOString()}`, `code=${event.code}`];
  for (const field of AUDIT_FIELDS) parts.push(`${field}=${quoteValue(event[EVENT_KEYS[field]])}`);
  return parts.join(' ');
}

/**
 * Quotes one value as {@link formatAuditLine} does.
 *
 * @param value - the text, or undefined for `-`
 * @returns the quoted, escaped text
 * @internal
 */
export function quoteValue(value: string | number | null | undefined): string {
  if (value === undefined || value === null) return '-';
  const text = String(value);
  const codePoints = Array.from(text);
  const cut = codePoints.length > MAX_AUDIT_VALUE_LENGTH;
  const kept = cut ? codePoints.slice(0, MAX_AUDIT_VALUE_LENGTH) : codePoints;
  return `"${kept.map(escapeChar).join('')}"${cut ? '...' : ''}`;
}
