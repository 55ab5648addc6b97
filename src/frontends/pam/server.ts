/**
 * The daemon's transport: a Unix stream socket (a path created root-only, or fd 3 from systemd socket
 * activation), one {@link FrameReader} and one {@link Conversation} per connection, the handshake and
 * conversation deadlines of docs/protocol.md, and a graceful stop. It knows frames and deadlines; what a
 * message means is the conversation's business.
 *
 * Peer credentials: Node's `net` has no SO_PEERCRED, so the check is the {@link ServerOptions.checkPeer}
 * hook, which otpd.ts fills with the native addon's reader (peer-check.ts). Without a hook (the addon
 * missing) nobody can be vouched for, so every connection is refused (fail closed) and the daemon says
 * so once at start; only tests may ask for such peers to be served ({@link ServerOptions.allowUncheckedPeers}).
 *
 * Slots (docs/daemon.md, "Limits"): at most {@link MAX_CONNECTIONS} connections, of which at most
 * {@link MAX_IDLE_CONNECTIONS} "idle" ones — admitted but without AUTH_START yet, which the PAM module
 * sends right after HELLO. A newcomer that finds either cap reached closes the oldest idle connection
 * rather than being turned away, so connections that only said HELLO cannot keep logins out; only
 * when every slot holds a conversation is it refused. {@link MAX_CONVERSATIONS_PER_USER} conversations
 * per user name at once, so one user's name (anyone can type it at sshd) cannot take all the slots.
 * The server reads AUTH_START's user for that before handing the message on; it reads nothing else.
 */
import { messageOf } from '../../errors.js';
import { chmod, lstat, mkdir, unlink } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { quoteValue } from '../../audit/index.js';
import { Deadlines, encodeFrame, FrameReader, WireErrorCode, type AuthStartMessage, type Message } from '../../protocol/index.js';
import type { DecisionSession } from '../../decision/session.js';
import { Conversation, type ConversationState } from './conversation.js';

/** The default socket path. */
export const DEFAULT_SOCKET = '/run/otpd/otpd.sock';

/**
 * Connections served at once. A newcomer beyond it closes the oldest idle connection; when none is idle
 * (every slot holds a conversation), it is told `ERROR UNAVAILABLE` and closed.
 */
export const MAX_CONNECTIONS = 512;

/**
 * Connections at once that have not sent AUTH_START yet; a newcomer beyond it closes the oldest of them
 * (`ERROR UNAVAILABLE`). The PAM module sends AUTH_START right after HELLO, so a legitimate login is
 * idle for one round trip; a quarter of the slots is far more than a burst of logins needs.
 */
export const MAX_IDLE_CONNECTIONS = 128;

/** Conversations in flight (from AUTH_START to the end of its work) per user name; one more is refused. */
export const MAX_CONVERSATIONS_PER_USER = 8;

/**
 * From HELLO to AUTH_START. Not a protocol deadline (pam/otpd_protocol.h does not know it): the module
 * sends AUTH_START at once, and a connection waiting here holds a slot for nothing.
 */
export const AUTH_START_MS = 5_000;

/** At most one line per this long about idle connections closed to make room (a flood would fill the log). */
const EVICTION_LOG_INTERVAL_MS = 10_000;

/** How long a stopping daemon waits for conversations still waiting on their client. */
export const SHUTDOWN_GRACE_MS = 10_000;

/**
 * The result of a peer check: allowed, refused, or unknown (no way to tell: refused, unless
 * {@link ServerOptions.allowUncheckedPeers}).
 */
export type PeerVerdict = 'allowed' | 'refused' | 'unchecked';

export interface ServerOptions {
  /** Where to listen: a socket path, or `{ fd }` (systemd socket activation). */
  readonly listen: { readonly path: string } | { readonly fd: number };
  /** A new conversation's decision session; `release` is called once the conversation is over. */
  readonly openSession: () => DecisionSession & { release?(): void };
  /** Checks the connecting peer (SO_PEERCRED through the native addon). Absent: 'unchecked'. */
  readonly checkPeer?: (socket: net.Socket) => PeerVerdict;
  /**
   * Serve peers that could not be checked ('unchecked': no `checkPeer`) instead of refusing them with
   * `ERROR PEER_REFUSED`. For tests that run the server without the addon; never set in production.
   * @internal
   */
  readonly allowUncheckedPeers?: boolean;
  /** Whether the client has hung up already (the native addon's poll); absent: only what Node saw. */
  readonly peerGone?: (socket: net.Socket) => boolean;
  /** From the connection to HELLO (default `Deadlines.HANDSHAKE_MS`). */
  readonly handshakeMs?: number;
  /** From HELLO to AUTH_START (default {@link AUTH_START_MS}). */
  readonly authStartMs?: number;
  readonly partialFrameMs?: number;
  readonly conversationMs?: number;
  readonly shutdownGraceMs?: number;
  /** Default {@link MAX_CONNECTIONS}. */
  readonly maxConnections?: number;
  /** Default {@link MAX_IDLE_CONNECTIONS}. */
  readonly maxIdleConnections?: number;
  /** Default {@link MAX_CONVERSATIONS_PER_USER}. */
  readonly maxConversationsPerUser?: number;
  readonly log: (line: string) => void;
}

