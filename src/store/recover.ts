/**
 * Clearing what a dead writer left beside the store: `<file>.lock` and `<file>.new`. pam_oath creates
 * both with O_EXCL and never removes a stale one, so until someone does, every pam_oath login on the
 * file fails. otpd removes them when it next writes (src/store/lock.ts, atomic-write.ts), but a quiet
 * store may not be written for hours; the daemon therefore sweeps at start-up and on SIGHUP.
 *
 * The sweep takes the store lock exactly as a writer does — a lock that no process has open is broken
 * only after a short grace (the one pam_oath's close-then-unlink gap needs), never a live one — and
 * while holding it removes a `.new`, which only the lock holder may have written.
 */
import { unlink } from 'node:fs/promises';
import { StoreError, StoreErrorReasons } from './errors.js';
import { acquireStoreLock } from './lock.js';

/** What the sweep did. */
export interface SweepResult {
  /** `<file>.new` was there and was removed. */
  readonly removedNew: boolean;
  /** The lock was held by a live writer for the whole wait: nothing was touched. */
  readonly busy: boolean;
}

/** A lock file no process holds is judged stale after this long during a sweep. */
export const SWEEP_STALE_AFTER_MS = 2_000;

/**
 * @param file - the store's path
 * @param options - how long to wait for a live writer (default 3 s)
 * @returns what was done; a store that does not exist is fine (nothing to sweep)
 * @throws StoreError (reason `io`) when the lock or `.new` cannot be handled for another reason
 * @example
 * const { removedNew } = await sweepStoreLeftovers('/etc/users.oath');
 */
export async function sweepStoreLeftovers(file: string, options: { timeoutMs?: number } = {}): Promise<SweepResult> {
  let lock;
  try {
    lock = await acquireStoreLock(file, { timeoutMs: options.timeoutMs ?? 3_000, staleAfterMs: SWEEP_STALE_AFTER_MS });
  } catch (error) {
    if (error instanceof StoreError && error.reason === StoreErrorReasons.LOCKED) return { removedNew: false, busy: true };
    throw error;
  }
  try {
    await unlink(`${file}.new`);
    return { removedNew: true, busy: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { removedNew: false, busy: false };
    throw new StoreError(StoreErrorReasons.IO, file, `${file}.new: cannot remove a leftover: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, { cause: error });
  } finally {
    await lock.release();
  }
}
