/**
 * Reading and updating a users.oath store. Reads need no lock (the file is only ever replaced by
 * rename, so a reader sees one whole version). Updates take the lock, re-read and re-parse the file
 * under it, apply only updates whose line is unchanged since the caller read it, and replace the file
 * durably before the lock is released.
 */
import { readFile } from 'node:fs/promises';
import { replaceFileDurably } from './atomic-write.js';
import { StoreError, StoreErrorReasons } from './errors.js';
import { acquireStoreLock, type LockOptions } from './lock.js';
import { checkStorePermissions } from './permissions.js';
import { parseUsersFile, type UsersFile } from './usersfile/parse.js';
import { applyUpdates, type TokenUpdate, type UpdateOutcome } from './usersfile/update.js';

/** Options of {@link updateStore}. */
export interface UpdateStoreOptions {
  readonly lock?: LockOptions;
}

/** The result of {@link updateStore}. */
export interface UpdateStoreResult {
  /** One per update, in order. */
  readonly outcomes: readonly UpdateOutcome[];
  /** The file as it is after the update (or as found, when nothing was written). */
  readonly file: UsersFile;
  /** Whether the file was rewritten. */
  readonly written: boolean;
}

async function readChecked(file: string): Promise<{ file: UsersFile; stats: Awaited<ReturnType<typeof checkStorePermissions>> }> {
  const stats = await checkStorePermissions(file);
  let content: Buffer;
  try {
    content = await readFile(file);
  } catch (err) {
    throw new StoreError(StoreErrorReasons.IO, file, `${file}: cannot read the store: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, { cause: err });
  }
  return { file: parseUsersFile(content, file), stats };
}

/**
 * Reads and parses a store after checking its permissions.
 *
 * @param file - the store's path
 * @returns the parsed file; malformed lines are in `errors`, never thrown
 * @throws StoreError (reason `insecure` or `io`)
 * @example
 * const store = await readStore('/etc/users.oath');
 * tokensOf(store, 'alice');
 */
export async function readStore(file: string): Promise<UsersFile> {
  return (await readChecked(file)).file;
}

/**
 * Updates tokens durably under the pam_oath-compatible lock.
 *
 * @param file - the store's path
 * @param updates - new states for entries as the caller read them
 * @param options - lock timing
 * @returns per-update outcomes: `updated`, or `conflict` with the current entry when its line changed
 *   since it was read (the caller must verify again against `current`)
 * @throws StoreError (reason `locked`, `insecure` or `io`); RangeError for a state that goes backwards
 */
export async function updateStore(file: string, updates: readonly TokenUpdate[], options: UpdateStoreOptions = {}): Promise<UpdateStoreResult> {
  const lock = await acquireStoreLock(file, options.lock);
  try {
    const { file: fresh, stats } = await readChecked(file);
    const { content, file: next, outcomes } = applyUpdates(fresh, updates);
    if (content === undefined) return { outcomes, file: fresh, written: false };
    await replaceFileDurably(file, content, stats);
    return { outcomes, file: next, written: true };
  } finally {
    await lock.release();
  }
}
