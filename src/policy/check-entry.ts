/**
 * One token against one answer: maps a store entry to its verifier's state, splits a password or PIN
 * prefix off the answer when the line has one, runs the scheme's verifier, and maps an accepted
 * verdict back to the store state to persist. Pure apart from the backend's hashing.
 */
import type { VerifierSettings } from './verifier-settings.js';
import type { OtpBackend } from '../otp-backend/backend.js';
import type { BackupEntry, MotpEntry, OathEntry, SkeyEntry, StaticEntry, TokenEntry, TokenState } from '../store/index.js';
import { tokenLabel } from '../store/index.js';
import { checkPassword, type PasswordSpec } from '../tokens/password.js';
import { splitMotpAnswer, splitOathAnswer, splitSkeyAnswer, type SplitAnswer } from './verify/split.js';
import { verifyBackupCode } from './verify/backup.js';
import { verifyHotp } from './verify/hotp.js';
import { verifyMotp } from './verify/motp.js';
import { verifySkey, type SkeyState as SkeyVerifyState } from './verify/skey.js';
import { verifyTotp } from './verify/totp.js';
import type { FailureReason } from './verify/verdict.js';

export type CheckResult =
  | {
      readonly ok: true;
      /** What to write to the store (static passwords write nothing). */
      readonly state: TokenState | undefined;
      /** Static password rather than a one-time password. */
      readonly staticPassword: boolean;
      /** Secret-free facts for explain mode and warnings. */
      readonly note: string;
      readonly lowSequence: boolean;
      /** S/KEY re-initialised by an RFC 2243 `init-hex:`/`init-word:` response. */
      readonly reinitialised: boolean;
    }
  | {
      readonly ok: false;
      readonly reason: FailureReason;
      readonly note: string;
      /** S/KEY: a used-up response must be persisted even when the re-initialisation was refused. */
      readonly state?: TokenState;
    };

const failure = (reason: FailureReason, note: string): CheckResult => ({ ok: false, reason, note });

/** Splits off the password the line asks for; undefined when the answer cannot hold one. */
function splitFor(password: PasswordSpec, answer: string, split: (a: string) => SplitAnswer | undefined): SplitAnswer | undefined {
  // pam_oath's `-` (no password) and `+` (checked by an earlier module): the whole answer is the OTP,
  // except that `+` tolerates a prefix (the earlier module's password, as with try_first_pass).
  if (password.kind === 'none') return { password: '', otp: answer };
  return split(answer);
}

async function passwordOk(password: PasswordSpec, typed: string): Promise<boolean> {
  if (password.kind === 'none' || password.kind === 'any') return true;
  return checkPassword(password, typed);
}

const unixSeconds = (date: Date | undefined): number | undefined => (date === undefined ? undefined : Math.floor(date.getTime() / 1000));

async function checkOath(entry: OathEntry, answer: string, backend: OtpBackend, now: number, settings: VerifierSettings): Promise<CheckResult> {
  const parts = splitFor(entry.password, answer, (a) => splitOathAnswer(a, entry.type.digits));
  if (parts === undefined) return failure('malformed', 'the answer is shorter than a code');
  const base = {
    key: entry.key,
    algorithm: 'sha1' as const,
    digits: entry.type.digits,
    counter: entry.counter,
    lastOtp: entry.lastOtp,
    lastUsed: unixSeconds(entry.lastTime),
  };
  const context = { backend, now };
  // A TOTP token whose clock runs off (otpctl token resync) is checked around its own time.
  const verdict =
    entry.type.stepSeconds === 0
      ? await verifyHotp(base, parts.otp, context, settings.hotp)
      : await verifyTotp(
          { ...base, step: entry.type.stepSeconds, t0: 0, lastStep: entry.meta.lastStep },
          parts.otp,
          { backend, now: now + entry.meta.skew * entry.type.stepSeconds },
          settings.totp,
        );
  if (!verdict.ok) return failure(verdict.reason, verdict.message);
  if (!(await passwordOk(entry.password, parts.password))) return failure('bad-password', 'the password part is wrong');
  const state = verdict.state;
  // A TOTP step is kept on the metadata line (only a token that has one: pam_oath's lines have none).
  const lastStep = 'lastStep' in state && entry.meta.line !== undefined ? state.lastStep : undefined;
  return {
    ok: true,
    state: {
      kind: 'oath',
      counter: state.counter,
      lastOtp: state.lastOtp ?? parts.otp,
      time: new Date(Math.floor(now) * 1000),
      ...(lastStep === undefined ? {} : { lastStep }),
    },
    staticPassword: false,
    note: `accepted at counter ${state.counter}`,
    lowSequence: false,
    reinitialised: false,
  };
}

