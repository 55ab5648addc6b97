/**
 * The audit log — one `key=value` line per authentication decision with a stable code, to syslog
 * (AUTHPRIV), a file or stderr — and explain mode. See docs/audit.md.
 */
export { AUDIT_EVENTS, type AuditCode, type AuditEventInfo, type AuditOutcome, type AuditSeverity, isAuditCode } from './events.js';
export { AUDIT_FIELDS, type AuditEvent, formatAuditLine, MAX_AUDIT_VALUE_LENGTH, quoteValue } from './format.js';
export { type AuditSink, AuditSinkError } from './sink.js';
export { createStreamSink, openAuditSink, openFileSink } from './sinks.js';
export { authprivPriority, createSyslogSink, type SyslogFacility, type SyslogSinkOptions, syslogPriority } from './syslog-sink.js';
export { type AuditLog, type AuditLogOptions, createAuditLog, openAuditLog } from './log.js';
export { createExplain, type Explain, formatExplain, NO_EXPLAIN } from './explain.js';
export type { AuditTarget } from './target.js';
