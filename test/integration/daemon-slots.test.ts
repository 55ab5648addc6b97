/**
 * The built otpd's connection slots with its default limits (docs/daemon.md, "Limits"): 512
 * connections that only said HELLO, held open, do not keep a real login out (the newest 128 of them
 * stay open, the cap of idle connections held full, when the login comes); nor do a user's 8
 * logins waiting at their prompt keep out another user, while that user's ninth is refused at once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_CONNECTIONS, MAX_CONVERSATIONS_PER_USER, MAX_IDLE_CONNECTIONS } from '../../src/frontends/pam/server.js';
import { WireErrorCode } from '../../src/protocol/index.js';
import { Client, login, startConversation, startDaemon, type Daemon } from '../support/daemon.js';
import { hotp, makeFixture, randomKeyHex, type Fixture } from '../support/store-fixture.js';

let fx: Fixture | undefined;
let daemon: Daemon | undefined;
const clients: Client[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await daemon?.stop();
  daemon = undefined;
  fx?.cleanup();
  fx = undefined;
});

/** Connects and says HELLO; resolves with the daemon's first reply (HELLO, or ERROR when evicted early). */
async function helloOnly(socket: string): Promise<Client> {
  const c = await Client.connect(socket);
  clients.push(c);
  c.send({ type: 'HELLO', version: 1 });
  await c.next(5_000);
  return c;
}

describe('otpd connection slots', () => {
  it(`${MAX_CONNECTIONS} idle connections (HELLO only, held open) ⇒ a real login is still served`, async () => {
    const key = randomKeyHex();
    fx = makeFixture({ name: 'daemon-slots-idle', store: `HOTP alice - ${key} 0\n` });
    daemon = await startDaemon(fx);
    const socket = daemon.socket;
    for (let batch = 0; batch < MAX_CONNECTIONS / 64; batch++) {
      await Promise.all(Array.from({ length: 64 }, () => helloOnly(socket)));
    }
    // The newest MAX_IDLE_CONNECTIONS are held open (the others were closed to admit them): the cap is full.
    const open = (): number => clients.filter((c) => !c.closed).length;
    for (const until = Date.now() + 3_000; open() > MAX_IDLE_CONNECTIONS && Date.now() < until;) await new Promise((r) => setTimeout(r, 20));
    expect(open(), daemon.stderr()).toBe(MAX_IDLE_CONNECTIONS);
    const r = await login(socket, { service: 'sshd', user: 'alice' }, () => hotp(key, 0));
    expect(r.verdict, daemon.stderr()).toBe('SUCCESS');
    expect(daemon.stderr()).toMatch(/closed the oldest idle connection/);
  });

  it(`${MAX_CONVERSATIONS_PER_USER} logins of one user in flight ⇒ the next is ERROR UNAVAILABLE at once; another user is served`, async () => {
    const alice = randomKeyHex();
    const bob = randomKeyHex();
    fx = makeFixture({ name: 'daemon-slots-user', store: `HOTP alice - ${alice} 0\nHOTP bob - ${bob} 0\n` });
    daemon = await startDaemon(fx);
    const socket = daemon.socket;
    for (let i = 0; i < MAX_CONVERSATIONS_PER_USER; i++) clients.push((await startConversation(socket, 'alice')).client);
    const c = await Client.connect(socket);
    clients.push(c);
    c.send({ type: 'HELLO', version: 1 });
    expect((await c.next()).type).toBe('HELLO');
    c.send({ type: 'AUTH_START', service: 'sshd', user: 'alice' });
    const error = await c.next(2_000);
    expect(error, daemon.stderr()).toMatchObject({ type: 'ERROR', code: WireErrorCode.UNAVAILABLE });
    expect(error.type === 'ERROR' && error.message).toMatch(/too many logins in flight for this user/);
    expect(daemon.stderr()).toMatch(/refused a login for user "alice" \(service "sshd"/);
    expect((await login(socket, { service: 'sshd', user: 'bob' }, () => hotp(bob, 0))).verdict).toBe('SUCCESS');
    // One of alice's answers: her next login is served again.
    const first = clients[0]!;
    first.send({ type: 'ANSWER', response: hotp(alice, 0) });
    expect(await first.next()).toEqual({ type: 'RESULT', verdict: 'SUCCESS' });
    await new Promise((r) => setTimeout(r, 100));
    expect((await login(socket, { service: 'sshd', user: 'alice' }, () => hotp(alice, 1))).verdict).toBe('SUCCESS');
  });
});
