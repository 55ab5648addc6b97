/**
 * The audit codes: one per kind of decision, stable because administrators grep and alert on them.
 * See docs/audit.md. Never rename a code; add new ones.
 */

/** syslog severities used by the audit log (RFC 5424 §6.2.1 numbers in {@link SEVERITY_NUMBERS}). */
export type AuditSeverity = 'err' | 'warning' | 'notice' | 'info';

/** RFC 5424 severity numbers. @internal */
export const SEVERITY_NUMBERS: Readonly<Record<AuditSeverity, number>> = Object.freeze({ err: 3, warning: 4, notice: 5, info: 6 });

/** How a decision ended: a login accepted, refused, or a step on the way (a challenge, a warning). */
export type AuditOutcome = 'accept' | 'reject' | 'info';

/** What each code means. */
export interface AuditEventInfo {
  readonly outcome: AuditOutcome;
  readonly severity: AuditSeverity;
  /** One sentence, for docs/audit.md and `otpctl` help. */
  readonly description: string;
}

/**
 * Every audit code, with its outcome and syslog severity. Frozen; the keys are the codes.
 *
 * @example
 * AUDIT_EVENTS.AUTH_USER_LOCKED.severity; // 'warning'
 */
export const AUDIT_EVENTS = Object.freeze({
  AUTH_OK_OTP: info('accept', 'info', 'A one-time password (HOTP, TOTP, mOTP or S/KEY) was accepted.'),
  AUTH_OK_STATIC: info('accept', 'info', 'A static password token was accepted.'),
  AUTH_OK_SESSION: info('accept', 'info', 'An answer was accepted again within an open session.'),
  AUTH_FAILED: info('reject', 'notice', 'The answer was wrong (wrong code, wrong password or PIN, malformed).'),
  AUTH_OTP_ALREADY_USED: info('reject', 'warning', 'The one-time password was already used (a replay).'),
  AUTH_USER_LOCKED: info('reject', 'warning', 'Refused without checking: the user is locked for this service group.'),
  AUTH_LOCKED_NOW: info('reject', 'warning', 'This failure reached the limit: the user is now locked for this service group.'),
  AUTH_TOKEN_MISSING: info('reject', 'notice', 'The user has no token allowed for this service.'),
  AUTH_USER_UNKNOWN: info('reject', 'notice', 'The user is not in the store.'),
  AUTH_CLIENT_DISABLED: info('reject', 'notice', 'Refused without checking: the client the request came from is disabled ([clients.NAME] enabled = false).'),
  AUTH_SKEY_CHALLENGE: info('info', 'info', 'An S/KEY challenge was issued.'),
  AUTH_SKEY_REINIT: info('accept', 'notice', 'An S/KEY token was re-initialised remotely (RFC 2243 init-hex/init-word).'),
  AUTH_SKEY_PENDING: info('reject', 'notice', 'Refused: another S/KEY challenge is pending for the user (RFC 2289 §10).'),
  AUTH_SKEY_LOW: info('info', 'warning', 'An S/KEY token has few responses left; it should be re-initialised.'),
  AUTH_SKEY_EXHAUSTED: info('reject', 'warning', 'An S/KEY token is used up and must be re-initialised.'),
  AUTH_STORE_ERROR: info('reject', 'err', 'The store or state could not be read or written; the login was refused.'),
  AUTH_INTERNAL_ERROR: info('reject', 'err', 'An unexpected error; the login was refused.'),
  AUTH_VERDICT_UNDELIVERED: info(
    'info',
    'warning',
    'A decision was made but the client had gone before its verdict arrived (the PAM module gave up, usually at its timeout); the login did not happen, and an accepted code is used up.',
  ),
  AUTH_ABORTED: info('reject', 'notice', 'The login ended before an answer was checked (client gone, deadline, protocol error or shutdown); refused.'),
  ADMIN_UNLOCK: info('info', 'notice', 'An administrator unlocked a user.'),
  ADMIN_LOCK: info('info', 'notice', 'An administrator locked a user out (until unlocked).'),
  ADMIN_USER_ADD: info('info', 'notice', 'An administrator added a user.'),
  ADMIN_USER_DEL: info('info', 'notice', 'An administrator deleted a user and their tokens, sessions and lock-outs.'),
  ADMIN_TOKEN_ADD: info('info', 'notice', 'An administrator enrolled (or re-initialised) a token.'),
  ADMIN_TOKEN_DEL: info('info', 'notice', 'An administrator deleted a token.'),
  ADMIN_TOKEN_CHANGE: info('info', 'notice', 'An administrator changed a token: enabled or disabled it, set its groups, or resynchronised it.'),
} as const);

/** An audit code. */
export type AuditCode = keyof typeof AUDIT_EVENTS;

/**
 * Whether `value` is an audit code.
 *
 * @param value - any string
 * @returns true for a key of {@link AUDIT_EVENTS}
 */
export function isAuditCode(value: string): value is AuditCode {
  return Object.hasOwn(AUDIT_EVENTS, value);
}

function info(outcome: AuditOutcome, severity: AuditSeverity, description: string): AuditEventInfo {
  return Object.freeze({ outcome, severity, description });
}
