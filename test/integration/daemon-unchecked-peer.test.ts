/**
 * Peers that cannot be checked (docs/daemon.md, "Who may connect"): the built otpd without its native
 * addon (OTPD_NATIVE_PATH to a missing file) cannot read SO_PEERCRED, so it refuses every connection
 * with ERROR PEER_REFUSED and says so once at start — it fails closed rather than serving whoever
 * reached the socket. OTPD_NO_NATIVE=1 picks the TypeScript OTP backend only: the peer check stays.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeFrame, WireErrorCode } from '../../src/protocol/index.js';
import { Client, login, startDaemon, type Daemon } from '../support/daemon.js';
import { hotp, makeFixture, randomKeyHex, type Fixture } from '../support/store-fixture.js';

let fx: Fixture | undefined;
let daemon: Daemon | undefined;

afterEach(async () => {
  await daemon?.stop();
  daemon = undefined;
  fx?.cleanup();
  fx = undefined;
});

describe('otpd and peers it cannot check', () => {
  it('without the addon: every connection ⇒ ERROR PEER_REFUSED, and one line at start says why', async () => {
    const key = randomKeyHex();
    fx = makeFixture({ name: 'daemon-unchecked', store: `HOTP alice - ${key} 0\n` });
    fx.env.OTPD_NATIVE_PATH = path.join(fx.dir, 'missing', 'otpd_native.node');
    daemon = await startDaemon(fx);
    for (let i = 0; i < 3; i++) {
      const r = await login(daemon.socket, { service: 'sshd', user: 'alice' }, () => hotp(key, 0));
      expect(r, daemon.stderr()).toMatchObject({ error: WireErrorCode.PEER_REFUSED, prompts: [] });
    }
    const stderr = daemon.stderr();
    expect(stderr.match(/peer credentials cannot be checked/g), stderr).toHaveLength(1);
    expect(stderr).toMatch(/every connection will be refused/);
    expect(stderr).toMatch(/peer-credential reader is unavailable: .*missing/);
    // Nothing was decided: the store is as it was.
    expect(fx.storeBytes().toString('latin1')).not.toContain(`\t${hotp(key, 0)}\t`);
  });

  it('OTPD_NO_NATIVE=1 (the TypeScript OTP backend) keeps the peer check: root is served, nobody refused', async () => {
    const key = randomKeyHex();
    fx = makeFixture({ name: 'daemon-no-native', store: `HOTP alice - ${key} 0\n` });
    fx.env.OTPD_NO_NATIVE = '1';
    daemon = await startDaemon(fx);
    expect((await login(daemon.socket, { service: 'sshd', user: 'alice' }, () => hotp(key, 0))).verdict).toBe('SUCCESS');
    // Loosen the path on purpose, as in daemon-peer.test.ts, so that nobody can reach the socket at all.
    chmodSync(fx.dir, 0o711);
    chmodSync(path.dirname(daemon.socket), 0o711);
    chmodSync(daemon.socket, 0o666);
    const script = `
      const s = require('node:net').connect(process.argv[1]);
      s.on('connect', () => s.write(Buffer.from(process.argv[2], 'hex')));
      s.on('data', (d) => process.stdout.write(d.toString('hex')));
      s.on('error', (e) => { process.stderr.write(e.message); process.exit(3); });
      s.on('close', () => process.exit(0));
      setTimeout(() => process.exit(4), 5000).unref();`;
    const hello = Buffer.from(encodeFrame({ type: 'HELLO', version: 1 })).toString('hex');
    const r = spawnSync('runuser', ['-u', 'nobody', '--', process.execPath, '-e', script, daemon.socket, hello], { encoding: 'utf8', timeout: 10_000 });
    expect(r.status, r.stderr).toBe(0);
    for (let i = 0; i < 100 && !/refused a connection from uid/.test(daemon.stderr()); i++) await new Promise((res) => setTimeout(res, 20));
    expect(daemon.stderr()).toMatch(/refused a connection from uid 65534/);
    expect(daemon.stderr()).not.toMatch(/peer credentials (are not|cannot be) checked|reader is unavailable/);
    const c = await Client.connect(daemon.socket);
    c.send({ type: 'HELLO', version: 1 });
    expect(await c.next()).toEqual({ type: 'HELLO', version: 1 });
    c.close();
  });
});
