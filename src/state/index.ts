/**
 * otpd's state directory: lock-out, sessions, pending S/KEY challenges and the answer-tag secret.
 * See docs/state.md.
 */
export { openStateDir, type ListOptions, type OpenStateDirOptions, type StateDir } from './state-dir.js';
export { StateError, StateErrorReasons, type StateErrorReason } from './errors.js';
export { DEFAULT_STATE_DIR, USERS_DIR } from './directory.js';
export { SECRET_FILE } from './secret.js';
export { NAME_LIMITS, userFileName } from './names.js';
export { STATE_FORMAT, STATE_LIMITS } from './record.js';
export type { FailureInfo, FailureResult, LockStatus, LockoutPolicy } from './lockout.js';
export { EVERY_GROUP } from './lockout.js';
export type { Session, SessionLimits, SessionPolicy } from './sessions.js';
export type { ClaimResult, PendingChallenge } from './challenge.js';
export type { LoginTransaction, NewSession } from './login.js';
export type { ChallengeHolder } from './record.js';
