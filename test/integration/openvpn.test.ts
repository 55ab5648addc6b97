/**
 * OpenVPN logins through the auth-pam plugin, pam_otpd.so and otpd, run with the shipped snippets
 * (packaging/openvpn/server-otpd.conf; packaging/pam.d/openvpn and openvpn-otpd-only). The real plugin
 * is driven two ways: by a real OpenVPN server and client on 127.0.0.1 where tun devices can be made
 * (else skipped, saying why), and always by test/openvpn-harness/, which loads it as OpenVPN does
 * (OTPD_TEST_NO_TUN=1 forces the harness-only path). Needs root; the Unix account `otpdtest-vpn` (kept,
 * no shell) gets a random password for the run, locked again afterwards.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditCodesWhen, startDaemon, type Daemon } from '../support/daemon.js';
import { makeOpenvpnLab, tunUnusableReason, type OpenvpnLab, type OpenvpnServer } from '../support/openvpn.js';
import { buildHarness, type Harness } from '../support/openvpn-harness.js';
import { pluginArgs, shippedClientLines, shippedPluginLine } from '../support/openvpn-snippets.js';
import { storedHotp, wrongHotpCode } from '../support/hotp-line.js';
import { snippetForTest } from '../support/pam-module.js';
import { hotp, installPamService, makeFixture, randomKeyHex, type Fixture, type PamService } from '../support/store-fixture.js';
import { ensureUnixUser, lockUnixPassword, setUnixPassword } from '../support/unix-user.js';

const isRoot = process.getuid?.() === 0;
/** A Unix account: its password is checked by common-auth (pam_unix), its code by otpd. */
const UNIX_USER = 'otpdtest-vpn';
/** Known only to otpd: PIN + code in one password field. */
const OTPD_USER = 'vpn-only';
const PIN = '4711';
const unixPassword = `pw-${randomBytes(9).toString('base64url')}`;
const keys = { unix: randomKeyHex(), otpdOnly: randomKeyHex() };
/** The next unused HOTP counter of each user (the store starts at 0; every code the tests take is used). */
const counters = { unix: 0, otpdOnly: 0 };

function scrv1(password: string, otp: string): string {
  return `SCRV1:${Buffer.from(password).toString('base64')}:${Buffer.from(otp).toString('base64')}`;
}

let fx: Fixture | undefined;
let daemon: Daemon | undefined;
let lab: OpenvpnLab | undefined;
const services: PamService[] = [];
let withPassword: PamService | undefined;
let otpdOnly: PamService | undefined;

function okCount(): number {
  return fx?.auditCodes().filter((c) => c === 'AUTH_OK_OTP').length ?? 0;
}

const tunReason = isRoot ? tunUnusableReason() : 'not root';
if (!isRoot) console.warn('openvpn.test.ts: skipped, not root (OpenVPN, /etc/pam.d and a Unix account need root; CI runs as root)');
if (isRoot && tunReason !== undefined) {
  console.warn(
    `openvpn.test.ts: no usable tun device (${tunReason}): the real OpenVPN cases are skipped; the harness cases drive openvpn-plugin-auth-pam.so instead`,
  );
}

