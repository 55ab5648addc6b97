/**
 * The normalised configuration: what {@link parseConfig} and {@link loadConfig} return. Keys are
 * camelCase, durations are whole seconds, every object is frozen. The file's snake_case keys are in
 * docs/config.md.
 */
import type { AuditTarget } from '../audit/index.js';

/** Verification windows (the `[windows]` table). */
export interface WindowsConfig {
  /** HOTP: counters tried after the stored one (`hotp_look_ahead`, pam_oath `window=`). */
  readonly hotpLookAhead: number;
  /** TOTP: steps accepted before and after the current one (`totp_steps`). */
  readonly totpSteps: number;
  /** Mobile-OTP: clock drift accepted either way, in seconds (`motp_seconds`). */
  readonly motpSeconds: number;
  /** S/KEY: warn when fewer responses than this remain (`skey_warn_below`). */
  readonly skeyWarnBelow: number;
}

/** Lock-out after repeated failures, counted per user and service group (the `[lockout]` table). */
export interface LockoutConfig {
  /** Failures that lock the user for the group; 0 turns lock-out off (`max_fail`). */
  readonly maxFail: number;
  /** Seconds after which a lock ends by itself; 0 = never, an administrator must unlock (`unlock_after`). */
  readonly unlockAfterSeconds: number;
}

/** Re-use of an accepted answer within one service group (the `[groups.NAME.session]` table). */
export interface SessionConfig {
  /** Off by default. */
  readonly enabled: boolean;
  /** Seconds a session lasts after the login that opened it (`timeout`). */
  readonly timeoutSeconds: number;
  /** Seconds a session survives without being used; 0 = no idle limit (`unused_timeout`). */
  readonly unusedTimeoutSeconds: number;
  /** Logins a session may serve; 0 = unlimited (`max_logins`). */
  readonly maxLogins: number;
  /** Re-use only from the remote host that opened the session (`match_rhost`). */
  readonly matchRhost: boolean;
}

/** An access group (the `[groups.NAME]` table). */
export interface GroupConfig {
  readonly name: string;
  /** PAM service names listed for this group (for `default`: only those listed explicitly). */
  readonly services: readonly string[];
  /** The groups directly below this one (`child_groups`): they accept this group's tokens. */
  readonly childGroups: readonly string[];
  /**
   * This group and every group above it, nearest first: a token allowed for any of them is accepted
   * here. Derived from every group's `child_groups`.
   */
  readonly inheritsFrom: readonly string[];
  /** This group's lock-out: its own `max_fail` and `unlock_after`, else the global `[lockout]`. */
  readonly lockout: LockoutConfig;
  readonly session: SessionConfig;
}

/** A client: a named source of requests, here a PAM service (the `[clients.NAME]` table). */
export interface ClientConfig {
  readonly name: string;
  /** The access group its requests belong to. */
  readonly group: string;
  /** A disabled client's requests are refused before anything is read (AUTH_CLIENT_DISABLED). */
  readonly enabled: boolean;
}

/** The whole configuration. */
export interface OtpdConfig {
  /** The users.oath file (`store`). */
  readonly store: string;
  /** Directory of otpd's own durable state (`state_dir`). */
  readonly stateDir: string;
  /** Where audit lines go (`audit_log`). */
  readonly auditLog: AuditTarget;
  readonly windows: WindowsConfig;
  readonly lockout: LockoutConfig;
  /**
   * Service groups by name. Always holds `default`, which serves every service not listed elsewhere.
   * A null-prototype record: `groups['toString']` is undefined.
   */
  readonly groups: Readonly<Record<string, GroupConfig>>;
  /** The clients of `[clients]`, by name. Null-prototype record. */
  readonly clients: Readonly<Record<string, ClientConfig>>;
  /**
   * Every service a group lists or a client names, mapped to its group. Null-prototype record.
   */
  readonly serviceGroups: Readonly<Record<string, string>>;
}
