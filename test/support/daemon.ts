/**
 * Starts the built daemon (dist/src/daemon/otpd.js, made by `npm run build`) on a temp socket next to
 * a store fixture, and drives it with a small client built from src/protocol (encodeFrame, FrameReader).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { encodeFrame, FrameReader, type AuthStartMessage, type ConvMessage, type Message, type VerdictName } from '../../src/protocol/index.js';
import { repoRoot } from './shared-data.js';
import type { Fixture } from './store-fixture.js';

export const otpdPath = path.join(repoRoot, 'dist', 'src', 'daemon', 'otpd.js');

export interface Daemon {
  readonly child: ChildProcess;
  readonly socket: string;
  /** Everything written to stderr so far. */
  stderr(): string;
  /** Resolves with the exit status when the process ends. */
  readonly exited: Promise<{ status: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then wait for the exit. */
  stop(): Promise<{ status: number | null; signal: NodeJS.Signals | null }>;
}

/** Spawns otpd for the fixture and waits until it listens. */
export async function startDaemon(fx: Fixture, extraArgs: readonly string[] = []): Promise<Daemon> {
  if (!existsSync(otpdPath)) throw new Error(`${otpdPath} is missing: run npm run build (npm test does)`);
  const socket = path.join(fx.dir, 'run', 'otpd.sock');
  const child = spawn(process.execPath, [otpdPath, '--socket', socket, ...extraArgs], { env: fx.env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<{ status: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (status, signal) => resolve({ status, signal })),
  );
  const deadline = Date.now() + 15_000;
  let done = false;
  void exited.then(() => (done = true));
  while (!/listening on/.test(stderr)) {
    if (done) throw new Error(`otpd exited before listening:\n${stderr}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`otpd did not start within 15 s:\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    child,
    socket,
    stderr: () => stderr,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** What the client saw: a message, or the connection's end. */
export type Received = Message | { type: 'CLOSED' };

/** A protocol client on one connection. */
export class Client {
  readonly socket: net.Socket;
  readonly #queue: Received[] = [];
  readonly #waiters: Array<(m: Received) => void> = [];
  #closed = false;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    const reader = new FrameReader({ partialFrameMs: 0 });
    reader.onMessage((m) => this.#deliver(m));
    reader.onError((e) => {
      this.#deliver({ type: 'ERROR', code: -1, message: `client-side: ${e.message}` });
    });
    socket.on('data', (chunk: Buffer) => reader.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.#closed = true;
      this.#deliver({ type: 'CLOSED' });
    });
  }

  static connect(socketPath: string): Promise<Client> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(socketPath);
      socket.once('connect', () => resolve(new Client(socket)));
      socket.once('error', reject);
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  send(message: Message): void {
    this.socket.write(encodeFrame(message));
  }

  sendRaw(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  /** The next message (or CLOSED); rejects after `timeoutMs`. */
  next(timeoutMs = 10_000): Promise<Received> {
    const queued = this.#queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no message within ${timeoutMs} ms`)), timeoutMs);
      this.#waiters.push((m) => {
        clearTimeout(timer);
        resolve(m);
      });
    });
  }

  close(): void {
    this.socket.destroy();
  }

  #deliver(m: Received): void {
    if (m.type === 'CLOSED' && this.#queue.some((q) => q.type === 'CLOSED')) return;
    const waiter = this.#waiters.shift();
    if (waiter !== undefined) waiter(m);
    else this.#queue.push(m);
  }
}

/**
 * Connects, shakes hands and starts a login for `user` on sshd, up to the daemon's first CONV step.
 * @returns the client and that step, for the test to answer (or not)
 */
export async function startConversation(socketPath: string, user: string): Promise<{ client: Client; conv: Received }> {
  const client = await Client.connect(socketPath);
  client.send({ type: 'HELLO', version: 1 });
  const hello = await client.next();
  if (hello.type !== 'HELLO') throw new Error(`expected HELLO, got ${JSON.stringify(hello)}`);
  client.send({ type: 'AUTH_START', service: 'sshd', user });
  const conv = await client.next();
  if (conv.type !== 'CONV') throw new Error(`expected CONV, got ${JSON.stringify(conv)}`);
  return { client, conv };
}

export interface LoginResult {
  verdict?: VerdictName;
  error?: number;
  prompts: ConvMessage[];
  /** The connection ended after the last message. */
  closed: boolean;
}

/** HELLO, AUTH_START, answers every CONV with `answer(conv)`, until RESULT or ERROR. */
export async function login(
  socketPath: string,
  start: Omit<AuthStartMessage, 'type'>,
  answer: (conv: ConvMessage) => string | Promise<string>,
): Promise<LoginResult> {
  const client = await Client.connect(socketPath);
  try {
    client.send({ type: 'HELLO', version: 1 });
    const hello = await client.next();
    if (hello.type !== 'HELLO') return { ...(hello.type === 'ERROR' && { error: hello.code }), prompts: [], closed: hello.type === 'CLOSED' };
    client.send({ type: 'AUTH_START', ...start });
    const prompts: ConvMessage[] = [];
    for (;;) {
      const m = await client.next();
      if (m.type === 'CONV') {
        prompts.push(m);
        client.send({ type: 'ANSWER', response: m.style === 'PROMPT_ECHO_OFF' || m.style === 'PROMPT_ECHO_ON' ? await answer(m) : '' });
        continue;
      }
      const end = await client.next(3_000).catch(() => undefined);
      if (m.type === 'RESULT') return { verdict: m.verdict, prompts, closed: end?.type === 'CLOSED' };
      if (m.type === 'ERROR') return { error: m.code, prompts, closed: end?.type === 'CLOSED' };
      return { prompts, closed: true };
    }
  } finally {
    client.close();
  }
}

/** Audit lines are written after the verdict is sent: waits (up to 5 s) until `ready(codes)` holds. */
export async function auditCodesWhen(fx: Fixture, ready: (codes: string[]) => boolean): Promise<string[]> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const codes = fx.auditCodes();
    if (ready(codes) || Date.now() > deadline) return codes;
    await new Promise((r) => setTimeout(r, 20));
  }
}
