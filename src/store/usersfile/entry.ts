/**
 * The token entries a users file yields, one per usable token line, and the state an update writes.
 * Strings that come from the file (user, plain password, last OTP) are kept as binary strings in
 * `raw*` fields for byte-exact rewriting; `user` is the UTF-8 reading used by callers.
 */
import type { SkeyAlgorithm } from '../../tokens/algorithms.js';
import type { OathType } from './oath-type.js';
import type { PasswordSpec } from '../../tokens/password.js';

/** Name, state, service groups and options of a token, from a `#OTPD/META` line (defaults when none). */
export interface TokenMeta {
  /** Unique per user when given. */
  readonly name: string | undefined;
  /** A disabled token is never a candidate. */
  readonly enabled: boolean;
  /** Service groups the token serves; empty means every service. */
  readonly groups: readonly string[];
  /**
   * TOTP only: the token's clock offset in time steps, found by `otpctl token resync` (positive: the
   * token runs ahead). The verifier centres its window on the current step plus this; 0 by default.
   */
  readonly skew: number;
  /**
   * TOTP only: the last time step otpd accepted for this token (`laststep=`), which refuses every step
   * at or before it even after the server's clock went back by more than the window (docs/verify.md).
   */
  readonly lastStep: number | undefined;
  /**
   * S/KEY only: whether an RFC 2243 `init-hex:`/`init-word:` response may re-key the token (`reinit=yes`).
   * Off by default: whoever wins one race with the current response would otherwise own the token for
   * good, on a chain they chose (docs/verify.md). Other token types ignore it.
   */
  readonly allowReinit: boolean;
  /** 1-based line of the metadata line, when there is one. */
  readonly line: number | undefined;
  /** The metadata line's exact bytes (binary string, terminator included), when there is one. */
  readonly raw: string | undefined;
}

/** What every entry has. */
export interface EntryCommon {
  /** 1-based line number of the token line. */
  readonly line: number;
  /** The token line's exact bytes (binary string, terminator included): its identity for updates. */
  readonly raw: string;
  /** The user, read as UTF-8. */
  readonly user: string;
  /** The fields of the line as found (binary strings). @internal */
  readonly fields: readonly string[];
  readonly meta: TokenMeta;
}

/** An HOTP/TOTP line as pam_oath reads it. */
export interface OathEntry extends EntryCommon {
  readonly kind: 'oath';
  readonly type: OathType;
  readonly password: PasswordSpec;
  readonly key: Uint8Array;
  /**
   * COUNTER: the moving factor of the last accepted code (pam_oath writes that, not the next one, and
   * searches from it inclusive; LASTOTP stops the same code twice); 0 when absent.
   */
  readonly counter: number;
  /** LASTOTP: the last accepted code, when recorded. */
  readonly lastOtp: string | undefined;
  /** TIMESTAMP: when the last code was accepted (local time, second precision). */
  readonly lastTime: Date | undefined;
}

/** An `OTPD/SKEY` line. */
export interface SkeyEntry extends EntryCommon {
  readonly kind: 'skey';
  readonly password: PasswordSpec;
  readonly algorithm: SkeyAlgorithm;
  /** The sequence number of the next challenge. */
  readonly sequence: number;
  /** Seed as written (hashing lower-cases it). */
  readonly seed: string;
  /** The 64-bit value the next response must hash to: the last accepted response (or the initial one). */
  readonly last: Uint8Array;
  readonly lastTime: Date | undefined;
}

/** An `OTPD/MOTP` line. */
export interface MotpEntry extends EntryCommon {
  readonly kind: 'motp';
  readonly password: PasswordSpec;
  /** 16–32 hex digits, case kept (it is hashed as typed). */
  readonly secret: string;
  readonly pin: string;
  readonly offsetHours: number;
  /** The last accepted 10-second slot; codes at or before it are replays. */
  readonly lastSlot: number | undefined;
  readonly lastTime: Date | undefined;
}

/** An `OTPD/STATIC` line: a hashed static password. */
export interface StaticEntry extends EntryCommon {
  readonly kind: 'static';
  readonly password: Extract<PasswordSpec, { kind: 'scrypt' }>;
}

/** The scrypt parameters and salt shared by one set of backup codes. */
export interface BackupScrypt {
  readonly ln: number;
  readonly r: number;
  readonly p: number;
  readonly salt: Uint8Array;
}

/** One backup code's slot: its scrypt hash, and whether it was used. */
export interface BackupSlot {
  readonly hash: Uint8Array;
  readonly used: boolean;
}

/** An `OTPD/BACKUP` line: one-time backup codes, hashed with one salt (docs/store.md). */
export interface BackupEntry extends EntryCommon {
  readonly kind: 'backup';
  readonly scrypt: BackupScrypt;
  /** In the order printed at enrolment. */
  readonly slots: readonly BackupSlot[];
  readonly lastTime: Date | undefined;
}

export type TokenEntry = OathEntry | SkeyEntry | MotpEntry | StaticEntry | BackupEntry;

/** How a token is named in audit lines, explain output and otpctl: `user/name` or `user/TYPE@line`. */
export function tokenLabel(entry: TokenEntry): string {
  const kind = entry.kind === 'oath' ? entry.type.name : `OTPD/${entry.kind.toUpperCase()}`;
  return entry.meta.name !== undefined ? `${entry.user}/${entry.meta.name}` : `${entry.user}/${kind}@${entry.line}`;
}

/** New state for an OATH line, written exactly as pam_oath writes it. */
export interface OathState {
  readonly kind: 'oath';
  readonly counter: number;
  /** The accepted code, as the user typed it (digits). */
  readonly lastOtp: string;
  readonly time: Date;
  /** TOTP: the accepted time step, kept on the token's metadata line when it has one. */
  readonly lastStep?: number;
}

/** New state for an S/KEY line after an accepted response. */
export interface SkeyState {
  readonly kind: 'skey';
  readonly sequence: number;
  /** The accepted response (8 bytes). */
  readonly last: Uint8Array;
  readonly time: Date;
  /**
   * RFC 2243 re-initialisation (`init-hex:`/`init-word:`): the new algorithm and seed. A seed that
   * differs from the line's (case-insensitively) lets the sequence rise; the same seed never does.
   */
  readonly algorithm?: SkeyAlgorithm;
  readonly seed?: string;
}

/** New state for a Mobile-OTP line after an accepted code. */
export interface MotpState {
  readonly kind: 'motp';
  readonly lastSlot: number;
  readonly time: Date;
}

/** New state for a backup-code line: the code at `used` (0-based) is spent. */
export interface BackupState {
  readonly kind: 'backup';
  readonly used: number;
  readonly time: Date;
}

export type TokenState = OathState | SkeyState | MotpState | BackupState;

/** A problem found in one line; parse.ts turns it into a StoreLineError with file and line. @internal */
export class LineProblem extends Error {}
