/**
 * Wires the real parts behind the authentication decision for one otpctl command: the configuration
 * (--config, $OTPD_CONFIG), the store (--store, $OTPD_STORE), the state directory ($OTPD_STATE_DIR,
 * else the configuration's), the audit log and, with -d, the explain collector.
 */
import { createExplain, NO_EXPLAIN, openAuditLog, type AuditEvent, type Explain } from '../audit/index.js';
import { loadConfig, type OtpdConfig } from '../config/index.js';
import type { PolicyPorts } from '../policy/ports.js';
import { openStateDir } from '../state/index.js';
import type { CliDeps } from './deps.js';
import type { GlobalArguments } from './global-options.js';

export interface PolicyContext {
  readonly ports: PolicyPorts;
  readonly explain: Explain;
  /** Waits for the audit lines and closes the log. */
  close(): Promise<void>;
}

/** The configuration with the command line's and the environment's overrides applied. */
export async function resolveConfig(argv: GlobalArguments, deps: CliDeps): Promise<OtpdConfig> {
  const configPath = argv.config ?? nonEmpty(deps.env.OTPD_CONFIG);
  const config = await loadConfig(configPath);
  const store = argv.store ?? nonEmpty(deps.env.OTPD_STORE) ?? config.store;
  const stateDir = nonEmpty(deps.env.OTPD_STATE_DIR) ?? config.stateDir;
  return Object.freeze({ ...config, store, stateDir });
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

export async function openPolicyContext(argv: GlobalArguments, deps: CliDeps, options: { explain: boolean }): Promise<PolicyContext> {
  const config = await resolveConfig(argv, deps);
  const state = await openStateDir(config.stateDir);
  const audit = await openAuditLog(config.auditLog);
  const pending: Promise<void>[] = [];
  const explain = options.explain ? createExplain() : NO_EXPLAIN;
  const ports: PolicyPorts = {
    config,
    state,
    backend: deps.backend(),
    now: () => deps.now() / 1000,
    audit: (event: AuditEvent) => {
      pending.push(audit.record(event));
    },
    explain: (step) => explain.step(step),
  };
  return {
    ports,
    explain,
    async close() {
      try {
        await Promise.all(pending);
      } finally {
        await audit.close();
      }
    },
  };
}
