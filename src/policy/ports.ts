/**
 * What the authentication decision needs from outside, as narrow interfaces: the state directory,
 * the backend, the clock, and where audit and explain lines go. `otpctl verify` and the daemon wire
 * in the real ones; tests can wire in their own.
 */
import type { OtpdConfig, SessionConfig, LockoutConfig } from '../config/index.js';
import type { OtpBackend } from '../native/backend.js';

/** Stable decision codes (docs/audit.md). */
export type AuthCode =
  | 'AUTH_OK_OTP'
  | 'AUTH_OK_STATIC'
  | 'AUTH_OK_SESSION'
  | 'AUTH_FAILED'
  | 'AUTH_OTP_ALREADY_USED'
  | 'AUTH_USER_LOCKED'
  | 'AUTH_TOKEN_MISSING'
  | 'AUTH_USER_UNKNOWN'
  | 'AUTH_STORE_ERROR'
  | 'AUTH_SKEY_CHALLENGE'
  | 'AUTH_SKEY_PENDING';

export interface AuthRequest {
  readonly user: string;
  /** The PAM service name (`sshd`, `su`, `openvpn`…). */
  readonly service: string;
  readonly rhost?: string | undefined;
  /** What the user typed. Never logged, never stored (only its keyed tag, in the state directory). */
  readonly answer: string;
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

/** One audit record; it has no field that could carry a code or a secret. */
export interface AuditRecord {
  readonly code: AuthCode;
  readonly user: string;
  readonly service: string;
  readonly group: string;
  readonly rhost?: string | undefined;
  readonly token?: string | undefined;
  readonly session?: string | undefined;
  readonly reason: string;
}

/** The parts of the state directory the decision uses. */
export interface PolicyState {
  answerTag(answer: string): string;
  isLocked(user: string, group: string, now: number): Promise<{ locked: boolean; until: number | null }>;
  recordFailure(user: string, group: string, answerTag: string, now: number, policy: LockoutConfig): Promise<{ count: number; locked: boolean }>;
  resetFailures(user: string, group: string): Promise<void>;
  findSession(user: string, group: string, answerTag: string, rhost: string, now: number, policy: SessionConfig): Promise<{ id: string; token: string } | null>;
  createSession(user: string, group: string, answerTag: string, rhost: string, token: string, now: number): Promise<{ id: string }>;
  claimChallenge(user: string, token: string, challenge: string, now: number, ttlSeconds: number): Promise<{ ok: true } | { ok: false; until: number }>;
  releaseChallenge(user: string): Promise<void>;
}

export interface PolicyPorts {
  readonly config: OtpdConfig;
  readonly state: PolicyState;
  readonly backend: OtpBackend;
  /** Unix seconds. */
  readonly now: () => number;
  readonly audit: (record: AuditRecord) => void;
  /** One step of the decision, for explain mode (`-d`); a no-op otherwise. Never a secret. */
  readonly explain: (step: string) => void;
}
