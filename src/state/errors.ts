/**
 * Errors of the state directory. Every one is an {@link OtpdError}; `reason` tells callers what failed
 * without parsing prose, `file` names the file or directory concerned. Messages never quote an answer,
 * a tag or the secret.
 */
import { ErrorCodes, OtpdError } from '../errors.js';
import { StoreError } from '../store/errors.js';

/** What went wrong with the state directory. Stable strings. */
export const StateErrorReasons = Object.freeze({
  /** A user's state file (or the secret) cannot be understood; that user's state is unusable. */
  CORRUPT: 'corrupt',
  /** The directory or a file in it has an unsafe type, owner or mode. */
  INSECURE: 'insecure',
  /** A user's lock is held by a live process and the wait ran out. */
  LOCKED: 'locked',
  /** Reading, writing, syncing or renaming failed. */
  IO: 'io',
} as const);

export type StateErrorReason = (typeof StateErrorReasons)[keyof typeof StateErrorReasons];

/** Base of the state directory's errors. */
export class StateError extends OtpdError {
  readonly reason: StateErrorReason;
  /** The file or directory concerned. */
  readonly file: string;

  constructor(reason: StateErrorReason, file: string, message: string, options?: { cause?: unknown }) {
    super(ErrorCodes.STATE_ERROR, message, options);
    this.reason = reason;
    this.file = file;
  }
}

/**
 * Re-raises an error of the store's lock or durable writer as a {@link StateError} with the same
 * reason and message (the store's error stays the `cause`); other errors pass unchanged. @internal
 */
export function asStateError(err: unknown): unknown {
  if (!(err instanceof StoreError)) return err;
  const reason: StateErrorReason =
    err.reason === 'locked' ? StateErrorReasons.LOCKED : err.reason === 'insecure' ? StateErrorReasons.INSECURE : StateErrorReasons.IO;
  return new StateError(reason, err.file, err.message, { cause: err });
}
