/**
 * What an audit sink is: a destination that takes one finished line (no newline) and its severity —
 * the audit log never hands it anything else — and the error it raises. The sinks themselves:
 * sinks.ts (a file, a stream, the one a configuration names) and syslog-sink.ts.
 */
import { ErrorCodes, OtpdError } from '../errors.js';
import type { AuditSeverity } from './events.js';

/** A destination for finished audit lines. */
export interface AuditSink {
  /** `file`, `stderr` or `syslog`. */
  readonly name: string;
  /**
   * Writes one line. Resolves when the line was handed to the operating system (file: written;
   * stderr: flushed to the stream; syslog: written to `logger`'s pipe).
   */
  write(line: string, severity: AuditSeverity): Promise<void>;
  /** Reopens the destination (a rotated log file); a no-op for the others. */
  reopen(): Promise<void>;
  /** Flushes and releases the destination. Later writes reject. */
  close(): Promise<void>;
}

/**
 * An audit sink could not be opened or written (code `AUDIT_ERROR`); `path` names the file when there
 * is one.
 */
export class AuditSinkError extends OtpdError {
  readonly path: string | undefined;

  constructor(message: string, options?: { cause?: unknown; path?: string }) {
    super(ErrorCodes.AUDIT_ERROR, message, options);
    this.path = options?.path;
  }
}
