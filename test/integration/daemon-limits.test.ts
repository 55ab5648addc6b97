/**
 * The server's connection slots, run in-process on a Unix socket with small limits and a fake policy
 * (docs/daemon.md, "Limits"): the HELLO → AUTH_START deadline, the cap of idle connections (oldest
 * evicted to admit a new one), the hard cap once every slot holds a conversation, and the cap of
 * conversations in flight per user. Peers that could not be checked are refused unless the test-only
 * option allows them.
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DecisionSession } from '../../src/decision/session.js';
import { startServer, type DaemonServer, type ServerOptions } from '../../src/frontends/pam/server.js';
import { WireErrorCode } from '../../src/protocol/index.js';
import { Client, startConversation, type Received } from '../support/daemon.js';
import { makeFixture, type Fixture } from '../support/store-fixture.js';

let fx: Fixture | undefined;
let server: DaemonServer | undefined;
const clients: Client[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await server?.stop();
  server = undefined;
  fx?.cleanup();
  fx = undefined;
});

/** Every user is known and has a plain OTP token; 755224 is the right answer; audits are recorded. */
function fakePolicy(audits: string[]): () => DecisionSession {
  return () => ({
    knowsUser: async () => true,
    issueChallenge: async () => ({ issued: false, reason: 'no-skey-token' }),
    authenticate: async (r) =>
      r.answer === '755224' ? { accepted: true, code: 'AUTH_OK_OTP', reason: 'test' } : { accepted: false, code: 'AUTH_FAILED', reason: 'test' },
    releaseChallenge: async () => undefined,
    abandoned: (r, why) => audits.push(`AUTH_ABORTED ${r.service}/${r.user}: ${why}`),
    undelivered: () => undefined,
    log: () => undefined,
  });
}

interface Started {
  readonly socket: string;
  readonly logs: string[];
  readonly audits: string[];
}

async function start(name: string, options: Partial<ServerOptions>): Promise<Started> {
  fx = makeFixture({ name, store: '' });
  const socket = path.join(fx.dir, `${name}.sock`);
  const logs: string[] = [];
  const audits: string[] = [];
  server = await startServer({ listen: { path: socket }, log: (l) => logs.push(l), openSession: fakePolicy(audits), allowUncheckedPeers: true, ...options });
  return { socket, logs, audits };
}

/** A connection that shook hands and then sends nothing. */
async function idle(socket: string): Promise<Client> {
  const c = await Client.connect(socket);
  clients.push(c);
  c.send({ type: 'HELLO', version: 1 });
  expect(await c.next(2_000)).toEqual({ type: 'HELLO', version: 1 });
  return c;
}

/** A conversation waiting at its prompt. */
async function active(socket: string, user: string): Promise<Client> {
  const { client } = await startConversation(socket, user);
  clients.push(client);
  return client;
}

/** A full login with the right answer; the first message after AUTH_START is returned when it is not a prompt. */
async function loginOnce(socket: string, user: string): Promise<Received> {
  const c = await Client.connect(socket);
  clients.push(c);
  c.send({ type: 'HELLO', version: 1 });
  const hello = await c.next(2_000);
  if (hello.type !== 'HELLO') return hello;
  c.send({ type: 'AUTH_START', service: 'sshd', user });
  const conv = await c.next(2_000);
  if (conv.type !== 'CONV') return conv;
  c.send({ type: 'ANSWER', response: '755224' });
  return c.next(2_000);
}

