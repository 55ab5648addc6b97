/**
 * The protocol's messages as typed objects, one variant per message type (docs/protocol.md,
 * "Messages"). Optional string items are absent, never empty; only ANSWER's `response` may be `''`.
 */
import type { StyleName, VerdictName } from './constants.js';

/** Both ways, first on every connection. `version` is the header's status field. */
export interface HelloMessage {
  readonly type: 'HELLO';
  readonly version: number;
}

/** Client → daemon, once, after the HELLOs. */
export interface AuthStartMessage {
  readonly type: 'AUTH_START';
  readonly service: string;
  readonly user: string;
  readonly rhost?: string;
  readonly tty?: string;
  /** The password+OTP an earlier module set (try_first_pass / use_first_pass). A secret. */
  readonly authtok?: string;
  /** `Flag` bits; present (even 0) or absent, kept as received. */
  readonly flags?: number;
}

/** Daemon → client: one PAM conversation step. */
export interface ConvMessage {
  readonly type: 'CONV';
  readonly style: StyleName;
  readonly text: string;
}

/** Client → daemon: the user's response to a prompt, or `''` to acknowledge an info or error message. */
export interface AnswerMessage {
  readonly type: 'ANSWER';
  readonly response: string;
}

/** Daemon → client, last: the verdict. */
export interface ResultMessage {
  readonly type: 'RESULT';
  readonly verdict: VerdictName;
}

/** Either way, then close. `code` is a `WireErrorCode` (any non-zero u16 is carried). */
export interface ErrorMessage {
  readonly type: 'ERROR';
  readonly code: number;
  /** For logs; never a secret. */
  readonly message?: string;
}

export type Message = HelloMessage | AuthStartMessage | ConvMessage | AnswerMessage | ResultMessage | ErrorMessage;
