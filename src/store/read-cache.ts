/**
 * The last version of each store this process read or wrote, kept in memory and reused while the file
 * is provably the same: same device, inode, size, modification and change time (the lstat of the checked
 * name, or the fstat of the store as opened and checked, src/store/permissions.ts). A long-running
 * otpd then reads a large store once, not three times per login, and a login's cost stops growing with
 * the number of users for everything but the read under the lock.
 *
 * Reads that are hints use it (src/store/read-store.ts: a login's reads before it decides), so a stale entry
 * — a change within one timestamp tick that kept the size, by a writer ignoring the lock — can only
 * cost a conflict and a re-verification, never a second acceptance. Under the lock, an update may
 * start from the last version remembered ({@link lastIndex}) only to patch lines in place, and only
 * after the bytes it replaces were read back from the file and found identical.
 */
import type { Stats } from 'node:fs';
import path from 'node:path';
import { LineIndex } from './usersfile/line-index.js';

interface Cached {
  readonly key: string;
  readonly index: LineIndex;
  readonly stats: Stats;
}

const cache = new Map<string, Cached>();

/** The identity of one version of a file. */
function versionOf(st: Pick<Stats, 'dev' | 'ino' | 'size' | 'mtimeMs' | 'ctimeMs'>): string {
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
}

/** Whether two stats describe the same version of a file (as far as stat can tell). */
export function sameVersion(a: Stats, b: Stats): boolean {
  return versionOf(a) === versionOf(b);
}

/**
 * @param file - the store's path
 * @param st - its fstat now (opened and checked)
 * @returns the cached index when the file is still that version
 */
export function cachedIndex(file: string, st: Stats): LineIndex | undefined {
  const hit = cache.get(path.resolve(file));
  return hit !== undefined && hit.key === versionOf(st) ? hit.index : undefined;
}

/**
 * Remembers `index` as the content of the version `st` of `file`.
 *
 * @param file - the store's path
 * @param st - the stats of the version the index holds
 * @param index - its content
 */
export function rememberIndex(file: string, st: Stats, index: LineIndex): void {
  cache.set(path.resolve(file), { key: versionOf(st), index, stats: st });
}

/**
 * The last version remembered, whatever the file is now: a base for an update that is then checked
 * against the bytes on disk under the lock (src/store/group-commit.ts, the in-place fast path).
 *
 * @param file - the store's path
 */
export function lastIndex(file: string): { index: LineIndex; stats: Stats } | undefined {
  const hit = cache.get(path.resolve(file));
  return hit === undefined ? undefined : { index: hit.index, stats: hit.stats };
}

/** Forgets a file (after a failed write, whose outcome on disk is unknown). */
export function forgetIndex(file: string): void {
  cache.delete(path.resolve(file));
}
