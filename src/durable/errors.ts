/**
 * The one error base of the files otpd keeps durable: a {@link DurableError} names the file and says
 * in `reason` what failed. The users.oath store raises its `StoreError`, the state directory its
 * `StateError`, both subclasses: the file primitives of this folder are given the owner's
 * {@link DurableErrors} and raise the owner's error directly, so nothing translates one into another.
 */
import { OtpdError, type ErrorCode } from '../errors.js';

/** What the file primitives can fail with. Stable strings. */
export const DurableErrorReasons = Object.freeze({
  /** A file's type, owner or mode is unsafe. */
  INSECURE: 'insecure',
  /** A lock is held by a live process and the wait ran out. */
  LOCKED: 'locked',
  /** Reading, writing, syncing or renaming failed. */
  IO: 'io',
} as const);

export type DurableErrorReason = (typeof DurableErrorReasons)[keyof typeof DurableErrorReasons];

/** Base of the store's and the state directory's errors. `file` is the file or directory concerned. */
export class DurableError extends OtpdError {
  readonly reason: string;
  readonly file: string;

  constructor(code: ErrorCode, reason: string, file: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.reason = reason;
    this.file = file;
  }
}

/** How the owner of a file builds the error a primitive raises for it. */
export interface DurableErrors {
  error(reason: DurableErrorReason, file: string, message: string, cause?: unknown): DurableError;
}
