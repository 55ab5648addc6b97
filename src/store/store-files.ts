/**
 * The durable primitives (src/durable/) as the store uses them: its lock and its whole-file
 * replacement, raising StoreErrors (./errors.ts).
 */
import { acquireFileLock, type FileLock, type LockOptions } from '../durable/lock.js';
import { replaceFileDurably } from '../durable/replace.js';
import { STORE_ERRORS } from './errors.js';
import type { Stats } from 'node:fs';

/** A held `<file>.lock`. */
export type StoreLock = FileLock;

/**
 * Takes the users-file lock `<file>.lock`, as pam_oath does.
 * @throws StoreError (reason `locked` naming the holder, or `io`)
 */
export function acquireStoreLock(file: string, options: LockOptions = {}): Promise<StoreLock> {
  return acquireFileLock(file, STORE_ERRORS, options);
}

/**
 * Replaces `file` atomically and durably; the caller holds its lock.
 * @throws {@link StoreError} (reason `io`) naming the step that failed; the old file is then unchanged
 */
export function replaceStoreFile(file: string, content: Uint8Array, previous: Pick<Stats, 'uid' | 'gid'>, mode = 0o600): Promise<void> {
  return replaceFileDurably(file, content, previous, { errors: STORE_ERRORS, mode });
}
