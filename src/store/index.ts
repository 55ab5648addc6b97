/**
 * The users.oath store: a pam_oath-compatible file with otpd's extension lines. See docs/store.md.
 */
export { StoreError, StoreErrorReasons, StoreLineError, type StoreErrorReason } from './errors.js';
export { readStore, type ReadStoreOptions } from './read-store.js';
export { storeCounters, updateStore, type StoreCounters, type UpdateStoreOptions, type UpdateStoreResult } from './group-commit.js';
export { acquireStoreLock, replaceStoreFile, type StoreLock } from './store-files.js';
export { LOCK_DEFAULTS, type LockOptions } from '../durable/lock.js';
export { checkStorePermissions } from './permissions.js';
export type {
  BackupEntry,
  BackupScrypt,
  BackupSlot,
  BackupState,
  EntryCommon,
  MotpEntry,
  MotpState,
  OathEntry,
  OathState,
  SkeyEntry,
  SkeyState,
  StaticEntry,
  TokenEntry,
  TokenMeta,
  TokenState,
} from './usersfile/entry.js';
export { tokenLabel } from './usersfile/entry.js';
export { fromBinary, splitFields, toBinary } from './usersfile/lines.js';
export { replayIntent } from './doublewrite.js';
export { sweepStoreLeftovers } from './recover.js';
export { fileTokenStore, type FileTokenStore, type UserTokens } from './token-store.js';
export { errorsOf, joinLines, parseUsersFile, tokensOf, type ParseOptions, type UsersFile } from './usersfile/parse.js';
export { applyUpdates, renderUpdate, type TokenUpdate, type UpdateOutcome } from './usersfile/update.js';
export { OATH_TYPE_NAMES, formatOathType, parseOathType, type OathType } from './usersfile/oath-type.js';
export { formatOathTimestamp, parseOathTimestamp } from './usersfile/timestamp.js';
export { BACKUP_MAX_CODES, EXTENSION_TYPES, formatBackupLine } from './usersfile/extension-lines.js';
export { DEFAULT_META, MAX_SKEW_STEPS, META_TYPE, formatMetaLine } from './usersfile/meta-line.js';
export { PAM_OATH_MAX_KEY_BYTES } from './usersfile/oath-line.js';
