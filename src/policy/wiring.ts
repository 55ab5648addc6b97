/**
 * The decision's ports ({@link PolicyPorts}) over real parts — configuration, the users.oath store it
 * names, state directory, audit log, OTP backend, clock, explain — shared by `otpctl verify` (src/cli/policy-context.ts) and the
 * daemon (src/decision/service.ts), so both decide a login the same way.
 */
import type { AuditEvent, AuditLog } from '../audit/index.js';
import type { OtpdConfig } from '../config/index.js';
import type { OtpBackend } from '../otp-backend/backend.js';
import { fileTokenStore } from '../store/index.js';
import type { PolicyPorts, PolicyState } from './ports.js';

/** What {@link policyPorts} wires together. */
export interface PolicyParts {
  readonly config: OtpdConfig;
  readonly state: PolicyState;
  readonly audit: AuditLog;
  readonly backend: OtpBackend;
  /** Milliseconds since the epoch. */
  readonly now: () => number;
  readonly explain: (step: string) => void;
}

/**
 * The decision's ports over real parts. Audit writes are collected: `flush()` waits for those made so
 * far (and rethrows the first failure).
 *
 * @param parts - the real parts
 * @returns the ports and their flush
 */
export function policyPorts(parts: PolicyParts): { ports: PolicyPorts; readonly flush: () => Promise<void> } {
  const pending: Promise<void>[] = [];
  const ports: PolicyPorts = {
    config: parts.config,
    store: fileTokenStore(parts.config.store),
    state: parts.state,
    backend: parts.backend,
    now: () => parts.now() / 1000,
    audit: (event: AuditEvent) => {
      pending.push(parts.audit.record(event));
    },
    explain: parts.explain,
  };
  return {
    ports,
    flush: async () => {
      await Promise.all(pending.splice(0));
    },
  };
}
