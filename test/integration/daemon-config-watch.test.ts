/**
 * `otpctl group …` edits otpd.conf while otpd runs; the daemon notices the file changed (stat polled
 * every 2 s) and reloads, so the change takes effect without a signal or a restart.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { login, startDaemon, type Daemon } from '../support/daemon.js';
import { hotp, makeFixture, RFC_KEY_HEX, type Fixture } from '../support/store-fixture.js';

const fx: Fixture = makeFixture({ name: 'daemon-config-watch', store: `HOTP\tbob\t-\t${RFC_KEY_HEX}\n`, config: '[groups.vpn]\nservices = ["dovecot"]\n' });
let daemon: Daemon | undefined;

afterAll(async () => {
  await daemon?.stop();
  fx.cleanup();
});

describe('configuration changes while otpd runs', () => {
  it("a group's new service set by otpctl is served within seconds, without SIGHUP", async () => {
    const groups = fx.otpctl(['token', 'groups', 'bob/HOTP@1', 'vpn']);
    expect(groups.status, groups.stderr).toBe(0);
    daemon = await startDaemon(fx);
    // vpn is dovecot only: the token does not serve openvpn.
    expect((await login(daemon.socket, { service: 'openvpn', user: 'bob' }, () => hotp(RFC_KEY_HEX, 0))).verdict).toBe('CRED_INSUFFICIENT');

    const add = fx.otpctl(['group', 'services', 'vpn', 'dovecot', 'openvpn']);
    expect(add.status, add.stderr).toBe(0);
    const deadline = Date.now() + 10_000;
    while (!/otpd\.conf changed: reloading/.test(daemon.stderr()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 200)); // the reload itself
    expect(daemon.stderr()).toMatch(/configuration reloaded/);
    expect((await login(daemon.socket, { service: 'openvpn', user: 'bob' }, () => hotp(RFC_KEY_HEX, 0))).verdict).toBe('SUCCESS');
  });
});
