/**
 * The per-user locks of the state directory: one long-lived file, `<state>/users.lock`, and for each
 * user one byte of it, at an offset derived from the user's state file path, locked with an
 * open-file-description lock (fcntl F_OFD_SETLK, through the native addon: Node has no call for it).
 *
 * Why not a `.lock` file per login, as the users.oath store must have for pam_oath: creating and
 * removing a file is a directory change the filesystem's journal orders behind every other login's
 * fsync, and that halved the throughput of many logins at once (docs/benchmarks.md). A byte-range lock
 * is a kernel record: no file is made, no stale lock is ever left (the kernel drops a holder's locks
 * when it closes the file or dies), and the concurrent logins of one process share one descriptor
 * (an open file description never conflicts with itself; one process's logins of one user are queued
 * in memory by src/state/user-file.ts) while other processes — otpctl, another daemon — are excluded
 * byte by byte.
 *
 * The lock is also where a decision asks for room: {@link HeldStateLock.checkRoom} refuses before an
 * answer is verified when the state's filesystem is read-only or too full to record the attempt.
 */
import { closeSync, constants, fstatSync, lstatSync, openSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadLockingCalls, type LockingCalls } from '../addon/locking.js';
import { StateError, StateErrorReasons } from './errors.js';

/** The lock file's name in the state directory. */
export const STATE_LOCK_FILE = 'users.lock';

/**
 * Room a decision needs beyond the bytes of the version it stages: the `.new` file's inode and
 * blocks rounded up, a directory block, the journal. A filesystem with less is treated as full.
 */
export const ROOM_MARGIN_BYTES = 64 * 1024;

const POLL = Object.freeze({ firstMs: 1, maxMs: 50 });

/** A held user lock. */
export interface HeldStateLock {
  /**
   * Throws unless the state's filesystem is writable and has room for `bytes` more (plus
   * {@link ROOM_MARGIN_BYTES}) and an inode: asked before an attempt is verified.
   * @throws StateError (reason `io`) saying which
   */
  checkRoom(bytes: number): void;
  /** Releases the lock; safe to call twice. */
  release(): void;
}

/** The open lock file, shared by this process's concurrent decisions. */
interface OpenLockFile {
  readonly fd: number;
  readonly dev: number;
  readonly ino: number;
  /**
   * How many of this process's decisions hold each byte (a byte with none has no entry): two users
   * whose offsets collide share a byte, and it may only be unlocked when the last of them is done.
   */
  readonly bytes: Map<number, number>;
  /** Replaced by a newer descriptor (the file was removed or replaced): closed once unheld. */
  retired: boolean;
  closed: boolean;
}

