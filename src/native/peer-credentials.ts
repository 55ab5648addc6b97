/**
 * The credentials of the process on the other end of a connected Unix socket (SO_PEERCRED), read by
 * the native addon because Node's `net` has no API for it. The daemon uses them to serve only root
 * (docs/daemon.md, "Who may connect").
 */
import { loadAddon, nativeAddonPath } from './native-backend.js';

/** What the kernel recorded for the peer when it connected. */
export interface PeerCredentials {
  readonly pid: number;
  readonly uid: number;
  readonly gid: number;
}

/** Reads the peer credentials of a connected Unix socket's file descriptor; throws on any failure. */
export type PeerCredentialsReader = (fd: number) => PeerCredentials;

/**
 * The addon's SO_PEERCRED reader. Unlike the hot-loop backend it ignores `OTPD_NO_NATIVE` (that
 * switch exists to compare the two OTP backends; there is no TypeScript way to read peer credentials).
 *
 * @param env - where `OTPD_NATIVE_PATH` is read
 * @returns the reader, or an Error saying why the addon could not provide it
 * @example
 * const read = loadPeerCredentials();
 * if (!(read instanceof Error)) read(fd).uid; // 0 for root
 */
export function loadPeerCredentials(env: NodeJS.ProcessEnv = process.env): PeerCredentialsReader | Error {
  try {
    const addon = loadAddon(nativeAddonPath(env));
    return (fd) => {
      if (!Number.isSafeInteger(fd) || fd < 0) throw new RangeError(`not a file descriptor: ${fd}`);
      const { pid, uid, gid } = addon.peerCredentials(fd);
      return { pid, uid, gid };
    };
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}
