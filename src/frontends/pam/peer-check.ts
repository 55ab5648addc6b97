/**
 * What the daemon asks about the other end of a connection, through the native addon (Node's `net`
 * cannot): who it is — only root is served — and whether it has hung up already.
 *
 * Why root only: PAM modules run inside root processes (sshd, su's setuid root, OpenVPN's auth-pam
 * helper forked before privileges are dropped), and a verdict is worth nothing to anyone else — but an
 * ordinary user who could reach the socket could try codes, fill the audit log, or hold S/KEY
 * challenges. The socket's mode 0600 keeps them out; this check is the second fence, made on the
 * connection itself (SO_PEERCRED), so a socket whose mode was loosened, or a descriptor passed by
 * systemd with other permissions, still serves root only.
 */
import { messageOf } from '../../errors.js';
import type net from 'node:net';
import type { PeerInspector } from '../../addon/peer-credentials.js';
import type { PeerVerdict } from './server.js';

/** The only uid served. */
export const ALLOWED_PEER_UID = 0;

/** libuv keeps the descriptor on the socket's handle; Node documents no other way to reach it. */
function descriptorOf(socket: net.Socket): number | undefined {
  const fd = (socket as unknown as { _handle?: { fd?: unknown } })._handle?.fd;
  return typeof fd === 'number' && Number.isSafeInteger(fd) && fd >= 0 ? fd : undefined;
}

/**
 * A `checkPeer` for the server: 'allowed' for a root peer, 'refused' for anyone else and whenever the
 * credentials cannot be read (fail closed). Each refusal is logged with the peer's uid and pid.
 *
 * @param peer - the addon's inspector (src/addon/peer-credentials.ts)
 * @param log - the daemon's log
 */
export function rootOnlyPeerCheck(peer: PeerInspector, log: (line: string) => void): (socket: net.Socket) => PeerVerdict {
  return (socket) => {
    const fd = descriptorOf(socket);
    if (fd === undefined) {
      log('refused a connection: its descriptor is not available for the peer check');
      return 'refused';
    }
    try {
      const who = peer.credentials(fd);
      if (who.uid === ALLOWED_PEER_UID) return 'allowed';
      log(`refused a connection from uid ${who.uid} (pid ${who.pid}): only root may ask otpd`);
    } catch (error) {
      log(`refused a connection: its peer credentials cannot be read (${messageOf(error)})`);
    }
    return 'refused';
  };
}

/**
 * A `peerGone` for the server: true when the client has hung up (or its socket cannot be asked, which
 * is treated as gone: an answer is never decided for a connection we cannot vouch for).
 *
 * @param peer - the addon's inspector
 */
export function hungUpCheck(peer: PeerInspector): (socket: net.Socket) => boolean {
  return (socket) => {
    const fd = descriptorOf(socket);
    if (fd === undefined) return true;
    try {
      return peer.gone(fd);
    } catch {
      return true;
    }
  };
}
