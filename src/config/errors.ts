/**
 * Errors of the configuration file. Every one is an {@link OtpdError}; `reason` says what failed
 * without parsing prose, and the message reads like a compiler's: `FILE:LINE: key.path: problem`.
 *
 * The family's {@link ErrorCodes} has no configuration code yet, so these carry `INVALID_INPUT` as
 * their `code` (as the store's errors do) and the precise cause in `reason`.
 */
import { ErrorCodes, OtpdError } from '../errors.js';

/** What went wrong with a configuration file. Stable strings. */
export const ConfigErrorReasons = Object.freeze({
  /** Not valid TOML. */
  SYNTAX: 'syntax',
  /** Valid TOML, but a key is unknown, has the wrong type or an unacceptable value. */
  SCHEMA: 'schema',
  /** The file's type, owner or mode is unsafe. */
  INSECURE: 'insecure',
  /** The file could not be opened or read (including: given explicitly but missing). */
  IO: 'io',
} as const);

export type ConfigErrorReason = (typeof ConfigErrorReasons)[keyof typeof ConfigErrorReasons];

/**
 * A configuration file that cannot be used.
 *
 * @example
 * // /etc/otpd/otpd.conf:7: windows.hotp_look_ahead: must be an integer from 0 to 1000, got 5000
 */
export class ConfigError extends OtpdError {
  readonly reason: ConfigErrorReason;
  /** The file as given. */
  readonly file: string;
  /** The dotted key path (`windows.hotp_look_ahead`), when the problem is one key. */
  readonly keyPath: string | undefined;
  /** 1-based line, when known. */
  readonly line: number | undefined;
  /** The problem alone, without file, line and key. */
  readonly problem: string;

  constructor(
    reason: ConfigErrorReason,
    file: string,
    problem: string,
    where: { keyPath?: string | undefined; line?: number | undefined } = {},
    options?: { cause?: unknown },
  ) {
    const place = where.line === undefined ? file : `${file}:${where.line}`;
    const key = where.keyPath === undefined || where.keyPath === '' ? '' : `${where.keyPath}: `;
    super(ErrorCodes.CONFIG_ERROR, `${place}: ${key}${problem}`, options);
    this.reason = reason;
    this.file = file;
    this.keyPath = where.keyPath;
    this.line = where.line;
    this.problem = problem;
  }
}
