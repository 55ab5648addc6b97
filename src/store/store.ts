/**
 * Reading and updating a users.oath store. Reads need no lock: the file is replaced by rename or a
 * line is overwritten in place with one write inside one sector, and anything decided on what a
 * reader saw is checked again under the lock against the exact bytes on disk.
 * Updates take the lock, re-read the file under it, apply only updates whose line is unchanged since
 * the caller read it, and make the change durable (in place, or by a whole new file) before the lock
 * is released.
 *
 * Within one process, work on one file is shared:
 * - concurrent reads share one read of the file: a read that starts while another is in flight waits
 *   for the next one, which begins after it was asked for (so a read never returns a version older
 *   than the call);
 * - concurrent updates are a group commit: they queue, one writer takes the lock, re-reads once,
 *   applies every queued request in order (each on the result of the previous ones), writes and
 *   fsyncs once, releases the lock and then answers each request with its own outcomes.
 * Across processes the lock serialises writers as before.
 */
import { closeSync, constants, lstatSync, readFile } from 'node:fs';
import type { Stats } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { patchFileDurably } from './patch.js';
import { acquireStoreLock, replaceStoreFile, type StoreLock } from './store-files.js';
import { replayIntent } from './doublewrite.js';
import { StoreError, StoreErrorReasons } from './errors.js';
import { LOCK_DEFAULTS, type LockOptions } from '../durable/lock.js';
import { checkStoreName, openCheckedStore } from './permissions.js';
import { cachedIndex, forgetIndex, lastIndex, rememberIndex, sameVersion } from './read-cache.js';
import { LineIndex } from './usersfile/line-index.js';
import { locateUsers } from './usersfile/locate.js';
import { parseIndexed, type ParseOptions, type UsersFile } from './usersfile/parse.js';
import { UpdateBatch, type TokenUpdate, type UpdateOutcome } from './usersfile/update.js';

/** Options of {@link readStore}. */
export interface ReadStoreOptions extends ParseOptions {
  /**
   * Read the file itself, never the version this process remembers nor a read shared with others:
   * for a caller that holds the lock and will write what it read (src/admin/edit-store.ts).
   */
  readonly fresh?: boolean;
}

/** Options of {@link updateStore}. */
export interface UpdateStoreOptions {
  /** Lock timing; the wait counts from the call, also while queued behind other requests. */
  readonly lock?: LockOptions;
}

/** The result of {@link updateStore}. */
export interface UpdateStoreResult {
  /** One per update, in order. */
  readonly outcomes: readonly UpdateOutcome[];
  /**
   * The file as it is after the update (or as found, when nothing was written), parsed for the users
   * the updates concern only: `entries` and `errors` are theirs, `lines` are all lines.
   */
  readonly file: UsersFile;
  /** Whether this request changed the file (it was rewritten with this request's lines). */
  readonly written: boolean;
}

/** Counters of this process's updates, for tests and benchmarks. */
export interface StoreCounters {
  /** updateStore calls answered. */
  requests: number;
  /** Lock-held rounds (one re-read each). */
  rounds: number;
  /** Durable rewrites (one fsync + rename each). */
  writes: number;
  /** Durable in-place patches (one fdatasync each). */
  patches: number;
}

const counters: StoreCounters = { requests: 0, rounds: 0, writes: 0, patches: 0 };

/**
 * A copy of this process's update counters.
 *
 * @returns requests answered, lock rounds, durable rewrites since start (or the last reset)
 */
export function storeCounters(reset = false): StoreCounters {
  const copy = { ...counters };
  if (reset) Object.assign(counters, { requests: 0, rounds: 0, writes: 0, patches: 0 });
  return copy;
}

interface Snapshot {
  readonly index: LineIndex;
  readonly stats: Stats;
}

const readFd = promisify(readFile) as (fd: number) => Promise<Buffer>;

/**
 * Reads the store (after checking its permissions). `hint`: a read a decision will be checked against
 * again under the lock, which may come from the read cache; otherwise the file itself is read.
 */
