/**
 * Errors of the store, code `STORE_ERROR`: a {@link DurableError} whose `reason` tells callers what
 * failed without parsing prose. Messages name the file (and line), never a key, PIN or password.
 */
import { DurableError, type DurableErrors } from '../durable/errors.js';
import { ErrorCodes } from '../errors.js';

/** What went wrong with a store. Stable strings: they may cross the socket later. */
export const StoreErrorReasons = Object.freeze({
  /** A line could not be understood; see {@link StoreLineError}. */
  MALFORMED: 'malformed',
  /** The file's type, owner or mode is unsafe. */
  INSECURE: 'insecure',
  /** The lock is held by a live writer and the wait ran out. */
  LOCKED: 'locked',
  /** Reading, writing, syncing or renaming failed. */
  IO: 'io',
} as const);

export type StoreErrorReason = (typeof StoreErrorReasons)[keyof typeof StoreErrorReasons];

/** Base of the store's errors. `file` is the store's path as given. */
export class StoreError extends DurableError {
  declare readonly reason: StoreErrorReason;

  constructor(reason: StoreErrorReason, file: string, message: string, options?: { cause?: unknown }) {
    super(ErrorCodes.STORE_ERROR, reason, file, message, options);
  }
}

/** What the file primitives raise for the store (and for files edited under the store's rules). */
export const STORE_ERRORS: DurableErrors = Object.freeze({
  error: (reason: StoreErrorReason, file: string, message: string, cause?: unknown) => new StoreError(reason, file, message, { cause }),
});

/**
 * A line of the store that cannot be used, attached to the user it concerns (when the line names
 * one). The message reads `FILE:LINE: problem`, as compilers write it.
 *
 * @example
 * new StoreLineError('/etc/users.oath', 12, 'alice', 'HOTP key is not hex (character 3 of 40)');
 */
export class StoreLineError extends StoreError {
  /** 1-based line number. */
  readonly line: number;
  /** The user named by the line, when it names one. */
  readonly user: string | undefined;
  readonly problem: string;

  constructor(file: string, line: number, user: string | undefined, problem: string, options?: { cause?: unknown }) {
    super(StoreErrorReasons.MALFORMED, file, `${file}:${line}: ${problem}`, options);
    this.line = line;
    this.user = user;
    this.problem = problem;
  }
}
