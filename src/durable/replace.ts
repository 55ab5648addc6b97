/**
 * Replacing a file durably, while holding its lock (src/durable/lock.ts): write `<file>.new` (O_EXCL,
 * 0600, the old file's owner), fsync it, rename it over the file, fsync the directory. A `.new` left by
 * a writer that died is removed first (only the lock holder may write `.new`, and we hold the lock).
 * pam_oath refuses to log anyone in while a `.new` exists next to its users file, so it is removed on
 * every failure too. The users.oath store's other way, patching lines in place, is the store's own
 * (src/store/patch.ts); see docs/store.md, "Write strategy".
 */
import {
  closeSync,
  constants,
  fchmodSync,
  fchownSync,
  fdatasync,
  fsync,
  ftruncateSync,
  openSync,
  renameSync,
  unlinkSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { promisify } from 'node:util';
import { open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { DurableErrorReasons, type DurableErrors } from './errors.js';

const fdatasyncAsync = promisify(fdatasync);
const fsyncAsync = promisify(fsync);

function createNew(newPath: string): number {
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
  try {
    return openSync(newPath, flags, 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    unlinkSync(newPath);
    return openSync(newPath, flags, 0o600);
  }
}

/** Writes all of `content` at the descriptor's offset 0 onwards (writeSync may write less). @internal */
export function writeAll(fd: number, content: Uint8Array): void {
  let done = 0;
  while (done < content.byteLength) done += writeSync(fd, content, done, content.byteLength - done, done);
}

/**
 * A replacement written to `<file>.new` but not yet in force: {@link StagedReplacement.commit} makes it
 * the file, {@link StagedReplacement.discard} forgets it. Staging first tells, before anything else is
 * done, whether the new version can be written at all (a full disk, a read-only or failing filesystem
 * fail here), which is what a login must know before it verifies an answer (docs/state.md).
 */
export interface StagedReplacement {
  /**
   * Makes the staged bytes (or `content` instead, written over them) durable and the file's: fsync,
   * rename over the file, fsync of the directory. Resolves only when all of it is done.
   * @throws the owner's error (reason `io`) naming the step; the old file is then unchanged, `.new` removed
   */
  commit(content?: Uint8Array): Promise<void>;
  /** Removes `.new`; the file stays as it was. Never throws. */
  discard(): void;
}

/**
 * Writes `content` to `<file>.new` (O_EXCL, the given owner and mode, set before any byte is written).
 * The caller holds the file's lock until it commits or discards.
 *
 * @param file - the file to replace
 * @param content - the new bytes
 * @param previous - the owner the file has (kept), or should get when it does not exist yet
 * @param options - `errors`: the file's owner's (the store's, the state directory's); `mode`: the new
 *   file's (default 0600: stores and state); `sync`: also fdatasync `.new` now (for a filesystem that
 *   failed before: a write that only reaches the page cache proves nothing there)
 * @throws the owner's error (reason `io`) naming the step that failed; nothing is left behind
 */
export async function stageReplacement(
  file: string,
  content: Uint8Array,
  previous: Pick<Stats, 'uid' | 'gid'>,
  options: ReplaceOptions & { readonly sync?: boolean },
): Promise<StagedReplacement> {
  const { errors, mode = 0o600 } = options;
  const newPath = `${file}.new`;
  let step = 'create';
  let fd: number | undefined;
  const fail = (err: unknown): Error => {
    if (fd !== undefined) closeSync(fd);
    fd = undefined;
    try {
      unlinkSync(newPath);
    } catch {
      // already gone
    }
    return errors.error(
      DurableErrorReasons.IO,
      file,
      `${newPath}: ${step} failed: ${(err as NodeJS.ErrnoException).code ?? 'error'}; ${file} is unchanged`,
      err,
    );
  };
  try {
    // Direct calls: a few hundred bytes on a local disk; only the syncs go through the thread pool.
    fd = createNew(newPath);
    step = 'chown';
    if (process.getuid?.() === 0) fchownSync(fd, previous.uid, previous.gid);
    step = 'chmod';
    fchmodSync(fd, mode);
    step = 'write';
    writeAll(fd, content);
    if (options.sync === true) {
      step = 'fsync';
      await fdatasyncAsync(fd);
    }
  } catch (err) {
    throw fail(err);
  }
  let settled = false;
  return {
    async commit(replacement?: Uint8Array): Promise<void> {
      if (settled || fd === undefined) throw new Error('a staged replacement is committed or discarded once');
      settled = true;
      try {
        if (replacement !== undefined) {
          step = 'write';
          ftruncateSync(fd, 0);
          writeAll(fd, replacement);
        }
        step = 'fsync';
        await fsyncAsync(fd);
        step = 'close';
        closeSync(fd);
        fd = undefined;
        step = 'rename';
        renameSync(newPath, file);
      } catch (err) {
        throw fail(err);
      }
      await syncDirectory(file, errors);
    },
    discard(): void {
      if (settled) return;
      settled = true;
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
      try {
        unlinkSync(newPath);
      } catch {
        // already gone: nothing to forget
      }
    },
  };
}

/**
 * fsyncs the directory holding `file`, so a name created or renamed there survives a crash.
 * @param consequence - what the failure means, for its message
 * @throws the owner's error (reason `io`)
 * @internal
 */
export async function syncDirectory(file: string, errors: DurableErrors, consequence = 'the update may not survive a crash'): Promise<void> {
  let dir: FileHandle | undefined;
  try {
    dir = await open(path.dirname(file), constants.O_RDONLY | constants.O_DIRECTORY);
    await dir.sync();
  } catch (err) {
    throw errors.error(
      DurableErrorReasons.IO,
      file,
      `${path.dirname(file)}: fsync of the directory failed: ${(err as NodeJS.ErrnoException).code ?? 'error'}; ${consequence}`,
      err,
    );
  } finally {
    await dir?.close();
  }
}

/** Whose errors a replacement raises, and the new file's mode (default 0600: stores and state). */
export interface ReplaceOptions {
  readonly errors: DurableErrors;
  readonly mode?: number;
}

/**
 * Writes `content` to `file` atomically and durably. The caller holds the file's lock.
 *
 * @param file - the file's path
 * @param content - the new bytes
 * @param previous - lstat of the file being replaced (its owner is kept); for a file that does not
 *   exist yet, the owner it should get (any object with `uid` and `gid`)
 * @param options - the owner's errors; the mode, set before the new file replaces the old one
 * @throws the owner's error (reason `io`) naming the step that failed; the old file is then unchanged
 */
export async function replaceFileDurably(file: string, content: Uint8Array, previous: Pick<Stats, 'uid' | 'gid'>, options: ReplaceOptions): Promise<void> {
  const staged = await stageReplacement(file, content, previous, options);
  await staged.commit();
}
