/**
 * Reading and updating one user's state file: under the user's lock (src/state/state-lock.ts, a byte
 * of the state directory's `users.lock`), written by the durable replacement (`<file>.new`,
 * fsync, rename, fsync of the directory). Reads need no lock: files are only ever replaced by rename,
 * so a reader sees one whole version.
 *
 * Inside one process, updates of the same user are also queued in memory, so they wait for each other
 * without polling the lock file.
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { stageReplacement, type StagedReplacement } from '../durable/replace.js';
import { OtpdError } from '../errors.js';
import { STATE_ERRORS, StateError, StateErrorReasons } from './errors.js';
import { STATE_FILE_SUFFIX, userFileName } from './names.js';
import type { HeldStateLock, StateLocks } from './state-lock.js';
import {
  STATE_LIMITS,
  StateFormatProblem,
  cloneUserState,
  emptyUserState,
  isEmptyState,
  parseUserState,
  serializeUserState,
  type UserState,
} from './record.js';

/** What a staged count can add to a user's file, at most (one failure record, the claim ended). */
const STAGE_GROWTH_BYTES = 4096;

/** Who a new state file belongs to: this process (asked once; the ids do not change). */
const PROCESS_OWNER = Object.freeze({ uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 });

/** What a mutation returns: its result, and whether the state changed (and must be written). */
export interface Mutation<T> {
  readonly result: T;
  readonly changed: boolean;
}

function corrupt(file: string, problem: string, cause?: unknown): StateError {
  return new StateError(
    StateErrorReasons.CORRUPT,
    file,
    `${file}: ${problem}. otpd refuses this user's lock-out, sessions and challenges until it is fixed; ` +
      `to start the user afresh (this also clears a lock-out), move it aside: mv ${file} ${file}.bad`,
    cause === undefined ? undefined : { cause },
  );
}

/**
 * Reads a state file; undefined when it does not exist.
 *
 * @param file - its path
 * @param user - the user it must belong to (undefined: whoever it records)
 * @throws StateError (reason `corrupt`, `insecure` or `io`)
 * @internal
 */
