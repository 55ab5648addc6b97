/**
 * Reading a users.oath store. Reads need no lock: the file is replaced by rename or a line is
 * overwritten in place with one write inside one sector, and anything decided on what a reader saw is
 * checked again under the lock against the exact bytes on disk (group-commit.ts).
 *
 * Within one process, concurrent reads of one file share one read: a read that starts while another
 * is in flight waits for the next one, which begins after it was asked for (so a read never returns a
 * version older than the call).
 */
import { closeSync, constants, readFile } from 'node:fs';
import type { Stats } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { StoreError, StoreErrorReasons } from './errors.js';
import { checkStoreName, openCheckedStore } from './permissions.js';
import { cachedIndex, lastIndex, rememberIndex } from './read-cache.js';
import { LineIndex } from './usersfile/line-index.js';
import { locateUsers } from './usersfile/locate.js';
import { parseIndexed, type ParseOptions, type UsersFile } from './usersfile/parse.js';

/** Options of {@link readStore}. */
export interface ReadStoreOptions extends ParseOptions {
  /**
   * Read the file itself, never the version this process remembers nor a read shared with others:
   * for a caller that holds the lock and will write what it read (src/admin/edit-store.ts).
   */
  readonly fresh?: boolean;
}

export interface Snapshot {
  readonly index: LineIndex;
  readonly stats: Stats;
}

const readFd = promisify(readFile) as (fd: number) => Promise<Buffer>;

/**
 * Reads the store (after checking its permissions). `hint`: a read a decision will be checked against
 * again under the lock, which may come from the read cache; otherwise the file itself is read.
 */
export async function readIndexed(file: string, options: { hint: boolean }): Promise<Snapshot> {
  // Opened without following a link and checked on the descriptor: the version checked is the version
  // read (the path may be replaced meanwhile). A hint may be the version remembered: the checked name's stat tells which version the file is,
  // and a version remembered is not read again, so it is not opened either.
  const named = checkStoreName(file);
  if (options.hint) {
    const index = cachedIndex(file, named);
    if (index !== undefined) return { index, stats: named };
  }
  const { fd, stats } = openCheckedStore(file, constants.O_RDONLY, named);
  let content: Buffer;
  try {
    content = await readFd(fd);
  } catch (err) {
    throw new StoreError(StoreErrorReasons.IO, file, `${file}: cannot read the store: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, { cause: err });
  } finally {
    closeSync(fd);
  }
  // The same bytes as the version remembered: keep its index (and its lines-by-user map), which a
  // large store would otherwise rebuild.
  const text = content.toString('latin1');
  const last = lastIndex(file);
  const index = last !== undefined && last.index.text === text ? last.index : new LineIndex(text);
  rememberIndex(file, stats, index);
  return { index, stats };
}

/**
 * A read shared by the readers that joined it. The users they asked about are located in one pass once
 * the file is read (`users` null: some reader wants every line, so nothing is located in advance).
 */
interface SharedRead {
  users: Set<string> | null;
  done: Promise<{ index: LineIndex; located: Map<string, number[]> | undefined }> | undefined;
}

/** Per file: the read in flight, and the one that starts when it ends (joined by later readers). */
const reads = new Map<string, { running: SharedRead | undefined; queued: SharedRead | undefined }>();

function sharedRead(file: string, users: ReadonlySet<string> | undefined): NonNullable<SharedRead['done']> {
  const key = path.resolve(file);
  let slot = reads.get(key);
  if (slot === undefined) reads.set(key, (slot = { running: undefined, queued: undefined }));
  const s = slot;
  const start = (read: SharedRead): NonNullable<SharedRead['done']> => {
    s.running = read;
    const done = readIndexed(file, { hint: true })
      .then(({ index }) => ({ index, located: read.users === null || read.users.size === 0 ? undefined : locateUsers(index, read.users) }))
      .finally(() => {
        if (s.running === read) s.running = undefined;
        if (s.running === undefined && s.queued === undefined) reads.delete(key);
      });
    read.done = done;
    return done;
  };
  const join = (read: SharedRead): void => {
    if (users === undefined) read.users = null;
    else if (read.users !== null) for (const u of users) read.users.add(u);
  };
  if (s.running === undefined) {
    const read: SharedRead = { users: new Set(), done: undefined };
    join(read);
    return start(read);
  }
  let queued = s.queued;
  if (queued === undefined) {
    const read: SharedRead = { users: new Set(), done: undefined };
    const before = s.running.done ?? Promise.resolve();
    read.done = before
      .catch(() => undefined)
      .then(() => {
        s.queued = undefined;
        return start(read);
      });
    s.queued = queued = read;
  }
  join(queued);
  return queued.done as NonNullable<SharedRead['done']>;
}

/**
 * Reads and parses a store after checking its permissions.
 *
 * @param file - the store's path
 * @param options - `users`: parse and validate only these users' lines (what a login needs); by
 *   default every line is parsed
 * @returns the parsed file; malformed lines are in `errors`, never thrown
 * @throws StoreError (reason `insecure` or `io`)
 * @example
 * const store = await readStore('/etc/users.oath', { users: ['alice'] });
 * tokensOf(store, 'alice');
 */
export async function readStore(file: string, options: ReadStoreOptions = {}): Promise<UsersFile> {
  const users = options.users === undefined ? undefined : new Set(options.users);
  if (options.fresh === true) {
    const { index } = await readIndexed(file, { hint: false });
    return parseIndexed(index, file, users === undefined ? {} : { users });
  }
  const { index, located } = await sharedRead(file, users);
  return parseIndexed(index, file, users === undefined ? {} : { users }, located);
}
