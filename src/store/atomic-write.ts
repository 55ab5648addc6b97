/**
 * Changing the store durably, while holding its lock, in one of two ways (docs/store.md, "Write
 * strategy"):
 * - replace: write `<file>.new` (O_EXCL, 0600, the old file's owner), fsync it, rename it over the
 *   file, fsync the directory. A `.new` left by a writer that died is removed first (only the lock
 *   holder may write `.new`, and we hold the lock). pam_oath refuses to log anyone in while a `.new`
 *   exists, so it is removed on every failure too.
 * - patch: when every changed line keeps its length, overwrite those bytes in place and fdatasync: no
 *   new file, no rename, a cost that does not grow with the file. A line that spans two disk sectors
 *   is recorded first (doublewrite.ts), so a power loss can never leave it half old, half new.
 */
import { closeSync, constants, fchmodSync, fchownSync, fdatasync, fstatSync, fsync, ftruncateSync, openSync, readSync, renameSync, unlinkSync, writeSync, type Stats } from 'node:fs';
import { promisify } from 'node:util';
import { open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { clearIntent, spansSectors, writeIntent } from './doublewrite.js';
import { StoreError, StoreErrorReasons } from './errors.js';

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

function writeAll(fd: number, content: Uint8Array): void {
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
   * @throws StoreError (reason `io`) naming the step; the old file is then unchanged, `.new` removed
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
 * @param mode - the new file's mode (0600: stores and state)
 * @param options - `sync`: also fdatasync `.new` now (for a filesystem that failed before: a
 *   write that only reaches the page cache proves nothing there)
 * @throws StoreError (reason `io`) naming the step that failed; nothing is left behind
 */
export async function stageReplacement(
  file: string,
  content: Uint8Array,
  previous: Pick<Stats, 'uid' | 'gid'>,
  mode = 0o600,
  options: { readonly sync?: boolean } = {},
): Promise<StagedReplacement> {
  const newPath = `${file}.new`;
  let step = 'create';
  let fd: number | undefined;
  const fail = (err: unknown): StoreError => {
    if (fd !== undefined) closeSync(fd);
    fd = undefined;
    try {
      unlinkSync(newPath);
    } catch {
      // already gone
    }
    return new StoreError(StoreErrorReasons.IO, file, `${newPath}: ${step} failed: ${(err as NodeJS.ErrnoException).code ?? 'error'}; ${file} is unchanged`, { cause: err });
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
      await syncDirectory(file);
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

async function syncDirectory(file: string): Promise<void> {
  let dir: FileHandle | undefined;
  try {
    dir = await open(path.dirname(file), constants.O_RDONLY | constants.O_DIRECTORY);
    await dir.sync();
  } catch (err) {
    throw new StoreError(StoreErrorReasons.IO, file, `${path.dirname(file)}: fsync of the directory failed: ${(err as NodeJS.ErrnoException).code ?? 'error'}; the update may not survive a crash`, { cause: err });
  } finally {
    await dir?.close();
  }
}

/**
 * Writes `content` to `file` atomically and durably. The caller holds the store lock.
 *
 * @param file - the store's path
 * @param content - the new bytes
 * @param previous - lstat of the file being replaced (its owner is kept); for a file that does not
 *   exist yet, the owner it should get (any object with `uid` and `gid`)
 * @param mode - the new file's mode, set before it replaces the old one (0600: stores and state)
 * @throws StoreError (reason `io`) naming the step that failed; the old file is then unchanged
 */
export async function replaceFileDurably(file: string, content: Uint8Array, previous: Pick<Stats, 'uid' | 'gid'>, mode = 0o600): Promise<void> {
  const staged = await stageReplacement(file, content, previous, mode);
  await staged.commit();
}

/** A change of bytes at an offset: `old` (what must be there now) becomes `bytes` (same length). */
export interface FilePatch {
  readonly offset: number;
  readonly old: Uint8Array;
  readonly bytes: Uint8Array;
}

/**
 * Overwrites bytes of `file` in place and makes them durable (fdatasync). The caller holds the store
 * lock. Nothing is written unless the file is still the expected one (same inode and size) and every
 * patch's `old` bytes are what the file holds at its offset (read back under the lock).
 *
 * @param file - the store's path
 * @param patches - same-length replacements (from UpdateBatch.inPlaceEdits)
 * @param expected - the stats of the version the patches were computed on
 * @returns `patched`, or `changed` when the file is not that version any more (nothing written)
 * @throws StoreError (reason `io`) when a read, write or sync failed
 */
export async function patchFileDurably(file: string, patches: readonly FilePatch[], expected: Pick<Stats, 'dev' | 'ino' | 'size'>): Promise<'patched' | 'changed'> {
  // Everything but the sync is a call of microseconds on a local file: made directly, it costs less
  // than a trip through libuv's thread pool, which a login would otherwise take a dozen times.
  let fd: number | undefined;
  let step = 'open';
  try {
    fd = openSync(file, constants.O_RDWR | constants.O_NOFOLLOW);
    const now = fstatSync(fd);
    if (now.dev !== expected.dev || now.ino !== expected.ino || now.size !== expected.size) return 'changed';
    step = 'read back';
    for (const { offset, old } of patches) {
      const seen = Buffer.alloc(old.byteLength);
      const bytesRead = readSync(fd, seen, 0, seen.byteLength, offset);
      if (bytesRead !== old.byteLength || !seen.equals(old)) return 'changed';
    }
    const recorded = patches.some(spansSectors);
    if (recorded) await writeIntent(file, patches);
    step = 'write';
    for (const { offset, bytes } of patches) {
      let done = 0;
      while (done < bytes.byteLength) done += writeSync(fd, bytes, done, bytes.byteLength - done, offset + done);
    }
    step = 'fdatasync';
    await fdatasyncAsync(fd);
    if (recorded) await clearIntent(file);
    return 'patched';
  } catch (err) {
    if (err instanceof StoreError) throw err;
    throw new StoreError(StoreErrorReasons.IO, file, `${file}: in-place ${step} failed: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, { cause: err });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
