/**
 * The other end of a connected Unix socket, read by the native addon because Node's `net` cannot:
 * its credentials (SO_PEERCRED), so the daemon serves only root (docs/daemon.md, "Who may connect"),
 * and whether it has hung up, so an answer whose sender already gave up is not decided for nobody.
 */
import { checkedFd, loadAddon, nativeAddonPath } from './load.js';

/** What the kernel recorded for the peer when it connected. */
export interface PeerCredentials {
  readonly pid: number;
  readonly uid: number;
  readonly gid: number;
}

/** Questions about the peer of a connected socket's file descriptor; each throws on failure. */
export interface PeerInspector {
  credentials(fd: number): PeerCredentials;
  /** True once the peer has closed or shut down its side, even with bytes of it still unread. */
  gone(fd: number): boolean;
}

/**
 * The addon's inspector. Unlike the hot-loop backend it ignores `OTPD_NO_NATIVE` (that switch exists
 * to compare the two OTP backends; there is no TypeScript way to ask these questions).
 *
 * @param env - where `OTPD_NATIVE_PATH` is read
 * @returns the inspector, or an Error saying why the addon could not provide it
 * @example
 * const peer = loadPeerInspector();
 * if (!(peer instanceof Error)) peer.credentials(fd).uid; // 0 for root
 */
export function loadPeerInspector(env: NodeJS.ProcessEnv = process.env): PeerInspector | Error {
  try {
    const addon = loadAddon(nativeAddonPath(env));
    return {
      credentials(fd) {
        const { pid, uid, gid } = addon.peerCredentials(checkedFd(fd));
        return { pid, uid, gid };
      },
      gone: (fd) => addon.peerGone(checkedFd(fd)),
    };
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}