interface Connection {
  readonly socket: net.Socket;
  readonly conversation: Conversation;
  readonly closed: Promise<void>;
  /** Closes an idle connection to make room for a newcomer, giving its slot back at once. */
  evict(): void;
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

/** A limit from the options: a positive integer, or the default. */
function limit(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`startServer: ${name} must be a positive integer, got ${value}`);
  return value;
}

/**
 * Tells a connection that is not admitted why. The socket stays until the client closes it (at most a
 * second): closed at once, the client's HELLO could meet EPIPE before the client reads the reason.
 * What it sends meanwhile is read and dropped, never decoded.
 */
function turnAway(socket: net.Socket, code: number, message: string): void {
  socket.on('error', () => undefined);
  socket.on('data', (chunk: Buffer) => chunk.fill(0));
  socket.end(encodeFrame({ type: 'ERROR', code, message }));
  setTimeout(() => socket.destroy(), 1_000).unref();
}

/**
 * Counts events and logs at most one line per `intervalMs`: the first at once, later ones summed up.
 * @returns `note` for one event and `flush` to say what is still counted (at stop)
 */
function throttledLog(log: (line: string) => void, intervalMs: number, line: (count: number) => string): { note(): void; flush(): void } {
  let pending = 0;
  let timer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    clearTimeout(timer);
    timer = undefined;
    if (pending === 0) return;
    log(line(pending));
    pending = 0;
    timer = setTimeout(flush, intervalMs);
    timer.unref();
  };
  return {
    note() {
      pending++;
      if (timer === undefined) flush();
    },
    flush() {
      flush();
      clearTimeout(timer);
      timer = undefined;
    },
  };
}

/**
 * Starts listening.
 *
 * @throws RangeError for a limit that is not a positive integer
 * @throws when the socket cannot be created (path in use by a live daemon or by a non-socket, …)
 */
