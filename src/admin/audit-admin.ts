/**
 * One audit line for each change an administrator makes with otpctl (users, tokens, lock-outs), in
 * the log the configuration names, beside the logins' lines (docs/audit.md). Never a key, code, PIN
 * or pass phrase: the event names the user, the token and a fixed sentence.
 */
import { openAuditLog, type AuditEvent } from '../audit/index.js';
import type { OtpdConfig } from '../config/index.js';

/**
 * @param config - where the audit log is (`audit_log`)
 * @param event - the change
 * @throws AuditSinkError when the line cannot be written (the change itself is already made)
 */
export async function auditAdmin(config: OtpdConfig, event: AuditEvent): Promise<void> {
  const audit = await openAuditLog(config.auditLog);
  try {
    await audit.record(event);
  } finally {
    await audit.close();
  }
}
