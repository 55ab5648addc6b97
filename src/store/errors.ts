/**
 * Errors of the store. Every one is an {@link OtpdError}; `reason` tells callers what failed without
 * parsing prose. Messages name the file (and line), never a key, PIN or password.
 *
 * The family's {@link ErrorCodes} has no store codes yet, so these carry `INVALID_INPUT` as their
 * `code` and the precise cause in `reason`.
 */
import { ErrorCodes, OtpdError } from '../errors.js';

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
export class StoreError extends OtpdError {
  readonly reason: StoreErrorReason;
  readonly file: string;

  constructor(reason: StoreErrorReason, file: string, message: string, options?: { cause?: unknown }) {
    super(ErrorCodes.STORE_ERROR, message, options);
    this.reason = reason;
    this.file = file;
  }
}

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
