/**
 * The daemon serves root only, checked on the connection itself (SO_PEERCRED through the native addon):
 * with the socket's mode loosened on purpose, an ordinary user's client is still refused with
 * ERROR PEER_REFUSED before any message is read, while root is served.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeFrame, FrameReader, WireErrorCode, type Message } from '../../src/protocol/index.js';
import { Client, startDaemon, type Daemon } from '../support/daemon.js';
import { makeFixture, RFC_KEY_HEX, type Fixture } from '../support/store-fixture.js';

/** Connects as `user`, sends HELLO and returns every message the daemon sent until it closed. */
function helloAs(user: string, socket: string): Message[] {
  const script = `
    const s = require('node:net').connect(process.argv[1]);
    const got = [];
    s.on('connect', () => s.write(Buffer.from(process.argv[2], 'hex')));
    s.on('data', (d) => got.push(d));
    s.on('error', (e) => { process.stderr.write(e.message); process.exit(3); });
    s.on('close', () => process.stdout.write(Buffer.concat(got).toString('hex'), () => process.exit(0)));
    setTimeout(() => process.exit(4), 5000).unref();`;
  const hello = Buffer.from(encodeFrame({ type: 'HELLO', version: 1 })).toString('hex');
  const r = spawnSync('runuser', ['-u', user, '--', process.execPath, '-e', script, socket, hello], { encoding: 'utf8' });
  expect(r.status, `${r.stderr}\n${r.stdout}\n${daemon.stderr()}`).toBe(0);
  const messages: Message[] = [];
  const reader = new FrameReader({ partialFrameMs: 0 });
  reader.onMessage((m) => messages.push(m));
  reader.push(Buffer.from(r.stdout, 'hex'));
  return messages;
}

let fx: Fixture;
let daemon: Daemon;

beforeAll(async () => {
  fx = makeFixture({ name: 'daemon-peer', store: `HOTP alice - ${RFC_KEY_HEX} 0\n` });
  daemon = await startDaemon(fx);
  // Loosen the path on purpose so that an ordinary user can reach the socket at all.
  chmodSync(fx.dir, 0o711);
  chmodSync(path.dirname(daemon.socket), 0o711);
  chmodSync(daemon.socket, 0o666);
});

afterAll(async () => {
  await daemon?.stop();
  fx?.cleanup();
});

describe('peer credentials', () => {
  it('an ordinary user is refused with ERROR PEER_REFUSED and the refusal is logged with its uid', async () => {
    const messages = helloAs('nobody', daemon.socket);
    expect(messages).toEqual([expect.objectContaining({ type: 'ERROR', code: WireErrorCode.PEER_REFUSED })]);
    // spawnSync blocked this event loop: let the daemon's stderr arrive.
    for (let i = 0; i < 100 && !/refused a connection/.test(daemon.stderr()); i++) await new Promise((r) => setTimeout(r, 20));
    expect(daemon.stderr()).toMatch(/refused a connection from uid 65534 \(pid \d+\): only root may ask otpd/);
    expect(daemon.stderr()).not.toMatch(/peer credentials are not checked/);
  });

  it('root is served', async () => {
    const client = await Client.connect(daemon.socket);
    client.send({ type: 'HELLO', version: 1 });
    expect(await client.next()).toEqual({ type: 'HELLO', version: 1 });
    client.close();
  });
});
