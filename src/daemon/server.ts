/**
 * The daemon's transport: a Unix stream socket (a path created root-only, or fd 3 from systemd socket
 * activation), one {@link FrameReader} and one {@link Conversation} per connection, the handshake and
 * conversation deadlines of docs/protocol.md, and a graceful stop. It knows frames and deadlines; what a
 * message means is the conversation's business.
 *
 * Peer credentials: Node's `net` has no SO_PEERCRED, so the check is the {@link ServerOptions.checkPeer}
 * hook, which otpd.ts fills with the native addon's reader (peer-check.ts). Without a hook (the addon
 * missing) the socket's mode (0600, root) is the only guard, and the daemon says so in its log.
 */
import { chmod, lstat, mkdir, unlink } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { Deadlines, encodeFrame, FrameReader, WireErrorCode, type Message } from '../protocol/index.js';
import { Conversation, type ConversationPolicy } from './conversation.js';

/** The default socket path. */
export const DEFAULT_SOCKET = '/run/otpd/otpd.sock';

/** Connections served at once; one more is told `ERROR UNAVAILABLE` and closed. */
export const MAX_CONNECTIONS = 512;

/** How long a stopping daemon waits for conversations still waiting on their client. */
export const SHUTDOWN_GRACE_MS = 10_000;

/** The result of a peer check: allowed, refused, or unknown (no way to tell: treated as allowed). */
export type PeerVerdict = 'allowed' | 'refused' | 'unchecked';

export interface ServerOptions {
  /** Where to listen: a socket path, or `{ fd }` (systemd socket activation). */
  readonly listen: { readonly path: string } | { readonly fd: number };
  /** A new conversation's policy; `release` is called once the conversation is over. */
  readonly policy: () => ConversationPolicy & { release?(): void };
  /** Checks the connecting peer (SO_PEERCRED through the native addon). Absent: 'unchecked'. */
  readonly checkPeer?: (socket: net.Socket) => PeerVerdict;
  /** Whether the client has hung up already (the native addon's poll); absent: only what Node saw. */
  readonly peerGone?: (socket: net.Socket) => boolean;
  readonly handshakeMs?: number;
  readonly partialFrameMs?: number;
  readonly conversationMs?: number;
  readonly shutdownGraceMs?: number;
  readonly maxConnections?: number;
  readonly log: (line: string) => void;
}

interface Connection {
  readonly socket: net.Socket;
  readonly conversation: Conversation;
  readonly closed: Promise<void>;
}

export interface DaemonServer {
  /** Where it listens (the path, or `fd N`). */
  readonly address: string;
  /** Open connections. */
  readonly connections: number;
  /**
   * Stops accepting; conversations waiting on their client get `shutdownGraceMs` to finish, then
   * `ERROR UNAVAILABLE`; a decision under way always runs to its end (no half-done store update).
   */
  stop(): Promise<void>;
}

/** systemd socket activation: fd 3 when LISTEN_PID is this process and LISTEN_FDS ≥ 1. */
export function socketActivation(env: NodeJS.ProcessEnv, pid: number = process.pid): number | undefined {
  if (env.LISTEN_PID === undefined || Number(env.LISTEN_PID) !== pid) return undefined;
  const n = Number(env.LISTEN_FDS);
  return Number.isInteger(n) && n >= 1 ? 3 : undefined;
}