async function readIndexed(file: string, options: { hint: boolean }): Promise<Snapshot> {
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

interface Request {
  readonly updates: readonly TokenUpdate[];
  readonly deadline: number;
  readonly staleAfterMs: number | undefined;
  readonly resolve: (result: UpdateStoreResult) => void;
  readonly reject: (err: unknown) => void;
}

/** Per file: requests waiting for the next round, and whether a writer is running. */
const queues = new Map<string, { waiting: Request[]; writing: boolean }>();

type Answer = { ok: true; result: UpdateStoreResult } | { ok: false; err: unknown };

/**
 * Applies every request of a round, in order, to one version of the file and makes the result durable.
 * `patch-only`: the version may be stale (the read cache's), so only a round whose every request lands
 * cleanly and whose changes fit in place is written, and only if the replaced bytes are still on disk;
 * anything else returns undefined and the caller reads the file under the lock and calls again with
 * `any`.
 */
async function writeRound(
  file: string,
  batch: readonly Request[],
  index: LineIndex,
  stats: Stats,
  mode: 'patch-only' | 'patch-only, base stale' | 'any',
): Promise<Answer[] | undefined> {
  const patchOnly = mode !== 'any';
  const updates = new UpdateBatch(index, file);
  updates.prepare(batch.flatMap((request) => request.updates.map((u) => u.entry.user)));
  const applied = batch.map((request) => {
    try {
      return { ok: true as const, ...updates.apply(request.updates) };
    } catch (err) {
      return { ok: false as const, err }; // this request alone is refused (RangeError: a bad state)
    }
  });
  if (updates.changed) {
    const patches = updates.inPlaceEdits();
    if (patchOnly && (patches === undefined || applied.some((a) => !a.ok || a.outcomes.some((o) => o.status !== 'updated')))) return undefined;
    try {
      if (patches !== undefined) {
        if ((await patchFileDurably(file, patches, stats)) === 'changed') {
          if (patchOnly) return undefined;
          throw new StoreError(StoreErrorReasons.IO, file, `${file}: changed under ${file}.lock by a writer that ignores it; nothing written, try again`);
        }
        counters.patches++;
      } else {
        await replaceStoreFile(file, updates.content(), stats);
        counters.writes++;
      }
      // Under the lock the file is what we just wrote — unless the base was a remembered version that
      // another writer had changed elsewhere since (the patch was still right: its bytes were checked).
      if (mode === 'patch-only, base stale') forgetIndex(file);
      else rememberIndex(file, lstatSync(file), updates.finalIndex());
    } catch (err) {
      forgetIndex(file);
      throw err;
    }
  } else if (patchOnly) {
    return undefined;
  }
  return applied.map((a, k): Answer => {
    if (!a.ok) return a;
    const users = (batch[k]?.updates ?? []).map((u) => u.entry.user);
    return { ok: true, result: { outcomes: a.outcomes, file: updates.fileFor(users), written: a.changed } };
  });
}

/** One round: lock, apply every request in order, one durable write, unlock. */
async function commitRound(file: string, waiting: Request[]): Promise<void> {
  const first = waiting[0];
  if (first === undefined) return;
  const deadline = waiting.reduce((min, r) => Math.min(min, r.deadline), Number.POSITIVE_INFINITY);
  let lock: StoreLock;
  try {
    lock = await acquireStoreLock(file, {
      timeoutMs: Math.max(0, deadline - Date.now()),
      ...(first.staleAfterMs === undefined ? {} : { staleAfterMs: first.staleAfterMs }),
    });
  } catch (err) {
    // Only requests whose own wait ran out fail; the others try again in the next round.
    const now = Date.now();
    const expired = waiting.filter((r) => r.deadline <= now || !(err instanceof StoreError && err.reason === StoreErrorReasons.LOCKED));
    const failed = expired.length > 0 ? expired : [first];
    for (const r of failed) waiting.splice(waiting.indexOf(r), 1);
    for (const r of failed) r.reject(err);
    return;
  }
  const batch = waiting.splice(0); // everything queued while we waited for the lock joins this round
  counters.rounds++;
  let answers: Answer[];
  try {
    // A change a crash interrupted is completed before anyone reads (doublewrite.ts).
    if ((await replayIntent(file)) !== 'none') forgetIndex(file);
    // Fast: patch in place from the version last seen, if the bytes it replaces are still on disk.
    // Otherwise (or if anything but a clean patch would result): read the file under the lock.
    // The patch is written only to the file checked here (patchFileDurably compares dev, inode and
    // size): the remembered version must be that same file, or the round reads it anew.
    // The name's stat: what is patched is opened then and must be this inode (patchFileDurably).
    const current = checkStoreName(file);
    const last = lastIndex(file);
    const sameFile = last !== undefined && last.stats.dev === current.dev && last.stats.ino === current.ino && last.stats.size === current.size;
    let done =
      last === undefined || !sameFile
        ? undefined
        : await writeRound(file, batch, last.index, current, sameVersion(current, last.stats) ? 'patch-only' : 'patch-only, base stale');
    if (done === undefined) {
      const { index, stats } = await readIndexed(file, { hint: false });
      done = await writeRound(file, batch, index, stats, 'any');
    }
    answers = done ?? batch.map(() => ({ ok: false, err: new Error('internal: round without an answer') }));
  } catch (err) {
    answers = batch.map(() => ({ ok: false, err }));
  }
  try {
    await lock.release();
  } catch (err) {
    answers = batch.map(() => ({ ok: false, err }));
  }
  counters.requests += batch.length;
  batch.forEach((request, k) => {
    const answer = answers[k];
    if (answer?.ok === true) request.resolve(answer.result);
    else request.reject(answer === undefined ? new Error('internal: unanswered store update') : answer.err);
  });
}

async function drain(file: string, key: string, queue: { waiting: Request[]; writing: boolean }): Promise<void> {
  try {
    while (queue.waiting.length > 0) await commitRound(file, queue.waiting);
  } finally {
    queue.writing = false;
    if (queue.waiting.length > 0) {
      queue.writing = true;
      void drain(file, key, queue);
    } else queues.delete(key);
  }
}

/**
 * Updates tokens durably under the pam_oath-compatible lock. Concurrent calls on one file in this
 * process share one lock round, one re-read and one fsync (group commit); each call's updates apply
 * on top of the calls queued before it, exactly as if they had run one after another.
 *
 * @param file - the store's path
 * @param updates - new states for entries as the caller read them
 * @param options - lock timing
 * @returns per-update outcomes: `updated`, or `conflict` with the current entry when its line changed
 *   since it was read (the caller must verify again against `current`)
 * @throws StoreError (reason `locked`, `insecure` or `io`); RangeError for a state that goes backwards
 *   (only this call is refused; others in the same round still land)
 */
export function updateStore(file: string, updates: readonly TokenUpdate[], options: UpdateStoreOptions = {}): Promise<UpdateStoreResult> {
  const key = path.resolve(file);
  return new Promise<UpdateStoreResult>((resolve, reject) => {
    let queue = queues.get(key);
    if (queue === undefined) queues.set(key, (queue = { waiting: [], writing: false }));
    queue.waiting.push({
      updates,
      deadline: Date.now() + (options.lock?.timeoutMs ?? LOCK_DEFAULTS.timeoutMs),
      staleAfterMs: options.lock?.staleAfterMs,
      resolve,
      reject,
    });
    if (!queue.writing) {
      queue.writing = true;
      void drain(file, key, queue);
    }
  });
}
