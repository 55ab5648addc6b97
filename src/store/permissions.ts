/**
 * The store must be a regular file (not a symbolic link) that neither group nor others can read or
 * write, owned by root when otpd runs as root (by the running user otherwise): it holds HMAC keys.
 *
 * What is checked is what is read: the store is opened with O_NOFOLLOW and the checks are made again
 * on the opened descriptor (fstat), so a name swapped between the check and the open is never read.
 *
 * Its directory decides who can replace it by rename or plant `FILE.lock`, `FILE.new` or
 * `FILE.otpd-dw` beside it: it must be root's (root's or the running user's when not root) and
 * writable by nobody else — not even with the sticky bit, which stops others replacing the store but
 * not creating those names. Every directory above it must be trusted the same way, except that a
 * sticky one may be world-writable (/tmp): others cannot rename the trusted entry below it.
 * Everything here is a direct call and nothing is remembered: it runs on every login, and an answer
 * kept from before could only be stale.
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, realpathSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';
import { StoreError, StoreErrorReasons } from './errors.js';

const ioError = (file: string, err: unknown): StoreError =>
  new StoreError(StoreErrorReasons.IO, file, `${file}: cannot read the store: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, { cause: err });

const insecure = (file: string, problem: string): StoreError => new StoreError(StoreErrorReasons.INSECURE, file, `${file}: ${problem}`);

/** S_ISVTX, the sticky bit (not in fs.constants). */
const STICKY = 0o1000;

const octal = (mode: number): string => (mode & 0o7777).toString(8).padStart(4, '0');

/** The running user, asked once: a login checks several stats against it, and it does not change. */
const RUNNING_UID = process.getuid?.();
/**
 * Checks one stat of the store (lstat of the name, or fstat of the opened file).
 *
 * @throws StoreError (reason `insecure`) saying how to fix it
 * @internal
 */
export function checkStoreStats(file: string, st: Stats): void {
  if (st.isSymbolicLink()) throw insecure(file, 'is a symbolic link; give the path of the file itself');
  if (!st.isFile()) throw insecure(file, 'is not a regular file');
  const mode = st.mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw insecure(file, `has mode ${mode.toString(8).padStart(4, '0')}, so group or others can read or write its keys; run chmod 600 ${file}`);
  }
  const uid = RUNNING_UID;
  if (uid === 0 && st.uid !== 0) throw insecure(file, `is owned by uid ${st.uid}, not root; run chown root:root ${file}`);
  if (uid !== undefined && uid !== 0 && st.uid !== uid) {
    throw insecure(file, `is owned by uid ${st.uid}, not by the running user (uid ${uid})`);
  }
}

/** Who may own the store's directories: root, and the running user when that is not root. */
function trustedOwner(owner: number): boolean {
  const uid = RUNNING_UID;
  return owner === 0 || uid === undefined || owner === uid;
}

function whoMayOwn(): string {
  const uid = RUNNING_UID;
  return uid === undefined || uid === 0 ? 'root' : `root or the running user (uid ${uid})`;
}

/** The store's own directory: trusted owner, writable by nobody else, sticky or not. */
function checkOwnDirectory(file: string, dir: string, st: Stats): void {
  const uid = RUNNING_UID;
  if (!st.isDirectory()) throw ioError(file, Object.assign(new Error('not a directory'), { code: 'ENOTDIR' }));
  if (!trustedOwner(st.uid)) {
    throw insecure(
      file,
      uid === undefined || uid === 0
        ? `its directory ${dir} is owned by uid ${st.uid}, not root, who could replace the store; run chown root ${dir}`
        : `its directory ${dir} is owned by uid ${st.uid}, not by ${whoMayOwn()}, who could replace the store; move the store to a directory the running user owns`,
    );
  }
  if ((st.mode & 0o022) === 0) return;
  const base = path.basename(file);
  if ((st.mode & STICKY) !== 0) {
    throw insecure(
      file,
      `its directory ${dir} has mode ${octal(st.mode)}: the sticky bit stops others from replacing the store, not from planting ${base}.lock, .new or .otpd-dw beside it; ` +
        (uid === undefined || uid === 0
          ? 'move the store to a directory that only root can write (for example: install -d -m 700 /etc/otpd)'
          : 'move the store to a directory that only the running user can write'),
    );
  }
  throw insecure(
    file,
    `its directory ${dir} has mode ${octal(st.mode)}, so group or others can replace the store or plant ${base}.lock, .new or .otpd-dw beside it; run chmod go-w ${dir}`,
  );
}

