/**
 * What the state directory's locks need of the kernel and Node cannot ask: open-file-description
 * byte-range locks (fcntl F_OFD_SETLK) and the room left on a filesystem (fstatvfs), through the
 * native addon (native/src/file_lock.c, native/src/fs_room.c). See src/state/state-lock.ts.
 */
import { checkedFd, loadAddon, nativeAddonPath } from './load.js';

/** The room left on a filesystem, as this process may use it (root may use reserved blocks). */
export interface FilesystemRoom {
  readonly readOnly: boolean;
  readonly freeBytes: number;
  readonly freeInodes: number;
}

/** The calls; each throws Error with errno's text on a failure other than the one it reports. */
export interface LockingCalls {
  /**
   * Tries to lock bytes [start, start + len) of `fd`'s file for writing without waiting.
   * @returns true when taken (or held already through this open file description), false when
   *   another open file description holds a conflicting lock
   */
  tryLockRange(fd: number, start: number, len: number): boolean;
  /** Releases bytes [start, start + len) of `fd`'s file. */
  unlockRange(fd: number, start: number, len: number): void;
  /** The room on `fd`'s filesystem. */
  room(fd: number): FilesystemRoom;
}

let loaded: LockingCalls | Error | undefined;

/**
 * The addon's calls, loaded once per process. Like the peer check this ignores `OTPD_NO_NATIVE` (that
 * switch compares the two OTP backends; there is no TypeScript way to make these calls).
 *
 * @param env - where `OTPD_NATIVE_PATH` is read (on the first call)
 * @returns the calls, or an Error saying why the addon could not provide them
 */
export function loadLockingCalls(env: NodeJS.ProcessEnv = process.env): LockingCalls | Error {
  if (loaded !== undefined) return loaded;
  try {
    const addon = loadAddon(nativeAddonPath(env));
    loaded = {
      tryLockRange: (fd, start, len) => addon.tryLockRange(checkedFd(fd), start, len),
      unlockRange: (fd, start, len) => addon.unlockRange(checkedFd(fd), start, len),
      room(fd) {
        const { readOnly, freeBytes, freeInodes } = addon.fsRoom(checkedFd(fd));
        return { readOnly, freeBytes, freeInodes };
      },
    };
  } catch (error) {
    loaded = error instanceof Error ? error : new Error(String(error));
  }
  return loaded;
}
