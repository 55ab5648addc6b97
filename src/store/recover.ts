/**
 * Clearing what a dead writer left beside the store: `<file>.lock` and `<file>.new`. pam_oath creates
 * both with O_EXCL and never removes a stale one, so until someone does, every pam_oath login on the
 * file fails. otpd removes them when it next writes (src/durable/lock.ts, replace.ts), but a quiet
 * store may not be written for hours; the daemon therefore sweeps at start-up and on SIGHUP.
 *
 * The sweep takes the store lock exactly as a writer does — a lock that no process has open is broken
 * only after a short grace (the one pam_oath's close-then-unlink gap needs), never a live one — and
 * while holding it completes a change a crash interrupted (src/store/doublewrite.ts) and removes a
 * `.new`, which only the lock holder may have written.
 */
import { lstat, unlink } from 'node:fs/promises';
import { replayIntent } from './doublewrite.js';
import { StoreError, StoreErrorReasons } from './errors.js';
import { acquireStoreLock } from './store-files.js';
import { checkStoreDirectory } from './permissions.js';

/** What the sweep did. */
export interface SweepResult {
  /** `<file>.new` was there and was removed. */
  readonly removedNew: boolean;
  /** A change a crash interrupted (the doublewrite's record) was completed. */
  readonly replayed: boolean;
  /** The lock was held by a live writer for the whole wait: nothing was touched. */
  readonly busy: boolean;
}

/** A lock file no process holds is judged stale after this long during a sweep. */
export const SWEEP_STALE_AFTER_MS = 2_000;

/**
 * @param file - the store's path
 * @param options - how long to wait for a live writer (default 3 s)
 * @returns what was done; a store that does not exist yet has nothing to sweep
 * @throws StoreError (reason `insecure`) when the store's directory lets others plant or replace files
 *   there (nothing is touched), or the record is not provably ours; (reason `io`) when the lock, the
 *   record or `.new` cannot be handled
 * @example
 * const { removedNew } = await sweepStoreLeftovers('/etc/users.oath');
 */
export async function sweepStoreLeftovers(file: string, options: { timeoutMs?: number } = {}): Promise<SweepResult> {
  const nothing: SweepResult = { removedNew: false, replayed: false, busy: false };
  try {
    await lstat(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return nothing;
    throw new StoreError(StoreErrorReasons.IO, file, `${file}: cannot sweep: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, { cause: error });
  }
  checkStoreDirectory(file); // what is beside the store there may be anyone's: leave it, and say why
  let lock;
  try {
    lock = await acquireStoreLock(file, { timeoutMs: options.timeoutMs ?? 3_000, staleAfterMs: SWEEP_STALE_AFTER_MS });
  } catch (error) {
    if (error instanceof StoreError && error.reason === StoreErrorReasons.LOCKED) return { ...nothing, busy: true };
    throw error;
  }
  try {
    const replayed = (await replayIntent(file)) === 'replayed';
    return { removedNew: await removeLeftoverNew(file), replayed, busy: false };
  } finally {
    await lock.release();
  }
}

async function removeLeftoverNew(file: string): Promise<boolean> {
  try {
    await unlink(`${file}.new`);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new StoreError(StoreErrorReasons.IO, file, `${file}.new: cannot remove a leftover: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, {
      cause: error,
    });
  }
}