/** Makes the socket's directory (0755 when created) and removes a stale socket; refuses anything else. */
async function prepareSocketPath(socketPath: string): Promise<void> {
  if (!path.isAbsolute(socketPath)) throw new Error(`--socket: want an absolute path, got ${socketPath}`);
  await mkdir(path.dirname(socketPath), { recursive: true, mode: 0o755 });
  let st;
  try {
    st = await lstat(socketPath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if (!st.isSocket()) throw new Error(`${socketPath} exists and is not a socket; not removing it`);
  const alive = await new Promise<boolean>((resolve) => {
    const probe = net.connect(socketPath);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  if (alive) throw new Error(`${socketPath}: another daemon is listening there`);
  await unlink(socketPath);
}

function listenOn(server: net.Server, target: { path: string } | { fd: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen('path' in target ? { path: target.path } : { fd: target.fd }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/**
 * Starts listening.
 *
 * @throws when the socket cannot be created (path in use by a live daemon or by a non-socket, …)
 */
export async function startServer(options: ServerOptions): Promise<DaemonServer> {
  const handshakeMs = options.handshakeMs ?? Deadlines.HANDSHAKE_MS;
  const conversationMs = options.conversationMs ?? Deadlines.CONVERSATION_MS;
  const partialFrameMs = options.partialFrameMs ?? Deadlines.PARTIAL_FRAME_MS;
  const graceMs = options.shutdownGraceMs ?? SHUTDOWN_GRACE_MS;
  const maxConnections = options.maxConnections ?? MAX_CONNECTIONS;
  const connections = new Set<Connection>();
  let stopping = false;

  const server = net.createServer({ allowHalfOpen: false, pauseOnConnect: false }, (socket) => {
    if (stopping || connections.size >= maxConnections) {
      socket.on('error', () => undefined);
      socket.end(encodeFrame({ type: 'ERROR', code: WireErrorCode.UNAVAILABLE, message: stopping ? 'shutting down' : 'too many connections' }));
      setTimeout(() => socket.destroy(), 1_000).unref();
      return;
    }
    const policy = options.policy();
    let closing = false;
    const send = (message: Message): void => {
      if (closing || socket.destroyed) return;
      let frame: Buffer;
      try {
        frame = encodeFrame(message);
      } catch (error) {
        // Our own message broke a rule (a text too long…): nothing sensible can follow; the client fails closed.
        options.log(`cannot encode ${message.type}: ${error instanceof Error ? error.message : String(error)}`);
        socket.destroy();
        return;
      }
      socket.write(frame, () => frame.fill(0));
    };
    const close = (): void => {
      if (closing) return;
      closing = true;
      reader.dispose();
      clearTimeout(handshake);
      clearTimeout(deadline);
      socket.end();
      // A peer that stops reading must not keep the connection: end() waits for a flush that may never come.
      setTimeout(() => socket.destroy(), 1_000).unref();
    };
    const clientGone = (): boolean => closing || socket.destroyed || socket.readableEnded || (options.peerGone?.(socket) ?? false);
    const conversation = new Conversation(policy, { send, close, clientGone });
    const reader = new FrameReader({ partialFrameMs });
    const handshake = setTimeout(() => {
      if (conversation.state === 'start') conversation.fail(WireErrorCode.TIMEOUT, `no HELLO within ${handshakeMs} ms`);
    }, handshakeMs);
    const deadline = setTimeout(() => conversation.fail(WireErrorCode.TIMEOUT, `conversation longer than ${conversationMs} ms`), conversationMs);
    reader.onMessage((message) => {
      if (message.type === 'HELLO') clearTimeout(handshake);
      conversation.receive(message);
    });
    reader.onError((error) => conversation.fail(error.wireCode, error.message));
    socket.on('data', (chunk: Buffer) => {
      if (conversation.state === 'done') {
        chunk.fill(0);
        return;
      }
      reader.push(chunk);
      chunk.fill(0); // may hold an authtok or an answer
    });
    socket.on('end', () => {
      reader.end();
      if (conversation.state !== 'done') conversation.fail(WireErrorCode.UNEXPECTED, 'the client closed its side');
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // A client that hangs up early is routine (EPIPE, ECONNRESET); anything else is worth a line.
      if (error.code !== 'EPIPE' && error.code !== 'ECONNRESET') options.log(`connection: ${error.message}`);
    });
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    const connection: Connection = { socket, conversation, closed };
    connections.add(connection);
    void closed.then(async () => {
      close();
      conversation.fail(WireErrorCode.UNEXPECTED, 'connection closed');
      await conversation.finished;
      connections.delete(connection);
      policy.release?.();
    });

    const peer = options.checkPeer?.(socket) ?? 'unchecked';
    if (peer === 'refused') conversation.fail(WireErrorCode.PEER_REFUSED, 'peer not allowed');
  });

  if ('path' in options.listen) {
    const socketPath = options.listen.path;
    await prepareSocketPath(socketPath);
    // Created root-only from the start (umask), then chmod for certainty: no window with a wider mode.
    let previous: number | undefined;
    try {
      previous = process.umask(0o177);
    } catch {
      previous = undefined; // worker threads cannot change the umask; chmod below still applies
    }
    try {
      await listenOn(server, { path: socketPath });
    } finally {
      if (previous !== undefined) process.umask(previous);
    }
    await chmod(socketPath, 0o600);
  } else {
    await listenOn(server, { fd: options.listen.fd });
  }
  const address = 'path' in options.listen ? options.listen.path : `fd ${options.listen.fd}`;
  if (options.checkPeer === undefined) options.log('peer credentials are not checked (the native addon is missing): the socket mode 0600 is the only guard');

  return {
    address,
    get connections() {
      return connections.size;
    },
    async stop() {
      if (stopping) return;
      stopping = true;
      const closedServer = new Promise<void>((resolve) => server.close(() => resolve()));
      const all = (): Promise<unknown> => Promise.all([...connections].map((c) => c.closed.then(() => c.conversation.finished)));
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs);
      });
      await Promise.race([all(), grace]);
      clearTimeout(timer);
      // Decisions under way run to their end and send their verdict: their store update is done. Everyone
      // else (waiting on a client, or on the user after a decision) is told the daemon is going away.
      while (connections.size > 0) {
        for (const c of connections) if (!c.conversation.deciding) c.conversation.fail(WireErrorCode.UNAVAILABLE, 'the daemon is shutting down');
        await Promise.race([all(), new Promise((r) => setTimeout(r, 50))]);
      }
      await closedServer;
    },
  };
}
