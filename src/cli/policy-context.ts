/**
 * Wires the real parts behind the authentication decision for one otpctl command: the configuration
 * (--config, $OTPD_CONFIG), the store (--store, $OTPD_STORE), the state directory ($OTPD_STATE_DIR,
 * else the configuration's), the audit log and, with -d, the explain collector.
 */
import { createExplain, NO_EXPLAIN, openAuditLog, type AuditEvent, type AuditLog, type Explain } from '../audit/index.js';
import { loadConfig, type OtpdConfig } from '../config/index.js';
import type { OtpBackend } from '../native/backend.js';
import type { PolicyPorts, PolicyState } from '../policy/ports.js';
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
export async function resolveConfig(argv: Pick<GlobalArguments, 'config' | 'store'>, deps: Pick<CliDeps, 'env'>): Promise<OtpdConfig> {
  const configPath = argv.config ?? nonEmpty(deps.env.OTPD_CONFIG);
  const config = await loadConfig(configPath);
  const store = argv.store ?? nonEmpty(deps.env.OTPD_STORE) ?? config.store;
  const stateDir = nonEmpty(deps.env.OTPD_STATE_DIR) ?? config.stateDir;
  return Object.freeze({ ...config, store, stateDir });
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** What {@link policyPorts} wires together; shared by otpctl and the daemon. */
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
 */
export function policyPorts(parts: PolicyParts): { ports: PolicyPorts; flush(): Promise<void> } {
  const pending: Promise<void>[] = [];
  const ports: PolicyPorts = {
    config: parts.config,
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
