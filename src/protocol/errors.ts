/**
 * Errors of the wire protocol. `reason` names what was wrong in the same words as the C side's
 * `otpd_wire_rc_name` (pam/wire.c), so a frame refused by one side is refused for the same reason by the
 * other; `wireCode` is the ERROR code (docs/protocol.md, "Error codes") to send back before closing.
 */
import { ErrorCodes, OtpdError } from '../errors.js';
import { WireErrorCode } from './constants.js';

/** Why a frame or message was refused. Stable strings. */
export type ProtocolErrorReason =
  | 'bad-marker'
  | 'bad-length'
  | 'too-large'
  | 'too-many-items'
  | 'unknown-type'
  | 'unknown-item'
  | 'bad-string'
  | 'bad-item'
  | 'bad-status'
  | 'version'
  /** FrameReader: a partial frame did not complete in time. */
  | 'timeout'
  /** FrameReader: the stream ended inside a frame. */
  | 'truncated'
  /** FrameReader: a message listener threw. */
  | 'internal';

function wireCodeOf(reason: ProtocolErrorReason): number {
  switch (reason) {
    case 'too-large':
      return WireErrorCode.TOO_LARGE;
    case 'version':
      return WireErrorCode.VERSION;
    case 'timeout':
      return WireErrorCode.TIMEOUT;
    case 'internal':
      return WireErrorCode.INTERNAL;
    default:
      return WireErrorCode.MALFORMED;
  }
}

/**
 * A frame that cannot be decoded, or a message that cannot be encoded.
 *
 * @example
 * new ProtocolError('bad-string', 'item 8 (RESPONSE): no final NUL');
 */
export class ProtocolError extends OtpdError {
  readonly reason: ProtocolErrorReason;
  /** The ERROR code to send to the peer (`WireErrorCode`). */
  readonly wireCode: number;

  constructor(reason: ProtocolErrorReason, message: string, options?: { cause?: unknown }) {
    super(ErrorCodes.PROTOCOL_ERROR, `protocol: ${reason}: ${message}`, options);
    this.reason = reason;
    this.wireCode = wireCodeOf(reason);
  }
}