/** 32-bit FNV-1a over the key's UTF-16 code units, from `basis`. */
function fnv1a(key: string, basis: number): number {
  let h = basis;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/**
 * The byte of the lock file that stands for `key`: 48 bits, two FNV-1a hashes with different bases
 * (within JavaScript's safe integers). Not a cryptographic hash, and it need not be: only enrolled
 * users get a lock of their own (an unknown name shares the decoy's), and a collision only makes two
 * users wait for each other across processes. A SHA-256 per login cost more than the lock itself.
 */
export function lockOffset(key: string): number {
  return fnv1a(key, 0x811c9dc5) * 0x10000 + (fnv1a(key, 0x050c5d1f) >>> 16);
}

/** The per-user locks of one state directory, in one process. @internal */
export class StateLocks {
  #open: OpenLockFile | undefined;

  /**
   * @param lockFile - `<state>/users.lock` (created on first use, never removed)
   * @param timeoutMs - how long to wait for another process's hold before refusing
   */
  constructor(
    readonly lockFile: string,
    readonly timeoutMs: number,
  ) {}

  /**
   * Takes the lock that stands for `key` (a user's state file path), waiting up to `timeoutMs` for
   * another process to release it.
   *
   * @throws StateError (reason `locked`) when the wait runs out; (`insecure`) when the lock file is a
   *   link, not a regular file, not ours or open to others; (`io`) when it cannot be opened or locked
   */
  async acquire(key: string): Promise<HeldStateLock> {
    const calls = this.#calls();
    const offset = lockOffset(key);
    const deadline = Date.now() + this.timeoutMs;
    let pollMs: number = POLL.firstMs;
    for (;;) {
      const file = this.#file();
      if (file.bytes.has(offset) || this.#tryLock(calls, file, offset)) {
        if (this.#stillTheFile(file)) return this.#held(calls, file, offset);
        if (!file.bytes.has(offset)) this.#unlock(calls, file, offset);
        this.#retire(file);
        continue;
      }
      if (Date.now() >= deadline) {
        throw new StateError(
          StateErrorReasons.LOCKED,
          this.lockFile,
          `${this.lockFile}: another process (otpd or otpctl) has held the lock of ${key} for all of ${this.timeoutMs} ms; ` +
            `it is released when that process finishes or dies (fuser -v ${this.lockFile} lists who has the file open)`,
        );
      }
      await sleep(pollMs * (0.5 + Math.random()));
      pollMs = Math.min(pollMs * 2, POLL.maxMs);
    }
  }

  #calls(): LockingCalls {
    const calls = loadLockingCalls();
    if (calls instanceof Error) {
      throw new StateError(
        StateErrorReasons.IO,
        this.lockFile,
        `${this.lockFile}: cannot lock users' state: ${calls.message.split('\n', 1)[0] ?? ''}. ` +
          'otpd needs its native addon for these locks; rebuild it (npm run build:native) or reinstall the package',
        { cause: calls },
      );
    }
    return calls;
  }

  /** The shared descriptor, opened (creating the file) when there is none. */
  #file(): OpenLockFile {
    if (this.#open !== undefined && !this.#open.retired) return this.#open;
    let fd: number;
    try {
      // Direct calls: opening a file that exists changes no directory, and this runs once per
      // process (or after the file was replaced); the thread pool would only add a round trip.
      fd = openSync(this.lockFile, constants.O_RDWR | constants.O_CREAT | constants.O_NOFOLLOW | constants.O_NONBLOCK, 0o600);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ELOOP') throw new StateError(StateErrorReasons.INSECURE, this.lockFile, `${this.lockFile}: is a symbolic link; remove it`, { cause: err });
      throw new StateError(StateErrorReasons.IO, this.lockFile, `${this.lockFile}: cannot open the users' lock file: ${code ?? 'error'}`, { cause: err });
    }
    try {
      const st = fstatSync(fd);
      const insecure = (problem: string): StateError => new StateError(StateErrorReasons.INSECURE, this.lockFile, `${this.lockFile}: ${problem}`);
      if (!st.isFile()) throw insecure('is not a regular file; remove it');
      const uid = process.geteuid?.() ?? 0;
      if (st.uid !== uid) throw insecure(`is owned by uid ${st.uid}, not by otpd's uid ${uid}; remove it`);
      if ((st.mode & 0o077) !== 0) throw insecure(`has mode ${(st.mode & 0o7777).toString(8).padStart(4, '0')}; run chmod 600 ${this.lockFile}`);
      this.#open = { fd, dev: st.dev, ino: st.ino, bytes: new Map(), retired: false, closed: false };
      return this.#open;
    } catch (err) {
      closeSync(fd);
      throw err;
    }
  }

  #tryLock(calls: LockingCalls, file: OpenLockFile, offset: number): boolean {
    try {
      return calls.tryLockRange(file.fd, offset, 1);
    } catch (err) {
      throw new StateError(StateErrorReasons.IO, this.lockFile, `${this.lockFile}: cannot lock: ${(err as Error).message}`, { cause: err });
    }
  }

  #unlock(calls: LockingCalls, file: OpenLockFile, offset: number): void {
    try {
      calls.unlockRange(file.fd, offset, 1);
    } catch {
      // Cannot happen on a descriptor we hold open; should it, closing the file releases the byte.
      this.#retire(file);
    }
  }

  /** Whether the path still names the file we locked (an administrator may have removed it). */
  #stillTheFile(file: OpenLockFile): boolean {
    const now = lstatSync(this.lockFile, { throwIfNoEntry: false });
    return now !== undefined && now.dev === file.dev && now.ino === file.ino;
  }

  #retire(file: OpenLockFile): void {
    file.retired = true;
    if (this.#open === file) this.#open = undefined;
    this.#closeIfDone(file);
  }

  #closeIfDone(file: OpenLockFile): void {
    if (!file.retired || file.bytes.size > 0 || file.closed) return;
    file.closed = true;
    closeSync(file.fd);
  }

  #held(calls: LockingCalls, file: OpenLockFile, offset: number): HeldStateLock {
    file.bytes.set(offset, (file.bytes.get(offset) ?? 0) + 1);
    let released = false;
    return {
      checkRoom: (bytes) => {
        let room;
        try {
          room = calls.room(file.fd);
        } catch (err) {
          throw new StateError(StateErrorReasons.IO, this.lockFile, `${this.lockFile}: cannot ask its filesystem for room: ${(err as Error).message}`, {
            cause: err,
          });
        }
        if (room.readOnly) throw new StateError(StateErrorReasons.IO, this.lockFile, `${this.lockFile}: the state directory's filesystem is read-only (EROFS)`);
        if (room.freeBytes < bytes + ROOM_MARGIN_BYTES || room.freeInodes < 2) {
          throw new StateError(
            StateErrorReasons.IO,
            this.lockFile,
            `${this.lockFile}: the state directory's filesystem is full (ENOSPC: ${room.freeBytes} bytes and ${room.freeInodes} inodes free)`,
          );
        }
      },
      release: () => {
        if (released) return;
        released = true;
        const sharing = (file.bytes.get(offset) ?? 1) - 1;
        if (sharing > 0) file.bytes.set(offset, sharing);
        else {
          file.bytes.delete(offset);
          if (!file.closed) this.#unlock(calls, file, offset);
        }
        this.#closeIfDone(file);
      },
    };
  }
}
