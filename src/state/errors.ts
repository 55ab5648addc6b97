/**
 * Errors of the state directory, code `STATE_ERROR`: a {@link DurableError}; `reason` tells callers what failed
 * without parsing prose, `file` names the file or directory concerned. Messages never quote an answer,
 * a tag or the secret.
 */
import { DurableError, type DurableErrors } from '../durable/errors.js';
import { ErrorCodes } from '../errors.js';

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

/** Base of the state directory's errors. `file` is the file or directory concerned. */
export class StateError extends DurableError {
  declare readonly reason: StateErrorReason;

  constructor(reason: StateErrorReason, file: string, message: string, options?: { cause?: unknown }) {
    super(ErrorCodes.STATE_ERROR, reason, file, message, options);
  }
}

/** What the file primitives raise for the state directory. */
export const STATE_ERRORS: DurableErrors = Object.freeze({
  error: (reason: StateErrorReason, file: string, message: string, cause?: unknown) => new StateError(reason, file, message, { cause }),
});