export async function startServer(options: ServerOptions): Promise<DaemonServer> {
  const handshakeMs = options.handshakeMs ?? Deadlines.HANDSHAKE_MS;
  const authStartMs = options.authStartMs ?? AUTH_START_MS;
  const conversationMs = options.conversationMs ?? Deadlines.CONVERSATION_MS;
  const partialFrameMs = options.partialFrameMs ?? Deadlines.PARTIAL_FRAME_MS;
  const graceMs = options.shutdownGraceMs ?? SHUTDOWN_GRACE_MS;
  const maxConnections = limit('maxConnections', options.maxConnections, MAX_CONNECTIONS);
  const maxIdle = limit('maxIdleConnections', options.maxIdleConnections, MAX_IDLE_CONNECTIONS);
  const maxPerUser = limit('maxConversationsPerUser', options.maxConversationsPerUser, MAX_CONVERSATIONS_PER_USER);
  const checkPeer = options.checkPeer ?? ((): PeerVerdict => 'unchecked');
  const servesUnchecked = options.allowUncheckedPeers === true;
  const connections = new Set<Connection>();
  /** Admitted connections without AUTH_START yet and not closing, oldest first (a Set keeps insertion order). */
  const idle = new Set<Connection>();
  /** Conversations in flight per user name. */
  const perUser = new Map<string, number>();
  /** Connections holding a slot: admitted, and not yet ended (nor evicted) with their work done. */
  let slots = 0;
  let stopping = false;
  const evictions = throttledLog(
    options.log,
    EVICTION_LOG_INTERVAL_MS,
    (n) => `closed the oldest idle connection (no AUTH_START yet) to admit a new one${n > 1 ? `, ${n} times` : ''}: at most ${maxIdle} idle and ${maxConnections} in all`,
  );

  const admit = (socket: net.Socket): void => {
    const session = options.openSession();
    slots++;
    let closing = false;
    let released = false;
    /** Gives the slot back (once). */
    const release = (): void => {
      if (released) return;
      released = true;
      slots--;
    };
    const send = (message: Message): void => {
      if (closing || socket.destroyed) return;
      let frame: Buffer;
      try {
        frame = encodeFrame(message);
      } catch (error) {
        // Our own message broke a rule (a text too long…): nothing sensible can follow; the client fails closed.
        options.log(`cannot encode ${message.type}: ${messageOf(error)}`);
        socket.destroy();
        return;
      }
      socket.write(frame, () => frame.fill(0));
    };
    const close = (): void => {
      if (closing) return;
      closing = true;
      idle.delete(connection);
      reader.dispose();
      clearTimeout(handshake);
      clearTimeout(authStart);
      clearTimeout(deadline);
      socket.end();
      // A peer that stops reading must not keep the connection: end() waits for a flush that may never come.
      setTimeout(() => socket.destroy(), 1_000).unref();
      // The slot is free once the conversation's work is: a decision under way still counts.
      void conversation.finished.then(release, release);
    };
    const clientGone = (): boolean => closing || socket.destroyed || socket.readableEnded || (options.peerGone?.(socket) ?? false);
    const conversation = new Conversation(session, { send, close, clientGone });
    const reader = new FrameReader({ partialFrameMs });
    const handshake = setTimeout(() => {
      if (conversation.state === 'start') conversation.fail(WireErrorCode.TIMEOUT, `no HELLO within ${handshakeMs} ms`);
    }, handshakeMs);
    let authStart: NodeJS.Timeout | undefined;
    const deadline = setTimeout(() => conversation.fail(WireErrorCode.TIMEOUT, `conversation longer than ${conversationMs} ms`), conversationMs);
    /** AUTH_START after HELLO: counted against its user, or refused at once when the user has too many. */
    const start = (message: AuthStartMessage): void => {
      clearTimeout(authStart);
      const user = message.user;
      const inFlight = perUser.get(user) ?? 0;
      if (inFlight >= maxPerUser) {
        const why = `too many logins in flight for this user (at most ${maxPerUser})`;
        const where = [`service ${quoteValue(message.service)}`, ...(message.rhost === undefined ? [] : [`rhost ${quoteValue(message.rhost)}`])].join(', ');
        options.log(`refused a login for user ${quoteValue(user)} (${where}): ${inFlight} already in flight, at most ${maxPerUser} per user`);
        // No decision was made, but the attempt is audited as every login attempt is (AUTH_ABORTED).
        session.abandoned({ user, service: message.service, rhost: message.rhost, tty: message.tty }, why);
        conversation.fail(WireErrorCode.UNAVAILABLE, why);
        return;
      }
      idle.delete(connection);
      perUser.set(user, inFlight + 1);
      conversation.receive(message);
      const done = (): void => {
        const left = (perUser.get(user) ?? 1) - 1;
        if (left > 0) perUser.set(user, left);
        else perUser.delete(user);
      };
      void conversation.finished.then(done, done);
    };
    reader.onMessage((message) => {
      if (message.type === 'HELLO' && conversation.state === 'start') {
        clearTimeout(handshake);
        conversation.receive(message);
        // receive() moved the state on (or failed it): read it again, past TypeScript's narrowing.
        if ((conversation.state as ConversationState) === 'hello-done') {
          authStart = setTimeout(() => {
            if (conversation.state === 'hello-done') conversation.fail(WireErrorCode.TIMEOUT, `no AUTH_START within ${authStartMs} ms of HELLO`);
          }, authStartMs);
        }
        return;
      }
      if (message.type === 'AUTH_START' && conversation.state === 'hello-done') return start(message);
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
    const connection: Connection = {
      socket,
      conversation,
      closed,
      evict() {
        idle.delete(connection);
        release(); // idle: no work in flight, and the newcomer needs the slot now
        evictions.note();
        conversation.fail(WireErrorCode.UNAVAILABLE, 'the daemon is busy: closed to admit a new connection (no AUTH_START yet)');
        // Gone as soon as the ERROR is flushed, not a second later: under a flood every second counts.
        if (socket.writableFinished) socket.destroy();
        else socket.once('finish', () => socket.destroy());
      },
    };
    connections.add(connection);
    idle.add(connection);
    void closed.then(async () => {
      close();
      conversation.fail(WireErrorCode.UNEXPECTED, 'connection closed');
      await conversation.finished;
      connections.delete(connection);
      session.release?.();
    });
  };

  const server = net.createServer({ allowHalfOpen: false, pauseOnConnect: false }, (socket) => {
    if (stopping) return turnAway(socket, WireErrorCode.UNAVAILABLE, 'shutting down');
    // Before a slot is taken or an idle connection closed for it: a refused peer must not push anyone out.
    const peer = checkPeer(socket);
    if (peer === 'refused') return turnAway(socket, WireErrorCode.PEER_REFUSED, 'peer not allowed');
    if (peer === 'unchecked' && !servesUnchecked) return turnAway(socket, WireErrorCode.PEER_REFUSED, 'peer credentials cannot be checked');
    if (idle.size >= maxIdle || slots >= maxConnections) {
      const oldest = idle.values().next();
      if (oldest.done === true) return turnAway(socket, WireErrorCode.UNAVAILABLE, 'too many connections');
      oldest.value.evict();
    }
    admit(socket);
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
  if (options.checkPeer === undefined) {
    options.log(
      servesUnchecked
        ? 'peer credentials are not checked (allowUncheckedPeers, for tests): the socket mode 0600 is the only guard'
        : 'peer credentials cannot be checked (the native addon is missing): every connection will be refused',
    );
  }

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
      evictions.flush();
      await closedServer;
    },
  };
}
