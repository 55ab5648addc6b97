/**
 * The decision service every front end talks to: the configuration, state directory and audit log the
 * daemon runs on, reloaded on SIGHUP, and a {@link DecisionSession} per login, wired to src/policy the
 * same way `otpctl verify` is (src/policy/wiring.ts).
 */
import { messageOf } from '../errors.js';
import { openAuditLog, type AuditLog } from '../audit/index.js';
import { resolveConfig, type OtpdConfig } from '../config/index.js';
import type { OtpBackend } from '../otp-backend/backend.js';
import { auditRefusal, authenticate } from '../policy/authenticate.js';
import { issueChallenge } from '../policy/challenge.js';
import type { LoginParty } from '../policy/ports.js';
import { accessFields } from '../policy/service-group.js';
import { policyPorts } from '../policy/wiring.js';
import { openStateDir, type StateDir } from '../state/index.js';
import type { DecisionSession } from './session.js';

export interface DecisionServiceOptions {
  /** --config; else $OTPD_CONFIG, else /etc/otpd/otpd.conf. */
  readonly config?: string | undefined;
  /** --store; else $OTPD_STORE, else the configuration's. */
  readonly store?: string | undefined;
  /** The environment (OTPD_CONFIG, OTPD_STORE, OTPD_STATE_DIR). */
  readonly env: NodeJS.ProcessEnv;
  readonly backend: () => OtpBackend;
  /** Milliseconds since the epoch. */
  readonly now?: () => number;
  /** Daemon log lines (stderr). */
  readonly log: (line: string) => void;
  /** Log each step of every decision (-d). Never secrets. */
  readonly debug?: boolean;
}

interface Runtime {
  readonly config: OtpdConfig;
  readonly state: StateDir;
  readonly audit: AuditLog;
  /** Conversations still using this runtime; a replaced runtime's log is closed when it drops to 0. */
  users: number;
  retired: boolean;
}

/** What a front end needs from the decision side. */
export interface DecisionService {
  /** A session for one new login, bound to the configuration current now; released when it ends. */
  openSession(): DecisionSession & { release(): void };
  /** SIGHUP: reread the configuration, reopen the audit log (and the state directory if it moved). */
  reload(): Promise<void>;
  /** Waits for pending audit lines and closes the log. */
  close(): Promise<void>;
  readonly config: OtpdConfig;
}

async function openRuntime(options: DecisionServiceOptions): Promise<Runtime> {
  const paths = { ...(options.config !== undefined && { config: options.config }), ...(options.store !== undefined && { store: options.store }) };
  const config = await resolveConfig(paths, { env: options.env });
  const state = await openStateDir(config.stateDir);
  const audit = await openAuditLog(config.auditLog);
  return { config, state, audit, users: 0, retired: false };
}

/**
 * @throws ConfigError, StateError or AuditSinkError when the daemon cannot start on this configuration
 */
export async function openDecisionService(options: DecisionServiceOptions): Promise<DecisionService> {
  let runtime = await openRuntime(options);
  const now = options.now ?? (() => Date.now());
  const inFlight = new Set<Promise<void>>();
  const track = (p: Promise<void>): void => {
    const q = p.catch((error: unknown) => options.log(`audit: ${messageOf(error)}`)).finally(() => inFlight.delete(q));
    inFlight.add(q);
  };
  const backend = options.backend();
  const retire = async (old: Runtime): Promise<void> => {
    await Promise.allSettled([...inFlight]);
    await old.audit.close().catch((error: unknown) => options.log(`audit close: ${messageOf(error)}`));
  };

  return {
    get config() {
      return runtime.config;
    },
    openSession() {
      const current = runtime;
      const { config, state, audit } = current;
      current.users++;
      let released = false;
      const debug = options.debug === true;
      let label = '';
      const explain = debug ? (step: string) => options.log(`${label}${step}`) : () => undefined;
      const { ports, flush } = policyPorts({ config, state, audit, backend, now, explain });
      const audited = <T>(p: Promise<T>): Promise<T> => p.finally(() => track(flush()));
      /** A step before the decision failed: the login is refused, and the refusal audited like authenticate's. */
      const refusedBy = (request: LoginParty, error: unknown): never => auditRefusal(ports, request, error);
      return {
        async knowsUser(request) {
          label = `${request.service}/${request.user}: `;
          try {
            const { entries, problems } = await ports.store.readTokens(request.user);
            if (problems.length > 0 || entries.length > 0) return true; // problems: authenticate reports them
            ports.audit({
              code: 'AUTH_USER_UNKNOWN',
              user: request.user,
              service: request.service,
              rhost: request.rhost,
              tty: request.tty,
              reason: 'unknown user',
              ...accessFields(ports.config, request.service),
            });
            return false;
          } catch (error) {
            return refusedBy(request, error);
          } finally {
            track(flush());
          }
        },
        issueChallenge: (user, service) => audited(issueChallenge(user, service, ports).catch((error: unknown) => refusedBy({ user, service }, error))),
        authenticate: (request) => audited(authenticate(request, ports)),
        releaseChallenge: async (user, claimId) => {
          await state.releaseChallenge(user, claimId);
        },
        undelivered(request, outcome, why) {
          ports.audit({
            code: 'AUTH_VERDICT_UNDELIVERED',
            user: request.user,
            service: request.service,
            rhost: request.rhost,
            tty: request.tty,
            token: outcome.token,
            reason: why,
            ...accessFields(ports.config, request.service),
          });
          track(flush());
        },
        abandoned(request, why) {
          ports.audit({
            code: 'AUTH_ABORTED',
            user: request.user,
            service: request.service,
            rhost: request.rhost,
            tty: request.tty,
            reason: why,
            ...accessFields(ports.config, request.service),
          });
          track(flush());
        },
        log: (line) => {
          if (debug) options.log(line);
        },
        release: () => {
          if (released) return;
          released = true;
          current.users--;
          if (current.retired && current.users === 0) void retire(current);
        },
      };
    },
    async reload() {
      const next = await openRuntime(options);
      const previous = runtime;
      runtime = next;
      previous.retired = true;
      options.log(`configuration reloaded (store ${next.config.store})`);
      // Conversations already running keep the old log until they end (retire closes it then).
      if (previous.users === 0) await retire(previous);
    },
    async close() {
      await Promise.allSettled([...inFlight]);
      await runtime.audit.close();
    },
  };
}