/** A directory above the store: trusted owner; writable by others only when sticky. */
function checkAncestor(file: string, dir: string, st: Stats): void {
  if (st.isSymbolicLink()) {
    // A link cannot be changed, only replaced by whoever may write its directory (checked too);
    // in a sticky directory that is its owner.
    if (!trustedOwner(st.uid))
      throw insecure(file, `${dir}, a symbolic link on the store's path, is owned by uid ${st.uid}, not ${whoMayOwn()}; give the store's real path`);
    return;
  }
  if (!st.isDirectory()) return; // the store's lstat/open reports it
  if (!trustedOwner(st.uid)) {
    throw insecure(
      file,
      `${dir}, a directory on the store's path, is owned by uid ${st.uid}, not ${whoMayOwn()}, who could put another store in its place; ` +
        (RUNNING_UID === 0 ? `run chown root ${dir}` : 'move the store to a directory the running user owns'),
    );
  }
  if ((st.mode & 0o022) !== 0 && (st.mode & STICKY) === 0) {
    throw insecure(
      file,
      `${dir}, a directory on the store's path, has mode ${octal(st.mode)}, so group or others can rename it and put another store in its place; run chmod go-w ${dir}`,
    );
  }
}

/** `dir` and each directory above it, up to `/`. */
function* upwards(dir: string): Generator<string> {
  for (let at = dir; ;) {
    yield at;
    const up = path.dirname(at);
    if (up === at) return;
    at = up;
  }
}

/**
 * Checks the store's directory and the directories above it (as written and, if a symbolic link is on
 * the way, as resolved). A handful of lstat(2) calls; nothing is cached.
 *
 * @param file - the store's path
 * @throws StoreError (reason `insecure`) naming the directory and the fix, or (reason `io`) when a
 *   directory cannot be examined
 * @example
 * checkStoreDirectory('/tmp/users.oath'); // throws "… its directory /tmp has mode 1777 …"
 * @internal
 */
export function checkStoreDirectory(file: string): void {
  const dir = path.dirname(path.resolve(file));
  try {
    let sawLink = false;
    for (const at of upwards(dir)) {
      const st = lstatSync(at);
      if (st.isSymbolicLink()) sawLink = true;
      if (at === dir && !st.isSymbolicLink()) checkOwnDirectory(file, dir, st);
      else checkAncestor(file, at, st);
    }
    if (sawLink) {
      // The directories that really hold the store's names.
      const real = realpathSync.native(dir);
      checkOwnDirectory(file, dir, statSync(real));
      for (const at of upwards(path.dirname(real))) if (at !== real) checkAncestor(file, at, lstatSync(at));
    }
  } catch (err) {
    if (err instanceof StoreError) throw err;
    throw ioError(file, err);
  }
}

/**
 * Checks the store's directory and its name (lstat: a link, a device or a FIFO is refused before
 * anything opens it).
 *
 * @param file - the store's path
 * @returns the name's lstat(2): enough to tell the version a cached read holds, without opening it
 * @throws StoreError (reason `insecure` or `io`), as {@link checkStorePermissions}
 * @internal
 */
export function checkStoreName(file: string): Stats {
  checkStoreDirectory(file);
  let named: Stats;
  try {
    named = lstatSync(file); // every login asks: a direct call costs less than the thread pool's round trip
  } catch (err) {
    throw ioError(file, err);
  }
  checkStoreStats(file, named);
  return named;
}

/**
 * Opens the store after checking its directory, without following a symbolic link, and checks the
 * opened file itself (the name is looked at first too, so a device or FIFO is never opened). The caller
 * closes the descriptor.
 *
 * @param file - the store's path
 * @param flags - `O_RDONLY` or `O_RDWR` (O_NOFOLLOW and O_NONBLOCK are added)
 * @param checked - the caller's {@link checkStoreName} of it just before, not to ask twice
 * @returns the descriptor and its fstat(2): the version that will be read
 * @throws StoreError (reason `insecure` or `io`), as {@link checkStorePermissions}
 * @internal
 */
export function openCheckedStore(file: string, flags: number, checked?: Stats): { fd: number; stats: Stats } {
  if (checked === undefined) checkStoreName(file);
  let fd: number;
  try {
    fd = openSync(file, flags | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    // Replaced since the lstat: say what it is now, in the ordinary words.
    if ((err as NodeJS.ErrnoException).code === 'ELOOP') throw insecure(file, 'is a symbolic link; give the path of the file itself');
    throw ioError(file, err);
  }
  try {
    const stats = fstatSync(fd);
    checkStoreStats(file, stats);
    return { fd, stats };
  } catch (err) {
    closeSync(fd);
    if (err instanceof StoreError) throw err;
    throw ioError(file, err);
  }
}

/**
 * Checks a store's directory, type, mode and owner — on the file as opened (O_NOFOLLOW), not only on
 * its name.
 *
 * @param file - the store's path
 * @returns the opened file's fstat(2) result
 * @throws StoreError (reason `insecure`) saying how to fix it, or (reason `io`) when it cannot be read
 * @example
 * await checkStorePermissions('/etc/users.oath'); // throws "… run chmod 600 /etc/users.oath" for 0644
 */
export async function checkStorePermissions(file: string): Promise<Stats> {
  const { fd, stats } = openCheckedStore(file, constants.O_RDONLY);
  closeSync(fd);
  return stats;
}
