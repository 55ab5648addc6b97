/**
 * The otpd error family. Every error otpd raises on purpose is an {@link OtpdError}; each carries a
 * stable `code` that survives the socket and the CLI's `--json` output, so scripts never parse prose.
 */

/** Stable error codes. Never renumber or rename: they cross process boundaries. */
export const ErrorCodes = Object.freeze({
  /** Input failed validation; the message names the field. */
  INVALID_INPUT: 'INVALID_INPUT',
  /** The native addon refused or failed an operation it should have accepted. */
  NATIVE_FAILURE: 'NATIVE_FAILURE',
  /** The users.oath store cannot be used (malformed, insecure, locked, unreadable); see StoreError. */
  STORE_ERROR: 'STORE_ERROR',
  /** The configuration file cannot be used; see ConfigError. */
  CONFIG_ERROR: 'CONFIG_ERROR',
  /** The state directory cannot be used; see StateError. */
  STATE_ERROR: 'STATE_ERROR',
  /** A frame or conversation broke the wire protocol (docs/protocol.md); see ProtocolError. */
  PROTOCOL_ERROR: 'PROTOCOL_ERROR',
  /** The audit log cannot be written; see AuditSinkError. */
  AUDIT_ERROR: 'AUDIT_ERROR',
} as const);

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** Base of every otpd error: sets `name` to the subclass and keeps the `cause`. */
export class OtpdError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * Bad input from a user or a file. `field` names what was wrong (`key`, `seed`, `pass phrase`, …) so
 * the message can say what to fix; the message itself never quotes a secret.
 *
 * @example
 * throw new InvalidInputError('seed', 'must be 1 to 16 letters or digits, got 17 characters');
 */
export class InvalidInputError extends OtpdError {
  readonly field: string;

  constructor(field: string, problem: string, options?: { cause?: unknown }) {
    super(ErrorCodes.INVALID_INPUT, `${field}: ${problem}`, options);
    this.field = field;
  }
}

/**
 * The message of anything thrown — an Error's message, else its string form — for a log line or a
 * refusal's reason (escape it where it goes into a log: src/encoding/log-text.ts).
 *
 * @example
 * log(`reload failed: ${messageOf(error)}`);
 */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
