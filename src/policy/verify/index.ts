/**
 * Pure, storage-agnostic verification: one function per scheme takes a token's state, the answer, the
 * time or backend and the settings, and returns a verdict with the new state to persist. See
 * docs/verify.md for each scheme's acceptance and replay rules.
 */
export { FAILURE_REASONS, type FailureReason, type Verdict, type VerifyFailure, type VerifyReason, type VerifySuccess } from './verdict.js';
export type { VerifyContext } from './context.js';
export { bytesEqual, stringsEqual } from './compare.js';
export { DEFAULT_HOTP_SETTINGS, type HotpDetail, type HotpSettings, type HotpState, verifyHotp } from './hotp.js';
export { DEFAULT_TOTP_SETTINGS, type TotpDetail, type TotpSettings, type TotpState, verifyTotp } from './totp.js';
export { DEFAULT_MOTP_SETTINGS, type MotpDetail, type MotpSettings, type MotpState, verifyMotp } from './motp.js';
export { SCRYPT_LIMITS, type PasswordKind, type PasswordSuccess, type PasswordVerdict, hashPassword, isPasswordHash, verifyPassword } from './password.js';
export { type SplitAnswer, splitMotpAnswer, splitOathAnswer, splitSkeyAnswer } from './split.js';
export {
  DEFAULT_SKEY_SETTINGS,
  type SkeyContext,
  type SkeyDetail,
  type SkeySettings,
  type SkeyState,
  skeyChallenge,
  skeyExhausted,
  verifySkey,
} from './skey.js';
export { type BackupDetail, verifyBackupCode } from './backup.js';
