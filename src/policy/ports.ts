/**
 * What the authentication decision needs from outside, as narrow interfaces: the token store, the
 * state directory, the backend, the clock, and where audit and explain lines go. `otpctl verify` and
 * the daemon wire in the real ones (wiring.ts: the users.oath file and the state directory); tests can
 * wire in their own, and a PostgreSQL store and state will implement the same two ports.
 */
import type { AuditCode, AuditEvent } from '../audit/index.js';
import type { OtpdConfig } from '../config/index.js';
import type { StateDir } from '../state/index.js';
import type { TokenEntry, TokenState, UpdateOutcome, UserTokens } from '../store/index.js';
import type { OtpBackend } from '../otp-backend/backend.js';

/** Stable decision codes: the audit log's (docs/audit.md). */
export type AuthCode = AuditCode;

/** Who is logging in, where from: what every audit line of a login names. */
export type LoginParty = Pick<AuthRequest, 'user' | 'service' | 'rhost' | 'tty'>;

export interface AuthRequest {
  readonly user: string;
  /** The PAM service name (`sshd`, `su`, `openvpn`…). */
  readonly service: string;
  readonly rhost?: string | undefined;
  /** The PAM_TTY item (`ssh`, `/dev/pts/3`…), for the audit line only. */
  readonly tty?: string | undefined;
  /** What the user typed. Never logged, never stored (only its keyed tag, in the state directory). */
  readonly answer: string;
  /**
   * The pending S/KEY challenge this login answers (RFC 2289 §10). A claim id: S/KEY tokens are tried
   * only when it is the pending one, and the claim ends with the decision. `null`: the caller holds
   * none, so no S/KEY token is tried and another login's challenge stays held. Absent (otpctl): a
   * challenge `otpctl challenge` holds is answered (and ended); with none pending every S/KEY token is
   * tried; a daemon conversation's hold is never touched.
   */
  readonly challengeClaim?: string | null | undefined;
}

export interface AuthOutcome {
  readonly accepted: boolean;
  readonly code: AuthCode;
  /** The token that decided, as `user/name`. */
  readonly token?: string | undefined;
  readonly session?: string | undefined;
  /** A secret-free word or sentence for the audit line. */
  readonly reason: string;
  /** Something the user should be told (e.g. S/KEY sequence running low). */
  readonly warning?: string | undefined;
}

/**
 * Where the decision reads a user's tokens and persists a verified one. The implementation must make
 * `updateToken` durable before it resolves and must refuse (`conflict`) an entry whose token changed
 * since it was read, so one code is never accepted twice (src/store/token-store.ts for users.oath).
 */
export interface TokenStore {
  readTokens(user: string): Promise<UserTokens>;
  updateToken(entry: TokenEntry, state: TokenState): Promise<UpdateOutcome>;
}

/** The parts of the state directory (src/state) the decision uses. */
export type PolicyState = Pick<StateDir, 'answerTag' | 'login' | 'isLocked' | 'unknownUserAttempt'>;

export interface PolicyPorts {
  readonly config: OtpdConfig;
  readonly store: TokenStore;
  readonly state: PolicyState;
  readonly backend: OtpBackend;
  /** Unix seconds. */
  readonly now: () => number;
  /** Records one audit line; AuditEvent has no field that could carry a code or a secret. */
  readonly audit: (event: AuditEvent) => void;
  /** One step of the decision, for explain mode (`-d`); a no-op otherwise. Never a secret. */
  readonly explain: (step: string) => void;
}