describe.skipIf(!isRoot)('OpenVPN auth-pam plugin with pam_otpd.so', () => {
  beforeAll(async () => {
    await ensureUnixUser(UNIX_USER, { shell: '/usr/sbin/nologin' });
    await setUnixPassword(UNIX_USER, unixPassword);
    fx = makeFixture({ name: 'openvpn', store: `HOTP ${UNIX_USER} - ${keys.unix} 0\nHOTP ${OTPD_USER} ${PIN} ${keys.otpdOnly} 0\n` });
    daemon = await startDaemon(fx);
    withPassword = installPamService(snippetForTest('openvpn', daemon.socket).join('\n'));
    services.push(withPassword);
    otpdOnly = installPamService(snippetForTest('openvpn-otpd-only', daemon.socket).join('\n'));
    services.push(otpdOnly);
    lab = makeOpenvpnLab();
  });

  afterAll(async () => {
    for (const s of services) s.remove();
    lab?.cleanup();
    await lockUnixPassword(UNIX_USER);
    const exit = await daemon?.stop();
    fx?.cleanup();
    expect(exit?.status).toBe(0);
  });

  describe('through the harness (always)', () => {
    let harness: Harness;
    beforeAll(() => {
      harness = buildHarness(lab!.dir);
    });

    it('password + code as SCRV1: accepted once; the replay, a wrong code, a wrong password and no code refused', async () => {
      const words = pluginArgs(shippedPluginLine('openvpn'), withPassword!.name);
      const code = hotp(keys.unix, ++counters.unix);
      const ok = harness.verify(words, UNIX_USER, scrv1(unixPassword, code));
      expect(ok, `${ok.stderr}\n${daemon?.stderr()}`).toMatchObject({ status: 0, verdict: 'SUCCESS' });
      // The plugin matched every prompt by its list: the user-name prompt, pam_unix's, then otpd's.
      expect(ok.stderr).toMatch(/query='login: ?'.*\n(.*\n)*.*query='Password: '.*\n(.*\n)*.*query='One-time password: '/);
      expect(storedHotp(fx!, UNIX_USER)).toEqual([counters.unix, code]);

      const before = fx!.storeBytes();
      expect(harness.verify(words, UNIX_USER, scrv1(unixPassword, code))).toMatchObject({ status: 1, verdict: 'AUTH_FAILED' });
      expect(harness.verify(words, UNIX_USER, scrv1(unixPassword, wrongHotpCode(keys.unix, counters.unix + 1)))).toMatchObject({
        status: 1,
        verdict: 'AUTH_FAILED',
      });
      // Without SCRV1 the plugin answers the one-time prompt with an empty OTP.
      expect(harness.verify(words, UNIX_USER, unixPassword)).toMatchObject({ status: 1, verdict: 'AUTH_FAILED' });
      // A wrong Unix password ends the login in common-auth: the next code is not spent.
      const next = hotp(keys.unix, counters.unix + 1);
      const badPassword = harness.verify(words, UNIX_USER, scrv1(`${unixPassword}x`, next));
      expect(badPassword).toMatchObject({ status: 1, verdict: 'AUTH_FAILED' });
      expect(badPassword.stderr).not.toMatch(/One-time password/);
      expect(fx!.storeBytes()).toEqual(before);
      const codes = await auditCodesWhen(fx!, (c) => c.includes('AUTH_OTP_ALREADY_USED') && c.includes('AUTH_FAILED'));
      expect(codes).toEqual(expect.arrayContaining(['AUTH_OK_OTP', 'AUTH_OTP_ALREADY_USED', 'AUTH_FAILED']));
    });

    it('otpd-only users: PIN + code in the password field accepted once; the code without the PIN refused', () => {
      const words = pluginArgs(shippedPluginLine('openvpn-otpd-only'), otpdOnly!.name);
      const code = hotp(keys.otpdOnly, ++counters.otpdOnly);
      const ok = harness.verify(words, OTPD_USER, `${PIN}${code}`);
      expect(ok, `${ok.stderr}\n${daemon?.stderr()}`).toMatchObject({ status: 0, verdict: 'SUCCESS' });
      expect(storedHotp(fx!, OTPD_USER)).toEqual([counters.otpdOnly, code]);
      const before = fx!.storeBytes();
      expect(harness.verify(words, OTPD_USER, `${PIN}${code}`)).toMatchObject({ status: 1, verdict: 'AUTH_FAILED' });
      expect(harness.verify(words, OTPD_USER, hotp(keys.otpdOnly, counters.otpdOnly + 1))).toMatchObject({ status: 1, verdict: 'AUTH_FAILED' });
      expect(fx!.storeBytes()).toEqual(before);
    });

    it('without a name/value list the plugin answers the echo-off prompt with the password field', () => {
      const code = hotp(keys.otpdOnly, ++counters.otpdOnly);
      const plugin = shippedPluginLine('openvpn-otpd-only').plugin;
      const before = okCount();
      expect(harness.verify([plugin, otpdOnly!.name], OTPD_USER, `${PIN}${code}`)).toMatchObject({ status: 0, verdict: 'SUCCESS' });
      expect(storedHotp(fx!, OTPD_USER)).toEqual([counters.otpdOnly, code]);
      expect(okCount()).toBe(before + 1);
      expect(harness.verify([plugin, otpdOnly!.name], OTPD_USER, `${PIN}${code}`)).toMatchObject({ status: 1, verdict: 'AUTH_FAILED' });
    });

    it('never passes by itself: a PAM service that denies everyone gives AUTH_FAILED, a missing plugin an error', () => {
      const plugin = shippedPluginLine('openvpn').plugin;
      const deny = installPamService('auth required pam_deny.so\naccount required pam_deny.so');
      services.push(deny);
      expect(harness.verify([plugin, deny.name, ...shippedPluginLine('openvpn').list], UNIX_USER, scrv1(unixPassword, '000000'))).toMatchObject({
        status: 1,
        verdict: 'AUTH_FAILED',
      });
      expect(harness.verify([`${lab!.dir}/missing-plugin.so`, 'openvpn'], UNIX_USER, 'x')).toMatchObject({
        status: 2,
        verdict: expect.stringMatching(/^ERROR dlopen/),
      });
    });
  });

  describe.skipIf(tunReason !== undefined)('a real OpenVPN server and client on 127.0.0.1', () => {
    let server: OpenvpnServer | undefined;
    let serverOtpdOnly: OpenvpnServer | undefined;

    beforeAll(async () => {
      server = await lab!.startServer(pluginArgs(shippedPluginLine('openvpn'), withPassword!.name));
    });

    afterAll(async () => {
      await server?.stop();
      await serverOtpdOnly?.stop();
    });

    it('static-challenge (SCRV1): password + code connect; the replay and a wrong code get AUTH_FAILED', () => {
      const lines = shippedClientLines();
      expect(lines).toEqual(expect.arrayContaining(['auth-user-pass', expect.stringMatching(/^static-challenge /)]));
      const code = hotp(keys.unix, ++counters.unix);
      const ok = lab!.connect({ server: server!, username: UNIX_USER, password: unixPassword, lines, challengeAnswer: code });
      expect(ok.connected, `${ok.output}\nserver:\n${server!.log()}\notpd:\n${daemon?.stderr()}`).toBe(true);
      expect(ok.challenged).toBe(true);
      expect(storedHotp(fx!, UNIX_USER)).toEqual([counters.unix, code]);

      const before = fx!.storeBytes();
      const replay = lab!.connect({ server: server!, username: UNIX_USER, password: unixPassword, lines, challengeAnswer: code });
      expect(replay.authFailed, replay.output).toBe(true);
      const wrong = lab!.connect({
        server: server!,
        username: UNIX_USER,
        password: unixPassword,
        lines,
        challengeAnswer: wrongHotpCode(keys.unix, counters.unix + 1),
      });
      expect(wrong.authFailed, wrong.output).toBe(true);
      expect(fx!.storeBytes()).toEqual(before);
      expect(server!.log()).toMatch(new RegExp(`user '${UNIX_USER}' failed to authenticate`));
    });

    it('name/value list without static-challenge: PIN + code in the password field connect; the replay gets AUTH_FAILED', async () => {
      serverOtpdOnly = await lab!.startServer(pluginArgs(shippedPluginLine('openvpn-otpd-only'), otpdOnly!.name));
      const code = hotp(keys.otpdOnly, ++counters.otpdOnly);
      const lines = ['auth-user-pass'];
      const ok = lab!.connect({ server: serverOtpdOnly, username: OTPD_USER, password: `${PIN}${code}`, lines });
      expect(ok.connected, `${ok.output}\nserver:\n${serverOtpdOnly.log()}`).toBe(true);
      expect(ok.challenged).toBe(false);
      expect(storedHotp(fx!, OTPD_USER)).toEqual([counters.otpdOnly, code]);
      const before = fx!.storeBytes();
      const replay = lab!.connect({ server: serverOtpdOnly, username: OTPD_USER, password: `${PIN}${code}`, lines });
      expect(replay.authFailed, replay.output).toBe(true);
      expect(fx!.storeBytes()).toEqual(before);
    });
  });
});
