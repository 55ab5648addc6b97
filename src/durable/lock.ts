/**
 * The lock of a file otpd rewrites (the users.oath store, the state directory's secret), compatible with
 * pam_oath's users-file lock (Debian libpam-oath 2.6.7-3.1+deb12u1, checked with
 * strace): the writer creates `<file>.lock` with O_CREAT|O_EXCL (then takes an fcntl write lock on it,
 * which adds nothing while the name is exclusive), writes `<file>.new` (also O_EXCL), renames it over
 * the file, closes and unlinks the lock. pam_oath never waits: an existing lock fails its login.
 *
 * otpd takes the same lock with O_EXCL, writes its pid into it, keeps the descriptor open for the whole
 * update and unlinks the lock before closing it, so the lock file is open by its owner for as long as it
 * exists. Waiting is polling with backoff until `timeoutMs`.
 *
 * Stale locks (a writer died): a lock file older than `staleAfterMs` that no process has open
 * ({@link provablyStale}) is removed. Removal itself is serialised among otpd processes by flock(2) on
 * the store's directory (held by a `flock(1)` child that the kernel releases if we die), and repeated
 * under that lock against the same inode, so two breakers can never both remove a lock and both enter:
 * the only way to enter is still the O_EXCL create. pam_oath never removes a lock.
 */
import { spawn } from 'node:child_process';
import { closeSync, constants, fstatSync, lstatSync, openSync, unlinkSync, writeSync, type Stats } from 'node:fs';
import { lstat, open, unlink } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DurableErrorReasons, type DurableErrors } from './errors.js';
import { provablyStale } from './liveness.js';

/** How long to wait and when a lock counts as abandoned. */
export interface LockOptions {
  /** Give up after this long (default 10 s). */
  readonly timeoutMs?: number;
  /** A lock file younger than this is never judged stale (default 30 s). */
  readonly staleAfterMs?: number;
}

/** Defaults, frozen. */
export const LOCK_DEFAULTS = Object.freeze({ timeoutMs: 10_000, staleAfterMs: 30_000, firstPollMs: 1, maxPollMs: 50 });

/** A held lock. `release` unlinks it, then closes it; it is safe to call twice. */
export interface FileLock {
  readonly lockPath: string;
  release(): Promise<void>;
}

function lockAge(st: Stats): number {
  return Date.now() - Math.max(st.mtimeMs, st.ctimeMs);
}

async function describeHolder(lockPath: string): Promise<string> {
  try {
    // Never through a link, nor blocking on a FIFO someone put there; a pid line is short.
    const handle = await open(lockPath, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    let text: string;
    try {
      const buffer = Buffer.alloc(64);
      const { bytesRead } = await handle.read(buffer, 0, buffer.byteLength, 0);
      text = buffer.subarray(0, bytesRead).toString('utf8').trim();
    } finally {
      await handle.close();
    }
    const m = /^([0-9]+) otpd$/.exec(text);
    return m ? `otpd process ${m[1]}` : text.length === 0 ? 'pam_oath or another OATH Toolkit writer' : 'an unknown writer';
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ELOOP' ? 'a symbolic link someone put there, not a writer' : 'a writer that just finished';
  }
}

/** Holds flock(2) on a directory through a `flock(1)` child until `release` (or our death). @internal */
async function withDirectoryFlock<T>(dir: string, work: () => Promise<T>): Promise<T> {
  const child = spawn('flock', ['--exclusive', dir, 'sh', '-c', 'echo locked; exec cat >/dev/null'], {
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const locked = await new Promise<boolean>((resolve) => {
    child.stdout.once('data', () => resolve(true));
    child.once('error', () => resolve(false));
    child.once('close', () => resolve(false));
  });
  try {
    if (!locked) throw new Error('flock(1) could not lock the store directory');
    return await work();
  } finally {
    child.stdin.end();
    await exited;
  }
}

/**
 * Whether `now` is the very file `st` described: same inode *and* same change time. An inode number
 * alone is not enough: when another breaker removed the stale lock, the next writer's new lock may get
 * the freed inode number, and must then be judged on its own (young) age, not on the old file's.
 */
function sameFile(now: Stats, st: Stats): boolean {
  return now.dev === st.dev && now.ino === st.ino && now.ctimeMs === st.ctimeMs && now.mtimeMs === st.mtimeMs;
}

/** Removes the lock file if it is still the stale file `st`, and still stale. @internal */
async function breakStaleLock(lockPath: string, st: Stats, staleAfterMs: number): Promise<void> {
  await withDirectoryFlock(path.dirname(lockPath), async () => {
    let now: Stats;
    try {
      now = await lstat(lockPath);
    } catch {
      return; // already gone
    }
    if (!sameFile(now, st) || lockAge(now) < staleAfterMs) return; // a new lock: not ours to judge
    if (!(await provablyStale(now))) return;
    await unlink(lockPath);
  });
}

/**
 * Takes the lock `<file>.lock`.
 *
 * @param file - the locked file's path
 * @param errors - how the file's owner builds its errors (the store's, the state directory's)
 * @param options - timeout and stale grace period
 * @returns the held lock
 * @throws the owner's error: reason `locked` naming the holder when the wait runs out, `io` when the
 *   lock cannot be created for another reason
 */
export async function acquireFileLock(file: string, errors: DurableErrors, options: LockOptions = {}): Promise<FileLock> {
  const lockPath = `${file}.lock`;
  const timeoutMs = options.timeoutMs ?? LOCK_DEFAULTS.timeoutMs;
  const staleAfterMs = options.staleAfterMs ?? LOCK_DEFAULTS.staleAfterMs;
  const deadline = Date.now() + timeoutMs;
  let pollMs: number = LOCK_DEFAULTS.firstPollMs;
  for (;;) {
    let fd: number | undefined;
    try {
      // Direct calls: microseconds on a local file, less than a trip through libuv's thread pool
      // (measured: the trips cost a login more than the journal waits they would spare the loop).
      fd = openSync(lockPath, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw errors.error(DurableErrorReasons.IO, file, `${lockPath}: cannot create the lock: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, err);
      }
    }
    if (fd !== undefined) return held(lockPath, fd);

    let st: Stats | undefined;
    try {
      st = await lstat(lockPath);
    } catch {
      continue; // released between our open and lstat: try again at once
    }
    if (lockAge(st) >= staleAfterMs && (await provablyStale(st))) {
      await breakStaleLock(lockPath, st, staleAfterMs);
      continue;
    }
    if (Date.now() >= deadline) {
      const holder = await describeHolder(lockPath);
      throw errors.error(
        DurableErrorReasons.LOCKED,
        file,
        `${lockPath}: held by ${holder} for ${Math.round(lockAge(st))} ms; waited ${timeoutMs} ms. ` + `If no writer is running, remove ${lockPath}.`,
      );
    }
    await sleep(pollMs * (0.5 + Math.random()));
    pollMs = Math.min(pollMs * 2, LOCK_DEFAULTS.maxPollMs);
  }
}

function held(lockPath: string, fd: number): FileLock {
  const mine = fstatSync(fd);
  try {
    writeSync(fd, `${process.pid} otpd\n`);
  } catch {
    // the pid is informative only
  }
  let released = false;
  return {
    lockPath,
    async release(): Promise<void> {
      if (released) return;
      released = true;
      try {
        const now = lstatSync(lockPath, { throwIfNoEntry: false });
        // Unlink only our own inode (ours cannot have been judged stale: we hold it open).
        if (now !== undefined && now.dev === mine.dev && now.ino === mine.ino) unlinkSync(lockPath);
      } finally {
        closeSync(fd);
      }
    },
  };
}
