/**
 * The audit log: formats a decision into one line and hands it to a sink.
 */
import { AUDIT_EVENTS } from './events.js';
import { type AuditEvent, formatAuditLine } from './format.js';
import type { AuditSink } from './sink.js';
import { openAuditSink } from './sinks.js';
import type { AuditTarget } from './target.js';

/** Records decisions. */
export interface AuditLog {
  /**
   * Writes one line for a decision. Only the fields of {@link AuditEvent} are read.
   *
   * @throws AuditSinkError when the sink fails; the caller decides (the verdict is already durable)
   */
  record(event: AuditEvent): Promise<void>;
  /** Reopens the sink (SIGHUP after log rotation). */
  reopen(): Promise<void>;
  close(): Promise<void>;
}

/** Options of {@link createAuditLog}. */
export interface AuditLogOptions {
  /** The clock; `new Date()` by default. */
  readonly now?: () => Date;
}

/**
 * An audit log over a sink.
 *
 * @param sink - from {@link openAuditSink}, or any {@link AuditSink}
 * @param options - the clock
 * @returns the log
 * @example
 * const audit = createAuditLog(await openAuditSink(config.auditLog));
 * await audit.record({ code: 'AUTH_OK_OTP', user: 'alice', token: 'alice/phone', service: 'sshd', rhost: '192.0.2.7' });
 */
export function createAuditLog(sink: AuditSink, options: AuditLogOptions = {}): AuditLog {
  const now = options.now ?? (() => new Date());
  return {
    record: (event) => sink.write(formatAuditLine(event, now()), AUDIT_EVENTS[event.code].severity),
    reopen: () => sink.reopen(),
    close: () => sink.close(),
  };
}

/**
 * Opens the audit log a configuration names (`config.auditLog`).
 *
 * @param target - syslog, stderr or a file
 * @param options - the clock
 * @returns the log
 * @throws AuditSinkError when a file cannot be opened safely
 */
export async function openAuditLog(target: AuditTarget, options: AuditLogOptions = {}): Promise<AuditLog> {
  return createAuditLog(await openAuditSink(target), options);
}
