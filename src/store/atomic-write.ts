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
import { closeSync, constants, fdatasync, fstatSync, openSync, readSync, writeSync, type Stats } from 'node:fs';
import { promisify } from 'node:util';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { clearIntent, spansSectors, writeIntent } from './doublewrite.js';
import { StoreError, StoreErrorReasons } from './errors.js';

const fdatasyncAsync = promisify(fdatasync);

async function createNew(newPath: string): Promise<FileHandle> {
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
  try {
    return await open(newPath, flags, 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    await unlink(newPath);
    return await open(newPath, flags, 0o600);
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
  const newPath = `${file}.new`;
  let step = 'create';
  let handle: FileHandle | undefined;
  try {
    handle = await createNew(newPath);
    step = 'chown';
    if (process.getuid?.() === 0) await handle.chown(previous.uid, previous.gid);
    step = 'chmod';
    await handle.chmod(mode);
    step = 'write';
    await handle.writeFile(content);
    step = 'fsync';
    await handle.sync();
    step = 'close';
    await handle.close();
    handle = undefined;
    step = 'rename';
    await rename(newPath, file);
  } catch (err) {
    await handle?.close().catch(() => undefined);
    await unlink(newPath).catch(() => undefined);
    throw new StoreError(StoreErrorReasons.IO, file, `${newPath}: ${step} failed: ${(err as NodeJS.ErrnoException).code ?? 'error'}; ${file} is unchanged`, { cause: err });
  }
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
