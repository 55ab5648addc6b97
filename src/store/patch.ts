/**
 * The users.oath store's cheap way to change lines (docs/store.md, "Write strategy"): when every
 * changed line keeps its length, overwrite those bytes in place and fdatasync — no new file, no
 * rename, a cost that does not grow with the file. A line that spans two disk sectors is recorded
 * first (doublewrite.ts), so a power loss can never leave it half old, half new. The other way,
 * replacing the file, is src/durable/replace.ts.
 */
import { closeSync, constants, fdatasync, fstatSync, openSync, readSync, writeSync, type Stats } from 'node:fs';
import { promisify } from 'node:util';
import { clearIntent, spansSectors, writeIntent } from './doublewrite.js';
import { StoreError, StoreErrorReasons } from './errors.js';

const fdatasyncAsync = promisify(fdatasync);

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
export async function patchFileDurably(
  file: string,
  patches: readonly FilePatch[],
  expected: Pick<Stats, 'dev' | 'ino' | 'size'>,
): Promise<'patched' | 'changed'> {
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