async function until(check: () => boolean, what: string, ms = 3_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('connection slots', () => {
  it('HELLO without AUTH_START within authStartMs ⇒ ERROR TIMEOUT and close', async () => {
    const { socket } = await start('limits-start', { authStartMs: 150 });
    const t0 = Date.now();
    const c = await idle(socket);
    const error = await c.next(2_000);
    expect(error).toMatchObject({ type: 'ERROR', code: WireErrorCode.TIMEOUT });
    expect(error.type === 'ERROR' && error.message).toMatch(/AUTH_START/);
    expect(Date.now() - t0).toBeLessThan(1_500);
    expect((await c.next(2_000)).type).toBe('CLOSED');
    // A login that starts at once is not affected by the deadline, however long its prompt waits.
    const a = await active(socket, 'alice');
    await new Promise((r) => setTimeout(r, 300));
    a.send({ type: 'ANSWER', response: '755224' });
    expect(await a.next(2_000)).toEqual({ type: 'RESULT', verdict: 'SUCCESS' });
  });

  it('idle connections above maxIdleConnections: the oldest is told ERROR UNAVAILABLE and closed, the new one served', async () => {
    const { socket, logs } = await start('limits-idle', { maxIdleConnections: 3, maxConnections: 10 });
    const [first, second, third] = [await idle(socket), await idle(socket), await idle(socket)];
    const fourth = await idle(socket);
    expect(await first.next(2_000)).toMatchObject({ type: 'ERROR', code: WireErrorCode.UNAVAILABLE });
    expect((await first.next(2_000)).type).toBe('CLOSED');
    expect(second.closed || third.closed).toBe(false);
    await until(() => server!.connections === 3, 'the evicted connection to go');
    // A conversation takes its connection out of the idle ones: it is never evicted for a newcomer.
    fourth.send({ type: 'AUTH_START', service: 'sshd', user: 'alice' });
    expect((await fourth.next(2_000)).type).toBe('CONV');
    await idle(socket);
    await idle(socket);
    expect(await second.next(2_000)).toMatchObject({ type: 'ERROR', code: WireErrorCode.UNAVAILABLE });
    fourth.send({ type: 'ANSWER', response: '755224' });
    expect(await fourth.next(2_000)).toEqual({ type: 'RESULT', verdict: 'SUCCESS' });
    expect(logs.join('\n')).toMatch(/closed the oldest idle connection/);
  });

  it('every slot taken: an idle one makes room for a login; when all hold conversations, the new one is refused', async () => {
    const { socket } = await start('limits-full', { maxConnections: 4, maxIdleConnections: 4, maxConversationsPerUser: 10 });
    const convs = [await active(socket, 'u1'), await active(socket, 'u2'), await active(socket, 'u3')];
    const waiting = await idle(socket);
    expect(server!.connections).toBe(4);
    // Full, but one is idle: it goes, and a whole login is served.
    expect(await loginOnce(socket, 'u4')).toEqual({ type: 'RESULT', verdict: 'SUCCESS' });
    expect(await waiting.next(2_000)).toMatchObject({ type: 'ERROR', code: WireErrorCode.UNAVAILABLE });
    await until(() => server!.connections === 3, 'the finished login to go');
    convs.push(await active(socket, 'u5'));
    // Four conversations in flight: nobody to evict, so the newcomer is refused at once.
    const refused = await Client.connect(socket);
    clients.push(refused);
    const error = await refused.next(2_000);
    expect(error).toMatchObject({ type: 'ERROR', code: WireErrorCode.UNAVAILABLE });
    expect(error.type === 'ERROR' && error.message).toMatch(/too many connections/);
    for (const c of convs) c.send({ type: 'ANSWER', response: '755224' });
    for (const c of convs) expect(await c.next(2_000)).toEqual({ type: 'RESULT', verdict: 'SUCCESS' });
  });

  it('a user with maxConversationsPerUser logins in flight: the next AUTH_START for that user is refused at once, logged and audited; others are served', async () => {
    const { socket, logs, audits } = await start('limits-user', { maxConversationsPerUser: 2 });
    const held = [await active(socket, 'alice'), await active(socket, 'alice')];
    const c = await Client.connect(socket);
    clients.push(c);
    c.send({ type: 'HELLO', version: 1 });
    expect((await c.next(2_000)).type).toBe('HELLO');
    c.send({ type: 'AUTH_START', service: 'sshd', user: 'alice', rhost: '192.0.2.9' });
    const error = await c.next(2_000);
    expect(error).toMatchObject({ type: 'ERROR', code: WireErrorCode.UNAVAILABLE });
    expect(error.type === 'ERROR' && error.message).toMatch(/too many logins in flight for this user/);
    expect((await c.next(2_000)).type).toBe('CLOSED');
    expect(logs.join('\n')).toMatch(/refused a login for user "alice" \(service "sshd", rhost "192\.0\.2\.9"\): 2 already in flight/);
    expect(audits).toEqual([expect.stringMatching(/^AUTH_ABORTED sshd\/alice: too many logins in flight for this user/)]);
    // Another user is not affected.
    expect(await loginOnce(socket, 'bob')).toEqual({ type: 'RESULT', verdict: 'SUCCESS' });
    // One of alice's ends (the client leaves): she may start one again.
    held[0]!.close();
    await until(() => server!.connections <= 2, 'the closed conversation to end');
    expect(await loginOnce(socket, 'alice')).toEqual({ type: 'RESULT', verdict: 'SUCCESS' });
    held[1]!.send({ type: 'ANSWER', response: '755224' });
    expect(await held[1]!.next(2_000)).toEqual({ type: 'RESULT', verdict: 'SUCCESS' });
  });
});

describe('peers that could not be checked', () => {
  it('without checkPeer every connection is refused with ERROR PEER_REFUSED, said once at start', async () => {
    const { socket, logs } = await start('limits-unchecked', { allowUncheckedPeers: false });
    expect(logs.filter((l) => /peer credentials cannot be checked/.test(l))).toHaveLength(1);
    for (let i = 0; i < 3; i++) {
      const c = await Client.connect(socket);
      clients.push(c);
      c.send({ type: 'HELLO', version: 1 });
      expect(await c.next(2_000)).toMatchObject({ type: 'ERROR', code: WireErrorCode.PEER_REFUSED });
      expect((await c.next(2_000)).type).toBe('CLOSED');
    }
    expect(logs.filter((l) => /peer credentials cannot be checked/.test(l))).toHaveLength(1);
  });

  it('allowUncheckedPeers (tests only) serves them, and says so', async () => {
    const { socket, logs } = await start('limits-allowed', { allowUncheckedPeers: true });
    expect(await loginOnce(socket, 'alice')).toEqual({ type: 'RESULT', verdict: 'SUCCESS' });
    expect(logs.join('\n')).toMatch(/peer credentials are not checked/);
  });
});
