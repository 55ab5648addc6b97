/**
 * otpd under systemd socket activation (the real `systemd-socket-activate` passes the listening socket
 * as fd 3 with LISTEN_FDS/LISTEN_PID), and the server's connection limit, run in-process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, renameSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DecisionSession } from '../../src/decision/session.js';
import { startServer, type DaemonServer } from '../../src/frontends/pam/server.js';
import { WireErrorCode } from '../../src/protocol/index.js';
import { Client, login, otpdPath, startConversation } from '../support/daemon.js';
import { run } from '../support/run.js';
import { hotp, makeFixture, randomKeyHex, type Fixture } from '../support/store-fixture.js';

/**
 * Starts `node ARGS` the way systemd would: the real systemd-socket-activate when installed, else a
 * listening socket made here and handed down as fd 3, with LISTEN_PID set by `sh -c 'exec'` (same pid).
 */
async function activate(f: Fixture, socket: string, args: readonly string[]): Promise<{ child: ChildProcess; how: string }> {
  const env = { OTPD_STORE: f.store, OTPD_CONFIG: f.config, OTPD_STATE_DIR: f.stateDir };
  if (run('sh', ['-c', 'command -v systemd-socket-activate']).status === 0) {
    // systemd-socket-activate passes only the variables named with -E; it execs on the first connection.
    const pass = Object.entries(env).flatMap(([k, v]) => ['-E', `${k}=${v}`]);
    const child = spawn('systemd-socket-activate', ['-l', socket, ...pass, process.execPath, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    const deadline = Date.now() + 5_000;
    while (!existsSync(socket) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return { child, how: 'systemd-socket-activate' };
  }
  // Listen on a temporary name, hand the fd down, then rename it into place and close ours (libuv's
  // close unlinks the name it bound, which no longer exists).
  const temp = `${socket}.tmp`;
  const listener = net.createServer();
  await new Promise<void>((resolve) => listener.listen(temp, resolve));
  const fd = (listener as unknown as { _handle: { fd: number } })._handle.fd;
  const child = spawn('sh', ['-c', 'LISTEN_PID=$$ LISTEN_FDS=1 exec "$@"', 'sh', process.execPath, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe', fd],
  });
  renameSync(temp, socket);
  await new Promise<void>((resolve) => listener.close(() => resolve()));
  return { child, how: 'fd 3 from the test' };
}

let fx: Fixture | undefined;
let server: DaemonServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
  fx?.cleanup();
  fx = undefined;
});

describe('otpd socket activation and limits', () => {
  it('serves fd 3 (LISTEN_FDS/LISTEN_PID) and ignores --socket', async () => {
    const key = randomKeyHex();
    fx = makeFixture({ name: 'daemon-activate', store: `HOTP alice - ${key} 0\n` });
    const socket = path.join(fx.dir, 'activated.sock');
    const unused = path.join(fx.dir, 'unused', 'otpd.sock');
    const { child, how } = await activate(fx, socket, [otpdPath, '--socket', unused]);
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (status) => resolve(status)));
    try {
      // The socket file appears at bind(), a moment before listen(): retry a refused connection briefly.
      let r: Awaited<ReturnType<typeof login>> | undefined;
      for (const until = Date.now() + 5_000; r === undefined;) {
        try {
          r = await login(socket, { service: 'sshd', user: 'alice' }, () => hotp(key, 0));
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          if ((code !== 'ECONNREFUSED' && code !== 'ENOENT') || Date.now() > until) throw error;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
      expect(r.verdict, `${how}\n${stderr}`).toBe('SUCCESS');
      expect(stderr).toMatch(/listening on fd 3/);
      expect(existsSync(unused)).toBe(false);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited, stderr).toBe(0);
  });

  it('one connection above the limit ⇒ the oldest idle one is told ERROR UNAVAILABLE; the others are served', async () => {
    fx = makeFixture({ name: 'daemon-limit', store: '' });
    const socket = path.join(fx.dir, 'limit.sock');
    const logs: string[] = [];
    server = await startServer({
      listen: { path: socket },
      maxConnections: 2,
      allowUncheckedPeers: true,
      log: (l) => logs.push(l),
      openSession: () => ({
        knowsUser: async () => false,
        issueChallenge: async () => ({ issued: false, reason: 'no-skey-token' }),
        authenticate: async () => ({ accepted: false, code: 'AUTH_FAILED', reason: 'test' }),
        releaseChallenge: async () => undefined,
        abandoned: () => undefined,
        undelivered: () => undefined,
        log: () => undefined,
      }),
    });
    const a = await Client.connect(socket);
    const b = await Client.connect(socket);
    await new Promise((r) => setTimeout(r, 100));
    const c = await Client.connect(socket);
    // Full of idle connections (no AUTH_START yet): the oldest makes room (test/integration/daemon-limits.test.ts).
    expect(await a.next()).toMatchObject({ type: 'ERROR', code: WireErrorCode.UNAVAILABLE });
    for (const served of [b, c]) {
      served.send({ type: 'HELLO', version: 1 });
      expect(await served.next()).toEqual({ type: 'HELLO', version: 1 });
    }
    b.close();
    a.close();
    c.close();
    expect(logs.join('\n')).toMatch(/peer credentials are not checked/);
  });

  it('in-process: the conversation deadline ⇒ ERROR TIMEOUT and the held S/KEY challenge is released; a refused peer ⇒ ERROR PEER_REFUSED', async () => {
    fx = makeFixture({ name: 'daemon-deadline', store: '' });
    const released: string[] = [];
    const policy = (): DecisionSession => ({
      knowsUser: async () => true,
      issueChallenge: async () => ({ issued: true, challenge: 'otp-md5 498 bi0617 ext', token: 'erin/skey', claimId: 'claim-1' }),
      authenticate: async () => ({ accepted: false, code: 'AUTH_FAILED', reason: 'test' }),
      releaseChallenge: async (user) => {
        released.push(user);
      },
      abandoned: () => undefined,
      undelivered: () => undefined,
      log: () => undefined,
    });
    const socket = path.join(fx.dir, 'deadline.sock');
    server = await startServer({ listen: { path: socket }, conversationMs: 300, allowUncheckedPeers: true, log: () => undefined, openSession: policy });
    const { client: c, conv } = await startConversation(socket, 'erin');
    expect(conv).toEqual({ type: 'CONV', style: 'PROMPT_ECHO_OFF', text: 'otp-md5 498 bi0617 ext, Response: ' });
    expect(await c.next(2_000)).toMatchObject({ type: 'ERROR', code: WireErrorCode.TIMEOUT });
    expect((await c.next()).type).toBe('CLOSED');
    await new Promise((r) => setTimeout(r, 50));
    expect(released).toEqual(['erin']);
    await server.stop();

    const refusedSocket = path.join(fx.dir, 'refused.sock');
    server = await startServer({ listen: { path: refusedSocket }, checkPeer: () => 'refused', log: () => undefined, openSession: policy });
    const d = await Client.connect(refusedSocket);
    expect(await d.next()).toMatchObject({ type: 'ERROR', code: WireErrorCode.PEER_REFUSED });
    expect((await d.next()).type).toBe('CLOSED');
  });
});
