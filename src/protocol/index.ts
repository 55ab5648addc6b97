/**
 * The otpd wire protocol, TypeScript side (docs/protocol.md; the C side is pam/otpd_protocol.h and
 * pam/wire.c): constants, typed messages, `encodeFrame`/`decodeFrame`, and the daemon's `FrameReader`.
 */
export * from './constants.js';
export type * from './messages.js';
export { ProtocolError, type ProtocolErrorReason } from './errors.js';
export { decodeFrame, encodeFrame, peekFrameLength } from './codec.js';
export { FrameReader, type FrameReaderOptions } from './reader.js';
