/**
 * Administrative edits of the users.oath store (adding, removing and changing lines), with the same
 * rules as a login's update (docs/store.md): take pam_oath's `<file>.lock`, check permissions, read
 * the file under the lock, apply the edit, replace the file durably (`.new`, fsync, rename, directory
 * fsync), release the lock. Because the edit works on the file as read under the lock, a concurrent
 * login's counter update is never overwritten with stale data; every line the edit does not touch is
 * written back byte for byte.
 */
import { lstat } from 'node:fs/promises';
import { InvalidInputError } from '../errors.js';
import {
  acquireStoreLock,
  checkStorePermissions,
  errorsOf,
  parseUsersFile,
  readStore,
  replaceStoreFile,
  replayIntent,
  StoreError,
  StoreErrorReasons,
  type UsersFile,
} from '../store/index.js';

/** What an edit sees: the file parsed (for `users`, or fully) and its lines as mutable binary strings. */
export interface StoreDraft {
  readonly file: UsersFile;
  /** Every line with its terminator (binary strings); change, insert or remove entries to edit. */
  readonly lines: string[];
}

/**
 * A missing store is the administrator's to create (otpctl never guesses where keys should live, nor
 * creates a key file with the wrong owner): say how.
 *
 * @throws StoreError (reason `io`) with the command that creates an empty store
 */
export async function requireStore(file: string): Promise<void> {
  try {
    await lstat(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return; // checkStorePermissions reports it
    throw new StoreError(
      StoreErrorReasons.IO,
      file,
      `${file}: the store does not exist; create an empty one with: install -m 600 /dev/null ${file} (or give --store)`,
      { cause: err },
    );
  }
}

/**
 * Reads the store for an administrative listing, without the lock: what is shown may be a moment old;
 * an edit reads the file again under the lock ({@link editStore}).
 *
 * @param users - parse only these users' lines; all lines when absent
 * @throws StoreError when the store is missing, insecure or unreadable
 */
export async function readForAdmin(file: string, users?: readonly string[]): Promise<UsersFile> {
  await requireStore(file);
  return readStore(file, users === undefined ? {} : { users });
}

/**
 * Refuses to act on a user whose lines the store cannot parse: the first problem, as `FILE:LINE: …`.
 *
 * @throws StoreLineError for the user's first malformed line
 */
export function requireCleanUser(file: UsersFile, user: string): void {
  const problem = errorsOf(file, user)[0];
  if (problem !== undefined) throw problem;
}

/**
 * Edits the store under its lock and writes it durably when the edit changed anything.
 *
 * @param file - the store's path
 * @param users - the users the edit concerns (their lines are parsed and checked before and after)
 * @param edit - changes `draft.lines` and returns its result; throwing leaves the file untouched
 * @returns the edit's result and whether the file was rewritten
 * @throws StoreError (missing, insecure, locked, I/O), or what `edit` throws; nothing is written then
 * @example
 * await editStore('/etc/users.oath', ['alice'], ({ lines }) => { lines.push('#OTPD/USER\talice\n'); });
 */
export async function editStore<T>(
  file: string,
  users: readonly string[],
  edit: (draft: StoreDraft) => T | Promise<T>,
): Promise<{ result: T; written: boolean }> {
  await requireStore(file);
  await checkStorePermissions(file); // fail before creating a lock next to an unsafe file
  const lock = await acquireStoreLock(file);
  try {
    await replayIntent(file);
    const stats = await checkStorePermissions(file);
    const before = await readStore(file, { users, fresh: true });
    const lines = before.lines.map((line) => line.raw);
    const result = await edit({ file: before, lines });
    const content = Buffer.from(lines.join(''), 'latin1');
    const old = Buffer.from(before.lines.map((line) => line.raw).join(''), 'latin1');
    if (content.equals(old)) return { result, written: false };
    // Fail closed: never write a file in which the edited users' lines no longer parse.
    const after = parseUsersFile(content, file, { users });
    for (const user of users) {
      const problem = errorsOf(after, user)[0];
      if (problem !== undefined) throw new InvalidInputError('store', `the change would make a line unusable, so nothing was written (${problem.message})`);
    }
    await replaceStoreFile(file, content, stats);
    return { result, written: true };
  } finally {
    await lock.release();
  }
}
