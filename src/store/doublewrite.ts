/**
 * The doublewrite for an in-place change that spans two disk sectors. A disk writes one 512-byte
 * sector whole or not at all on power loss, but not two: a line across a sector boundary could come
 * back half old, half new — say a new COUNTER with the old LASTOTP, which would let the code just
 * accepted be accepted again. So before such a line is overwritten, the change (offset, old bytes,
 * new bytes, checksum) is written to `<store>.otpd-dw` and synced; after the store's own sync the
 * record is emptied. Whoever takes the store lock next replays a record left by a crash
 * ({@link replayIntent}): where the bytes on disk are old, new, or a sector-by-sector mix of the two,
 * the new bytes are written; anything else means the line has moved on since, and it is left alone.
 *
 * Record: `OTPDDW1\n`, count (u32 BE), then per change offset (u64 BE), length (u32 BE), old bytes,
 * new bytes; last the SHA-256 of everything before it. A record that fails its checksum was itself
 * cut short, before the store was touched, and is ignored.
 */
import { createHash } from 'node:crypto';
import { closeSync, constants, fdatasync, lstatSync, readSync, writeSync, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { promisify } from 'node:util';
import { syncDirectory } from '../durable/replace.js';
import { STORE_ERRORS, StoreError, StoreErrorReasons } from './errors.js';
import { openCheckedStore } from './permissions.js';

const fdatasyncAsync = promisify(fdatasync);

/** The change of one line: `old` at `offset` becomes `bytes` (same length). */
export interface SectorPatch {
  readonly offset: number;
  readonly old: Uint8Array;
  readonly bytes: Uint8Array;
}

/** The unit a disk writes whole or not at all. */
export const SECTOR = 512;

const MAGIC = Buffer.from('OTPDDW1\n', 'latin1');
const MAX_CHANGES = 1024;
const MAX_CHANGE_BYTES = 64 * 1024;
const MAX_RECORD_BYTES = 4 * 1024 * 1024;

/** The record file beside the store. */
export function intentPath(file: string): string {
  return `${file}.otpd-dw`;
}

/** Whether a change spans more than one sector (and so needs the doublewrite). */
export function spansSectors(patch: Pick<SectorPatch, 'offset' | 'bytes'>): boolean {
  const end = patch.offset + patch.bytes.byteLength - 1;
  return Math.floor(patch.offset / SECTOR) !== Math.floor(end / SECTOR);
}

function encode(patches: readonly SectorPatch[]): Buffer {
  const parts: Buffer[] = [MAGIC, u32(patches.length)];
  for (const p of patches) {
    const offset = Buffer.alloc(8);
    offset.writeBigUInt64BE(BigInt(p.offset));
    parts.push(offset, u32(p.bytes.byteLength), Buffer.from(p.old), Buffer.from(p.bytes));
  }
  const body = Buffer.concat(parts);
  return Buffer.concat([body, createHash('sha256').update(body).digest()]);
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

/** The changes in a record, or undefined when it is empty, cut short or not ours. @internal */
export function decodeIntent(record: Buffer): SectorPatch[] | undefined {
  if (record.byteLength < MAGIC.byteLength + 4 + 32 || !record.subarray(0, MAGIC.byteLength).equals(MAGIC)) return undefined;
  const body = record.subarray(0, record.byteLength - 32);
  if (
    !createHash('sha256')
      .update(body)
      .digest()
      .equals(record.subarray(record.byteLength - 32))
  )
    return undefined;
  const count = body.readUInt32BE(MAGIC.byteLength);
  if (count > MAX_CHANGES) return undefined;
  const patches: SectorPatch[] = [];
  let at = MAGIC.byteLength + 4;
  for (let i = 0; i < count; i++) {
    if (body.byteLength - at < 12) return undefined;
    const offset = body.readBigUInt64BE(at);
    const length = body.readUInt32BE(at + 8);
    at += 12;
    if (offset > BigInt(Number.MAX_SAFE_INTEGER) || length > MAX_CHANGE_BYTES || body.byteLength - at < 2 * length) return undefined;
    patches.push({ offset: Number(offset), old: body.subarray(at, at + length), bytes: body.subarray(at + length, at + 2 * length) });
    at += 2 * length;
  }
  return at === body.byteLength ? patches : undefined;
}

async function openIntent(file: string, flags: number): Promise<FileHandle> {
  return open(intentPath(file), flags | constants.O_NOFOLLOW | constants.O_NONBLOCK, 0o600);
}

/**
 * The problem with a record that otpd did not provably write itself — not a regular file, not root's
 * (the running user's when not root), or writable by group or others — or undefined when it is ours.
 * Such a record would put someone else's bytes into the store, or our key bytes into their file.
 */
function foreignRecord(st: Stats): string | undefined {
  if (!st.isFile()) return 'is not a regular file';
  const uid = process.getuid?.();
  if (uid === 0 && st.uid !== 0) return `is owned by uid ${st.uid}, not root`;
  if (uid !== undefined && uid !== 0 && st.uid !== uid) return `is owned by uid ${st.uid}, not by the running user (uid ${uid})`;
  if ((st.mode & 0o022) !== 0) return `has mode ${(st.mode & 0o7777).toString(8).padStart(4, '0')}, so group or others could have written it`;
  return undefined;
}

/** The refusal of a foreign record, with what to do. */
function refuseRecord(file: string, problem: string, use: 'replay' | 'write'): StoreError {
  const record = intentPath(file);
  const what = use === 'replay' ? `so it may not be replayed onto ${file}` : `so no change of ${file} is written into it (the store is unchanged)`;
  return new StoreError(
    StoreErrorReasons.INSECURE,
    file,
    `${record}: ${problem}, ${what}; check that ${file} is intact (otpctl token list), then remove it: rm ${record}`,
  );
}

/**
 * Writes and syncs the record of `patches` before the store is touched. The caller holds the lock.
 *
 * @throws StoreError (reason `io`) when it cannot be written durably (then the store must not be patched)
 */
export async function writeIntent(file: string, patches: readonly SectorPatch[]): Promise<void> {
  const record = encode(patches);
  if (record.byteLength > MAX_RECORD_BYTES)
    throw new StoreError(StoreErrorReasons.IO, file, `${intentPath(file)}: a change of ${record.byteLength} bytes is too large to record`);
  let handle: FileHandle | undefined;
  let created = false;
  try {
    try {
      handle = await openIntent(file, constants.O_WRONLY);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ELOOP') throw refuseRecord(file, 'is a symbolic link', 'write');
      if (code !== 'ENOENT') throw err;
      handle = await openIntent(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL);
      created = true;
    }
    if (!created) {
      // A record left from before must be our own: the change's old and new bytes hold keys.
      const problem = foreignRecord(await handle.stat());
      if (problem !== undefined) throw refuseRecord(file, problem, 'write');
    }
    await handle.truncate(0);
    await handle.write(record, 0, record.byteLength, 0);
    await handle.datasync();
  } catch (err) {
    if (err instanceof StoreError) throw err;
    throw new StoreError(
      StoreErrorReasons.IO,
      file,
      `${intentPath(file)}: cannot record the change: ${(err as NodeJS.ErrnoException).code ?? 'error'}; the store is unchanged`,
      { cause: err },
    );
  } finally {
    await handle?.close().catch(() => undefined);
  }
  if (created) await syncDirectory(file, STORE_ERRORS, 'the store is unchanged'); // the record's name must survive a crash too
}

/** Empties the record once the store's change is durable (no sync needed: a replay is harmless). */
export async function clearIntent(file: string): Promise<void> {
  const handle = await openIntent(file, constants.O_WRONLY).catch(() => undefined);
  try {
    await handle?.truncate(0);
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/** Whether `now` is `old`, `bytes`, or made of their sectors (a write the disk tore). @internal */
export function tornOrOld(now: Uint8Array, patch: SectorPatch): boolean {
  for (let at = 0; at < now.byteLength;) {
    const next = Math.min(now.byteLength, (Math.floor((patch.offset + at) / SECTOR) + 1) * SECTOR - patch.offset);
    const piece = Buffer.from(now.subarray(at, next));
    if (!piece.equals(Buffer.from(patch.old.subarray(at, next))) && !piece.equals(Buffer.from(patch.bytes.subarray(at, next)))) return false;
    at = next;
  }
  return true;
}

/**
 * Completes a change a crash interrupted. The caller holds the store lock. A record is used only if
 * the opened file is a regular file of root's (the running user's when not root) that neither group
 * nor others can write, and only onto a store that passes the store's checks on its opened descriptor
 * (src/store/permissions.ts).
 *
 * @returns `none` (no record), `replayed` (bytes written and synced), or `moved-on` (the line changed
 *   since: nothing written)
 * @throws StoreError (reason `insecure`) for a record someone else could have written (naming it and
 *   what to do) or an unsafe store; (reason `io`) when the store cannot be read or written
 */
export async function replayIntent(file: string): Promise<'none' | 'replayed' | 'moved-on'> {
  // Nearly always there is no record, or an empty one: one direct stat answers that.
  // (throwIfNoEntry: false: no exception object, with its stack, for the common case.)
  try {
    const st = lstatSync(intentPath(file), { throwIfNoEntry: false });
    if (st === undefined || st.size === 0) return 'none';
  } catch {
    // unreadable: the open below says why
  }
  let record: Buffer;
  try {
    const handle = await openIntent(file, constants.O_RDONLY);
    try {
      const st = await handle.stat();
      if (st.isFile() && st.size === 0) return 'none';
      const problem = foreignRecord(st);
      if (problem !== undefined) throw refuseRecord(file, problem, 'replay');
      if (st.size > MAX_RECORD_BYTES) return 'none';
      record = await handle.readFile();
    } finally {
      await handle.close();
    }
  } catch (err) {
    if (err instanceof StoreError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'none';
    if (code === 'ELOOP') throw refuseRecord(file, 'is a symbolic link', 'replay');
    throw new StoreError(StoreErrorReasons.IO, file, `${intentPath(file)}: cannot read: ${code ?? 'error'}`, { cause: err });
  }
  const patches = decodeIntent(record);
  if (patches === undefined) {
    await clearIntent(file); // cut short before the store was touched
    return 'none';
  }
  let wrote = false;
  let movedOn = false;
  // Opened without following a link, and checked as opened: the bytes go into the store checked.
  const { fd } = openCheckedStore(file, constants.O_RDWR);
  try {
    for (const patch of patches) {
      const now = Buffer.alloc(patch.bytes.byteLength);
      const bytesRead = readSync(fd, now, 0, now.byteLength, patch.offset);
      if (bytesRead === now.byteLength && now.equals(patch.bytes)) continue;
      if (bytesRead !== now.byteLength || !tornOrOld(now, patch)) {
        movedOn = true;
        continue;
      }
      let done = 0;
      while (done < patch.bytes.byteLength) done += writeSync(fd, patch.bytes, done, patch.bytes.byteLength - done, patch.offset + done);
      wrote = true;
    }
    if (wrote) await fdatasyncAsync(fd);
  } catch (err) {
    throw new StoreError(
      StoreErrorReasons.IO,
      file,
      `${file}: cannot complete the change recorded in ${intentPath(file)}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`,
      { cause: err },
    );
  } finally {
    closeSync(fd);
  }
  await clearIntent(file);
  return wrote ? 'replayed' : movedOn ? 'moved-on' : 'none';
}