async function checkMotp(entry: MotpEntry, answer: string, now: number, settings: VerifierSettings): Promise<CheckResult> {
  const parts = splitFor(entry.password, answer, splitMotpAnswer);
  if (parts === undefined) return failure('malformed', 'the answer is shorter than a code');
  const state = { secret: entry.secret, pin: entry.pin, offsetHours: entry.offsetHours, lastSlot: entry.lastSlot };
  const verdict = verifyMotp(state, parts.otp, now, settings.motp);
  if (!verdict.ok) return failure(verdict.reason, verdict.message);
  if (!(await passwordOk(entry.password, parts.password))) return failure('bad-password', 'the password part is wrong');
  const lastSlot = verdict.state.lastSlot ?? verdict.detail.slot;
  return {
    ok: true,
    state: { kind: 'motp', lastSlot, time: new Date(Math.floor(now) * 1000) },
    staticPassword: false,
    note: `accepted slot ${lastSlot}`,
    lowSequence: false,
    reinitialised: false,
  };
}

/** The verifier's S/KEY state: its `sequence` is that of `last`, one above the store's next challenge. */
export function skeyVerifyState(entry: SkeyEntry): SkeyVerifyState {
  return { algorithm: entry.algorithm, sequence: entry.sequence + 1, seed: entry.seed, last: entry.last };
}

function skeyStoreState(state: SkeyVerifyState, now: number): TokenState {
  return { kind: 'skey', sequence: state.sequence - 1, last: state.last, algorithm: state.algorithm, seed: state.seed, time: new Date(Math.floor(now) * 1000) };
}

async function checkSkey(entry: SkeyEntry, answer: string, backend: OtpBackend, now: number, settings: VerifierSettings): Promise<CheckResult> {
  const parts = splitFor(entry.password, answer, splitSkeyAnswer);
  if (parts === undefined) return failure('malformed', 'the answer is not an S/KEY response');
  // Remote re-initialisation is the token's choice (`reinit=yes`), never the configuration's: the
  // verifier refuses it, and burns the disclosed response, for every other token.
  const skey = { ...settings.skey, reinit: entry.meta.allowReinit };
  const verdict = await verifySkey(skeyVerifyState(entry), parts.otp, { backend }, skey);
  if (!verdict.ok) {
    const used = verdict.state === undefined ? {} : { state: skeyStoreState(verdict.state, now) };
    // With re-initialisation off every bad-reinit is that refusal: say how to turn it on.
    const note =
      verdict.reason === 'bad-reinit' && !skey.reinit ? `${verdict.message} (otpctl token change ${tokenLabel(entry)} --allow-reinit)` : verdict.message;
    return { ok: false, reason: verdict.reason, note, ...used };
  }
  if (!(await passwordOk(entry.password, parts.password))) return failure('bad-password', 'the password part is wrong');
  const { detail } = verdict;
  return {
    ok: true,
    state: skeyStoreState(verdict.state, now),
    staticPassword: false,
    note: `accepted sequence ${detail.sequence}${detail.reinitialised ? ', re-initialised' : ''}; ${detail.remaining} left`,
    lowSequence: detail.lowSequence,
    reinitialised: detail.reinitialised,
  };
}

async function checkStatic(entry: StaticEntry, answer: string): Promise<CheckResult> {
  if (!(await checkPassword(entry.password, answer))) return failure('bad-password', 'the static password is wrong');
  return { ok: true, state: undefined, staticPassword: true, note: 'static password accepted', lowSequence: false, reinitialised: false };
}

async function checkBackup(entry: BackupEntry, answer: string, now: number): Promise<CheckResult> {
  const verdict = await verifyBackupCode({ ...entry.scrypt, slots: entry.slots }, answer);
  if (!verdict.ok) return failure(verdict.reason, verdict.message);
  return {
    ok: true,
    state: { kind: 'backup', used: verdict.state.used, time: new Date(Math.floor(now) * 1000) },
    staticPassword: false,
    note: `backup code accepted; ${verdict.detail.left} left`,
    lowSequence: false,
    reinitialised: false,
  };
}

/**
 * @param entry - a token line as read from the store
 * @param answer - what the user typed (never logged)
 * @param now - Unix seconds
 * @returns the verdict, with the store state to write when accepted
 */
export function checkEntry(entry: TokenEntry, answer: string, backend: OtpBackend, now: number, settings: VerifierSettings): Promise<CheckResult> {
  switch (entry.kind) {
    case 'oath':
      return checkOath(entry, answer, backend, now, settings);
    case 'motp':
      return checkMotp(entry, answer, now, settings);
    case 'skey':
      return checkSkey(entry, answer, backend, now, settings);
    case 'static':
      return checkStatic(entry, answer);
    case 'backup':
      return checkBackup(entry, answer, now);
  }
}