export async function readStateFile(file: string, user: string | undefined): Promise<UserState | undefined> {
  // Direct calls: a state file is a few hundred bytes on a local disk and a login reads it several
  // times; each trip through the thread pool would cost more than the read itself.
  let bytes: Buffer;
  let fd: number;
  try {
    // Most users have no state file (no failures, no session); asked without building an exception.
    if (lstatSync(file, { throwIfNoEntry: false }) === undefined) return undefined;
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP') throw new StateError(StateErrorReasons.INSECURE, file, `${file}: is a symbolic link; remove it`, { cause: err });
    throw new StateError(StateErrorReasons.IO, file, `${file}: cannot read it: ${code ?? 'error'}`, { cause: err });
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw corrupt(file, 'is not a regular file');
    if ((st.mode & 0o077) !== 0) {
      throw new StateError(StateErrorReasons.INSECURE, file, `${file}: has mode ${(st.mode & 0o7777).toString(8).padStart(4, '0')}; run chmod 600 ${file}`);
    }
    if (st.size > STATE_LIMITS.maxFileBytes) throw corrupt(file, `is ${st.size} bytes, more than the ${STATE_LIMITS.maxFileBytes} a state file may have`);
    bytes = readFileSync(fd);
  } catch (err) {
    if (err instanceof StateError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new StateError(StateErrorReasons.IO, file, `${file}: cannot read it: ${code ?? 'error'}`, { cause: err });
  } finally {
    closeSync(fd);
  }
  try {
    return parseUserState(bytes, user);
  } catch (err) {
    if (err instanceof StateFormatProblem) throw corrupt(file, err.message, err);
    throw err;
  }
}

/** What {@link UserFiles.transact} gives its body. */
export interface LockedUserFile {
  /** The state as read under the lock (the caller's to copy, not to mutate). */
  readonly state: UserState;
  /**
   * Makes `next` the version to commit should the body fail from here on (not yet in force), once
   * the filesystem has shown it can take it: writable and with room (asked of the lock), or, after a
   * write of this file failed, a synced `<file>.new`. Once per transaction.
   * @throws StateError when it cannot (a full disk, a read-only or failing filesystem)
   */
  stage(next: UserState): Promise<void>;
}

/** What a transaction body ends with: its result, and the state to write (undefined: none). */
export interface TransactionEnd<T> {
  readonly result: T;
  readonly write: UserState | undefined;
}

/** The per-user files of one state directory. @internal */
export class UserFiles {
  readonly #queues = new Map<string, Promise<unknown>>();
  /**
   * Files whose last write failed: their stages are synced `.new` files, trusted only once on disk,
   * until a write of that file succeeds again (another user's success proves nothing about this one).
   */
  readonly #suspect = new Set<string>();

  constructor(
    readonly usersDir: string,
    readonly locks: StateLocks,
  ) {}

  /** The path of a user's file (validates the name). */
  pathOf(user: string): string {
    return path.join(this.usersDir, userFileName(user));
  }

  /** A user's state as last written (empty when the user has no file). */
  async read(user: string): Promise<UserState> {
    return (await readStateFile(this.pathOf(user), user)) ?? emptyUserState(user);
  }

  /**
   * Runs `mutate` on the user's current state under the user's lock and writes the result durably when
   * it changed, before resolving.
   */
  update<T>(user: string, mutate: (state: UserState) => Mutation<T>): Promise<T> {
    return this.transact(user, async (file) => {
      const state = cloneUserState(file.state);
      const { result, changed } = mutate(state);
      return { result, write: changed ? state : undefined };
    });
  }

  /**
   * Runs `body` with the user's lock held from the one read of the state to its one write: in-process
   * callers queue in memory, other processes wait on the lock file. What the body returns as `write`
   * is made durable before this resolves (nothing when it equals what was read). When the body throws
   * after staging a version, that staged version is committed before the error is passed on: a login
   * counted before its verification stays counted whatever happens after.
   *
   * @throws StateError when the lock, the read or a write fails (the body's own errors pass unchanged)
   */
  transact<T>(user: string, body: (file: LockedUserFile) => Promise<TransactionEnd<T>>): Promise<T> {
    const file = this.pathOf(user);
    const previous = this.#queues.get(file) ?? Promise.resolve();
    const run = previous.then(
      () => this.#locked(file, user, body),
      () => this.#locked(file, user, body),
    );
    const tail = run.catch(() => undefined);
    this.#queues.set(file, tail);
    void tail.then(() => {
      if (this.#queues.get(file) === tail) this.#queues.delete(file);
    });
    return run;
  }

  async #locked<T>(file: string, user: string, body: (file: LockedUserFile) => Promise<TransactionEnd<T>>): Promise<T> {
    const lock: HeldStateLock = await this.locks.acquire(file);
    // A staged version stays in memory once the filesystem has room for it (no file made or removed:
    // most logins succeed and write nothing), or, after a write failed, goes to a synced `.new`.
    let staged: { next: UserState; bytes: Buffer | undefined; replacement: StagedReplacement | undefined } | undefined;
    try {
      const found = await readStateFile(file, user);
      const state = found ?? emptyUserState(user);
      const readBytes = found === undefined ? undefined : serializeUserState(state);
      const owner: { uid: number; gid: number } = found !== undefined ? lstatSync(file) : PROCESS_OWNER;
      const locked: LockedUserFile = {
        state,
        stage: async (next) => {
          if (staged !== undefined) throw new Error('a transaction stages one version');
          try {
            if (this.#suspect.has(file)) {
              const bytes = serializeUserState(next);
              staged = { next, bytes, replacement: await stageReplacement(file, bytes, owner, { errors: STATE_ERRORS, sync: true }) };
            } else {
              // Serialised only if it is committed (most logins succeed): the room asked for is what
              // the file has now and more than a staged count can add to it.
              lock.checkRoom((readBytes?.byteLength ?? 0) + STAGE_GROWTH_BYTES);
              staged = { next, bytes: undefined, replacement: undefined };
            }
          } catch (err) {
            // The room check's StateError says what is wrong; a failed synced stage is the durable
            // writer's StoreError, whose `code` is STORE_ERROR, not the errno: its message says.
            const why = err instanceof OtpdError ? err.message : ((err as NodeJS.ErrnoException).code ?? 'error');
            if (!(err instanceof StateError)) this.#suspect.add(file);
            throw new StateError(
              StateErrorReasons.IO,
              file,
              `${file}: cannot write this user's state (${why}): the login is refused before its answer is checked`,
              { cause: err },
            );
          }
        },
      };
      const commit = async (bytes: Buffer): Promise<void> => {
        const pending = staged;
        staged = undefined;
        const replacement = pending?.replacement ?? (await this.#stageOrThrow(file, bytes, owner));
        const stagedBytes = pending?.replacement !== undefined ? pending.bytes : undefined;
        await this.#commit(file, replacement, stagedBytes !== undefined && !bytes.equals(stagedBytes) ? bytes : undefined);
      };
      let end: TransactionEnd<T>;
      try {
        end = await body(locked);
      } catch (err) {
        // Counted before it was verified: the staged version (the attempt as a failure) goes to disk.
        if (staged !== undefined) await commit(staged.bytes ?? serializeUserState(staged.next));
        throw err;
      }
      const bytes = end.write === undefined ? undefined : serializeUserState(end.write);
      const unchanged = bytes === undefined || (readBytes !== undefined ? bytes.equals(readBytes) : isEmptyState(end.write ?? state));
      if (unchanged) return end.result;
      await commit(bytes);
      return end.result;
    } finally {
      staged?.replacement?.discard();
      lock.release();
    }
  }

  async #stageOrThrow(file: string, bytes: Buffer, owner: { uid: number; gid: number }): Promise<StagedReplacement> {
    try {
      return await stageReplacement(file, bytes, owner, { errors: STATE_ERRORS });
    } catch (err) {
      this.#suspect.add(file);
      throw err;
    }
  }

  async #commit(file: string, replacement: StagedReplacement, content: Buffer | undefined): Promise<void> {
    try {
      await replacement.commit(content);
      this.#suspect.delete(file);
    } catch (err) {
      // The filesystem failed a write that reached it: from now on a stage is only trusted once synced.
      this.#suspect.add(file);
      throw err;
    }
  }

  /** Paths of every user's file. */
  async list(): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(this.usersDir);
    } catch (err) {
      throw new StateError(StateErrorReasons.IO, this.usersDir, `${this.usersDir}: cannot list it: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, {
        cause: err,
      });
    }
    return names
      .filter((n) => n.endsWith(STATE_FILE_SUFFIX))
      .sort()
      .map((n) => path.join(this.usersDir, n));
  }

  /** Reads a listed file, checking that its name is the one its user's name encodes. */
  async readListed(file: string): Promise<UserState | undefined> {
    const state = await readStateFile(file, undefined);
    if (state === undefined) return undefined;
    let expected: string | undefined;
    try {
      expected = userFileName(state.user);
    } catch {
      expected = undefined;
    }
    if (expected !== path.basename(file)) throw corrupt(file, 'records a user whose name does not encode to this file name');
    return state;
  }
}
