/**
 * The otpd wire protocol's constants, mirrored from `pam/otpd_protocol.h` (the specification is
 * docs/protocol.md). test/unit/protocol/constants.test.ts reads the header and checks that every
 * `#define` there has the same value here and every value here has its `#define`, so the two cannot drift.
 */
import { LONGEST_CONVERSATION_SECONDS } from '../bounds.js';

/** Sent in the status field of HELLO on every new connection. */
export const PROTOCOL_VERSION = 1;

/** Markers and fixed sizes (bytes). */
export const Framing = Object.freeze({
  START_MARKER: 0x4f545044, // "OTPD"
  END_MARKER: 0x2e454e44, // ".END"
  HEADER_SIZE: 12,
  TRAILER_SIZE: 4,
  ITEM_HEADER_SIZE: 4,
  MIN_FRAME: 16,
} as const);

/** Limits. MAX_STRING counts the NUL. MAX_STEPS bounds the CONV messages of one conversation. */
export const Limits = Object.freeze({
  MAX_FRAME: 8192,
  MAX_ITEMS: 16,
  MAX_STRING: 1024,
  MAX_STEPS: 16,
} as const);

/** Default deadlines (milliseconds); docs/protocol.md, "Deadlines". */
export const Deadlines = Object.freeze({
  CLIENT_TIMEOUT_MS: 10_000,
  HANDSHAKE_MS: 5_000,
  PARTIAL_FRAME_MS: 2_000,
  CONVERSATION_MS: LONGEST_CONVERSATION_SECONDS * 1000,
} as const);

export const MessageType = Object.freeze({
  HELLO: 1,
  AUTH_START: 2,
  CONV: 3,
  ANSWER: 4,
  RESULT: 5,
  ERROR: 6,
} as const);
export type MessageTypeName = keyof typeof MessageType;

export const ItemType = Object.freeze({
  SERVICE: 1,
  USER: 2,
  RHOST: 3,
  TTY: 4,
  AUTHTOK: 5,
  FLAGS: 6,
  TEXT: 7,
  RESPONSE: 8,
  MESSAGE: 9,
} as const);
export type ItemTypeName = keyof typeof ItemType;

/** AUTH_START flag bits; any other bit is refused. */
export const Flag = Object.freeze({
  NO_INFO: 0x1,
  SILENT: 0x2,
  TRY_FIRST_PASS: 0x4,
  USE_FIRST_PASS: 0x8,
  /** The module's `unknown_user=refuse`: an unknown user is refused at once, without a prompt. */
  NO_PROMPT_UNKNOWN: 0x10,
} as const);
export const FLAGS_ALL = 0x1f;

/** CONV styles (equal to Linux-PAM's PAM_PROMPT_ECHO_OFF .. PAM_TEXT_INFO). */
export const Style = Object.freeze({
  PROMPT_ECHO_OFF: 1,
  PROMPT_ECHO_ON: 2,
  ERROR_MSG: 3,
  TEXT_INFO: 4,
} as const);
export type StyleName = keyof typeof Style;

/** RESULT verdicts; 0 is never one. */
export const Verdict = Object.freeze({
  SUCCESS: 1,
  AUTH_ERR: 2,
  USER_UNKNOWN: 3,
  AUTHINFO_UNAVAIL: 4,
  MAXTRIES: 5,
  CRED_INSUFFICIENT: 6,
} as const);
export type VerdictName = keyof typeof Verdict;

/** ERROR codes (the status of an ERROR message). VERSION is frozen across versions. */
export const WireErrorCode = Object.freeze({
  MALFORMED: 1,
  VERSION: 2,
  UNEXPECTED: 3,
  TOO_LARGE: 4,
  TIMEOUT: 5,
  TOO_MANY_STEPS: 6,
  INTERNAL: 7,
  UNAVAILABLE: 8,
  PEER_REFUSED: 9,
} as const);
export type WireErrorName = keyof typeof WireErrorCode;

/**
 * Every constant with the prefix its `#define` has in pam/otpd_protocol.h (`OTPD_` + prefix + key).
 * @internal for the drift test
 */
export const HEADER_MIRROR: ReadonlyArray<readonly [prefix: string, values: Readonly<Record<string, number>>]> = Object.freeze([
  ['', { PROTOCOL_VERSION, FLAGS_ALL }],
  ['', Framing],
  ['', Limits],
  ['', Deadlines],
  ['MSG_', MessageType],
  ['ITEM_', ItemType],
  ['FLAG_', Flag],
  ['STYLE_', Style],
  ['VERDICT_', Verdict],
  ['ERR_', WireErrorCode],
] as const);

/** The name of a numeric value in one of the groups above, or undefined. @internal */
export function nameOf<T extends Readonly<Record<string, number>>>(group: T, value: number): (keyof T & string) | undefined {
  for (const [k, v] of Object.entries(group)) if (v === value) return k;
  return undefined;
}
