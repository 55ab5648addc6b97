/**
 * The store must be a regular file (not a symbolic link) that neither group nor others can read or
 * write, owned by root when otpd runs as root (by the running user otherwise): it holds HMAC keys.
 */
import { lstatSync, type Stats } from 'node:fs';
import { StoreError, StoreErrorReasons } from './errors.js';

/**
 * Checks a store's type, mode and owner.
 *
 * @param file - the store's path
 * @returns its lstat(2) result
 * @throws StoreError (reason `insecure`) saying how to fix it, or (reason `io`) when it cannot be read
 * @example
 * await checkStorePermissions('/etc/users.oath'); // throws "… run chmod 600 /etc/users.oath" for 0644
 */
export async function checkStorePermissions(file: string): Promise<Stats> {
  let st: Stats;
  try {
    st = lstatSync(file); // every login asks: a direct call costs less than the thread pool's round trip
  } catch (err) {
    throw new StoreError(StoreErrorReasons.IO, file, `${file}: cannot read the store: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, { cause: err });
  }
  const insecure = (problem: string): StoreError => new StoreError(StoreErrorReasons.INSECURE, file, `${file}: ${problem}`);
  if (st.isSymbolicLink()) throw insecure('is a symbolic link; give the path of the file itself');
  if (!st.isFile()) throw insecure('is not a regular file');
  const mode = st.mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw insecure(`has mode ${mode.toString(8).padStart(4, '0')}, so group or others can read or write its keys; run chmod 600 ${file}`);
  }
  const uid = process.getuid?.();
  if (uid === 0 && st.uid !== 0) throw insecure(`is owned by uid ${st.uid}, not root; run chown root:root ${file}`);
  if (uid !== undefined && uid !== 0 && st.uid !== uid) {
    throw insecure(`is owned by uid ${st.uid}, not by the running user (uid ${uid})`);
  }
  return st;
}
