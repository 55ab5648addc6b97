/**
 * Wires the real parts behind the authentication decision for one otpctl command: the configuration
 * (--config, $OTPD_CONFIG), the store (--store, $OTPD_STORE), the state directory ($OTPD_STATE_DIR,
 * else the configuration's), the audit log and, with -d, the explain collector.
 */
import { createExplain, NO_EXPLAIN, openAuditLog, type Explain } from '../audit/index.js';
import { resolveConfig } from '../config/index.js';
import type { PolicyPorts } from '../policy/ports.js';
import { policyPorts } from '../policy/wiring.js';
import { openStateDir } from '../state/index.js';
import type { CliDeps } from './deps.js';
import type { GlobalArguments } from './global-options.js';

export interface PolicyContext {
  readonly ports: PolicyPorts;
  readonly explain: Explain;
  /** Waits for the audit lines and closes the log. */
  close(): Promise<void>;
}

export async function openPolicyContext(argv: GlobalArguments, deps: CliDeps, options: { explain: boolean }): Promise<PolicyContext> {
  const config = await resolveConfig(argv, deps);
  const state = await openStateDir(config.stateDir);
  const audit = await openAuditLog(config.auditLog);
  const explain = options.explain ? createExplain() : NO_EXPLAIN;
  const { ports, flush } = policyPorts({ config, state, audit, backend: deps.backend(), now: deps.now, explain: (step) => explain.step(step) });
  return {
    ports,
    explain,
    async close() {
      try {
        await flush();
      } finally {
        await audit.close();
      }
    },
  };
}
