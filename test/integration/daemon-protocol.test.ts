/**
 * The built otpd on a temp socket, driven byte by byte: the handshake, version mismatch, garbage,
 * oversized and stalled frames, messages out of turn, and the socket's mode (docs/protocol.md).
 */
import { statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeFrame, WireErrorCode } from '../../src/protocol/index.js';
import { Client, startDaemon, type Daemon } from '../support/daemon.js';
import { rawFrame } from '../support/protocol-samples.js';
import { makeFixture, RFC_KEY_HEX, type Fixture } from '../support/store-fixture.js';

let fx: Fixture;
let daemon: Daemon;

beforeAll(async () => {
  fx = makeFixture({ name: 'daemon-proto', store: `HOTP alice - ${RFC_KEY_HEX} 0\n` });
  daemon = await startDaemon(fx);
});

afterAll(async () => {
  const exit = await daemon?.stop();
  expect(exit?.status, daemon?.stderr()).toBe(0);
  fx?.cleanup();
});

describe('otpd transport', () => {
  it('creates the socket root-only (0600)', () => {
    const st = statSync(daemon.socket);
    expect(st.isSocket()).toBe(true);
    expect(st.mode & 0o777).toBe(0o600);
    expect(st.uid).toBe(process.getuid?.());
  });

  it('answers HELLO with the same 16 bytes, then accepts AUTH_START', async () => {
    const c = await Client.connect(daemon.socket);
    const bytes: Buffer[] = [];
    c.socket.on('data', (d: Buffer) => bytes.push(Buffer.from(d)));
    c.send({ type: 'HELLO', version: 1 });
    expect(await c.next()).toEqual({ type: 'HELLO', version: 1 });
    expect(Buffer.concat(bytes).toString('hex')).toBe('4f54504400000010000100012e454e44');
    c.send({ type: 'AUTH_START', service: 'sshd', user: 'alice' });
    expect(await c.next()).toEqual({ type: 'CONV', style: 'PROMPT_ECHO_OFF', text: 'One-time password: ' });
    c.close();
  });

  it('HELLO of another version ⇒ ERROR VERSION and close', async () => {
    const c = await Client.connect(daemon.socket);
    c.sendRaw(rawFrame(1, 2));
    const m = await c.next();
    expect(m).toMatchObject({ type: 'ERROR', code: WireErrorCode.VERSION });
    expect((await c.next()).type).toBe('CLOSED');
  });

  it('garbage ⇒ ERROR MALFORMED and close', async () => {
    const c = await Client.connect(daemon.socket);
    c.sendRaw(Buffer.from('GET / HTTP/1.1\r\n\r\n'));
    expect(await c.next()).toMatchObject({ type: 'ERROR', code: WireErrorCode.MALFORMED });
    expect((await c.next()).type).toBe('CLOSED');
  });

  it('an oversized frame ⇒ ERROR TOO_LARGE, decided from the header alone', async () => {
    const c = await Client.connect(daemon.socket);
    c.send({ type: 'HELLO', version: 1 });
    expect((await c.next()).type).toBe('HELLO');
    c.sendRaw(rawFrame(4, 0, '', 8193).subarray(0, 8));
    expect(await c.next()).toMatchObject({ type: 'ERROR', code: WireErrorCode.TOO_LARGE });
    expect((await c.next()).type).toBe('CLOSED');
  });

  it('half a frame, then silence ⇒ ERROR TIMEOUT and close after the partial-frame timer (2 s)', async () => {
    const c = await Client.connect(daemon.socket);
    const t0 = Date.now();
    c.sendRaw(encodeFrame({ type: 'HELLO', version: 1 }).subarray(0, 10));
    expect(await c.next(6_000)).toMatchObject({ type: 'ERROR', code: WireErrorCode.TIMEOUT });
    const elapsed = Date.now() - t0;
    expect(elapsed).toBeGreaterThanOrEqual(1_900);
    expect(elapsed).toBeLessThan(4_500);
    expect((await c.next()).type).toBe('CLOSED');
  });

  it('no HELLO at all ⇒ ERROR TIMEOUT after the handshake deadline (5 s)', async () => {
    const c = await Client.connect(daemon.socket);
    const t0 = Date.now();
    expect(await c.next(9_000)).toMatchObject({ type: 'ERROR', code: WireErrorCode.TIMEOUT });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(4_900);
    expect((await c.next()).type).toBe('CLOSED');
  });

  it.each([
    ['AUTH_START before HELLO', [{ type: 'AUTH_START', service: 'sshd', user: 'alice' }]],
    [
      'a second HELLO',
      [
        { type: 'HELLO', version: 1 },
        { type: 'HELLO', version: 1 },
      ],
    ],
    [
      'ANSWER with no CONV pending',
      [
        { type: 'HELLO', version: 1 },
        { type: 'ANSWER', response: '1' },
      ],
    ],
    [
      'RESULT from the client',
      [
        { type: 'HELLO', version: 1 },
        { type: 'RESULT', verdict: 'SUCCESS' },
      ],
    ],
  ] as const)('%s ⇒ ERROR UNEXPECTED and close', async (_name, messages) => {
    const c = await Client.connect(daemon.socket);
    for (const m of messages) c.send(m);
    let m = await c.next();
    if (m.type === 'HELLO') m = await c.next();
    expect(m).toMatchObject({ type: 'ERROR', code: WireErrorCode.UNEXPECTED });
    expect((await c.next()).type).toBe('CLOSED');
  });

  it('a second AUTH_START while the prompt is pending ⇒ ERROR UNEXPECTED', async () => {
    const c = await Client.connect(daemon.socket);
    c.send({ type: 'HELLO', version: 1 });
    expect((await c.next()).type).toBe('HELLO');
    c.send({ type: 'AUTH_START', service: 'sshd', user: 'alice' });
    expect((await c.next()).type).toBe('CONV');
    c.send({ type: 'AUTH_START', service: 'sshd', user: 'alice' });
    expect(await c.next()).toMatchObject({ type: 'ERROR', code: WireErrorCode.UNEXPECTED });
    expect((await c.next()).type).toBe('CLOSED');
  });

  it('the daemon still serves after all of the above', async () => {
    const c = await Client.connect(daemon.socket);
    c.send({ type: 'HELLO', version: 1 });
    expect((await c.next()).type).toBe('HELLO');
    c.close();
  });
});
