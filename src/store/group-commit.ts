/**
 * Updating a users.oath store. An update takes the pam_oath-compatible lock, re-reads the file under
 * it, applies only updates whose line is unchanged since the caller read it, and makes the change
 * durable (in place, or by a whole new file) before the lock is released.
 *
 * Within one process, concurrent updates of one file are a group commit: they queue, one writer takes
 * the lock, re-reads once, applies every queued request in order (each on the result of the previous
 * ones), writes and fsyncs once, releases the lock and then answers each request with its own
 * outcomes. Across processes the lock serialises writers as before.
 */
import { lstatSync } from 'node:fs';
import type { Stats } from 'node:fs';
import path from 'node:path';
import { patchFileDurably } from './patch.js';
import { acquireStoreLock, replaceStoreFile, type StoreLock } from './store-files.js';
import { replayIntent } from './doublewrite.js';
import { StoreError, StoreErrorReasons } from './errors.js';
import { LOCK_DEFAULTS, type LockOptions } from '../durable/lock.js';
import { checkStoreName } from './permissions.js';
import { readIndexed } from './read-store.js';
import { forgetIndex, lastIndex, rememberIndex, sameVersion } from './read-cache.js';
import type { LineIndex } from './usersfile/line-index.js';
import type { UsersFile } from './usersfile/parse.js';
import { UpdateBatch, type TokenUpdate, type UpdateOutcome } from './usersfile/update.js';

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
