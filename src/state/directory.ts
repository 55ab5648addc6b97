/**
 * The state directory must be a real directory (not a symbolic link) that neither group nor others can
 * enter, owned by root when otpd runs as root (by the running user otherwise): it holds the secret
 * that keys the answer tags, and the lock-out state an attacker would love to reset.
 */
import { constants, type Stats } from 'node:fs';
import { chmod, lstat, mkdir, open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { StateError, StateErrorReasons } from './errors.js';

/** Where otpd keeps its state by default. */
export const DEFAULT_STATE_DIR = '/var/lib/otpd';

/** Name of the per-user subdirectory. */
export const USERS_DIR = 'users';

function ioError(file: string, what: string, err: unknown): StateError {
  return new StateError(StateErrorReasons.IO, file, `${file}: ${what}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, { cause: err });
}

/**
 * Checks the type, owner and mode of a directory or file of the state.
 *
 * @param file - its path
 * @param kind - what it must be
 * @returns its lstat(2) result
 * @throws StateError (reason `insecure`) saying how to fix it, (reason `io`) when it cannot be inspected
 * @internal
 */
export async function checkStatePath(file: string, kind: 'directory' | 'file'): Promise<Stats> {
  let st: Stats;
  try {
    st = await lstat(file);
  } catch (err) {
    throw ioError(file, 'cannot inspect it', err);
  }
  const insecure = (problem: string): StateError => new StateError(StateErrorReasons.INSECURE, file, `${file}: ${problem}`);
  if (st.isSymbolicLink()) throw insecure(`is a symbolic link; otpd's state must be the ${kind} itself`);
  if (kind === 'directory' && !st.isDirectory()) throw insecure('is not a directory');
  if (kind === 'file' && !st.isFile()) throw insecure('is not a regular file');
  const mode = st.mode & 0o7777;
  const wanted = kind === 'directory' ? '700' : '600';
  if ((mode & 0o077) !== 0) {
    throw insecure(`has mode ${mode.toString(8).padStart(4, '0')}, so group or others can reach otpd's state; run chmod ${wanted} ${file}`);
  }
  const uid = process.getuid?.();
  if (uid === 0 && st.uid !== 0) throw insecure(`is owned by uid ${st.uid}, not root; run chown root:root ${file}`);
  if (uid !== undefined && uid !== 0 && st.uid !== uid) {
    throw insecure(`is owned by uid ${st.uid}, not by the running user (uid ${uid}); run chown ${uid} ${file}`);
  }
  return st;
}

/** fsync(2) of a directory, so a new entry in it survives a crash. @internal */
export async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
    await handle.sync();
  } catch (err) {
    throw ioError(dir, 'fsync of the directory failed', err);
  } finally {
    await handle?.close();
  }
}

/** Creates a directory 0700 if it is missing (and makes the creation durable). */
async function ensureDirectory(dir: string): Promise<void> {
  try {
    await mkdir(dir, { mode: 0o700 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return;
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      try {
        await mkdir(path.dirname(dir), { recursive: true, mode: 0o755 });
      } catch (err2) {
        throw ioError(path.dirname(dir), 'cannot create it', err2);
      }
      return ensureDirectory(dir);
    }
    throw ioError(dir, 'cannot create it', err);
  }
  try {
    await chmod(dir, 0o700); // mkdir's mode is masked by the umask (0177 under otpd.service: no x bit)
  } catch (err) {
    throw ioError(dir, 'cannot set its mode', err);
  }
  await syncDirectory(path.dirname(dir));
}

/**
 * Makes sure the state directory and its users directory exist (created 0700 when missing) and are
 * safe.
 *
 * @param dir - the state directory (absolute or relative)
 * @returns the absolute paths of the state directory and of its users directory
 * @throws StateError (reason `insecure` or `io`)
 * @internal
 */
export async function prepareStateDir(dir: string): Promise<{ root: string; users: string }> {
  const root = path.resolve(dir);
  await ensureDirectory(root);
  await checkStatePath(root, 'directory');
  const users = path.join(root, USERS_DIR);
  await ensureDirectory(users);
  await checkStatePath(users, 'directory');
  return { root, users };
}
