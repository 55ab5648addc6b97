/**
 * Real SSH logins through pam_otpd.so and otpd: OpenSSH's sshd on 127.0.0.1 with the shipped
 * packaging/pam.d/sshd and packaging/sshd_config.d/otpd.conf, and the real ssh client offering a key
 * and answering the keyboard-interactive prompt with a one-time password.
 *
 * Needs root (sshd, useradd, /etc/pam.d); CI runs the tests as root. The account logging in is a real
 * Unix user (`otpdtest-ssh`, created once and kept: sshd refuses names the passwd database does not
 * know); its password stays locked, so the key plus the code is the only way in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditCodesWhen, startDaemon, type Daemon } from '../support/daemon.js';
import { snippetForTest } from '../support/pam-module.js';
import { shippedSshdConfigLines, startSshd, type Sshd } from '../support/sshd.js';
import { hotp, installPamService, makeFixture, randomKeyHex, type Fixture, type PamService } from '../support/store-fixture.js';
import { storedHotp, wrongHotpCode } from '../support/hotp-line.js';
import { otpctl } from '../support/run.js';
import { ensureUnixUser } from '../support/unix-user.js';

const USER = 'otpdtest-ssh';
const MARK = 'otpd-ssh-login-ok';
const COMMAND = `echo ${MARK}:$(id -un)`;
// ssh (OpenSSH 8.4 and later) puts "(user@host) " before each keyboard-interactive prompt it shows.
const PROMPT = `(${USER}@127.0.0.1) One-time password: `;
const isRoot = process.getuid?.() === 0;
if (!isRoot) console.warn('sshd.test.ts: skipped, not root (sshd, useradd and /etc/pam.d need root; CI runs as root)');
const key = randomKeyHex();
const SKEY_PASS = 'sshd test pass phrase';

/** The S/KEY (md5) response for SEQ SEED, six words, as a user's generator prints it. */
function skeyResponse(seq: number, seed: string, hex = false): string {
  const r = otpctl(['gen', 'skey', '--md5', ...(hex ? ['--hex'] : []), String(seq), seed], { input: `${SKEY_PASS}\n` });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.trim();
}

let fx: Fixture | undefined;
let daemon: Daemon | undefined;
let pam: PamService | undefined;
let sshd: Sshd | undefined;

function context(): string {
  return `sshd log:\n${sshd?.log() ?? ''}\notpd stderr:\n${daemon?.stderr() ?? ''}`;
}

describe.skipIf(!isRoot)('sshd: publickey + one-time password through pam_otpd.so', () => {
  beforeAll(async () => {
    await ensureUnixUser(USER, { shell: '/bin/sh' });
    fx = makeFixture({ name: 'sshd', store: `HOTP ${USER} - ${key} 0\n` });
    daemon = await startDaemon(fx);
    pam = installPamService(snippetForTest('sshd', daemon.socket).join('\n'));
    sshd = await startSshd({ pamService: pam.name, configLines: shippedSshdConfigLines() });
  });

  afterAll(async () => {
    await sshd?.stop();
    pam?.remove();
    await daemon?.stop();
    fx?.cleanup();
  });

  it('the key and the current code log in: the command runs, the prompt came from otpd, the counter moved once', () => {
    // Counter 1, one ahead of the stored 0 (inside the look-ahead window): the stored counter visibly moves.
    const code = hotp(key, 1);
    const r = sshd!.login({ user: USER, answer: code, command: COMMAND });
    expect(r.status, `${r.stderr}\n${context()}`).toBe(0);
    expect(r.stdout).toContain(`${MARK}:${USER}`);
    expect(r.prompts).toEqual([PROMPT]);
    expect(storedHotp(fx!, USER)).toEqual([1, code]);
    expect(sshd!.log()).toMatch(new RegExp(`Accepted keyboard-interactive/pam for ${USER} `));
  });

  it('the same code again is refused, and the store does not move', async () => {
    const before = fx!.storeBytes();
    const r = sshd!.login({ user: USER, answer: hotp(key, 1), command: COMMAND });
    expect(r.status, context()).toBe(255);
    expect(r.stdout).not.toContain(MARK);
    expect(r.stderr).toMatch(/Permission denied/);
    expect(r.prompts).toEqual([PROMPT]);
    expect(fx!.storeBytes()).toEqual(before);
    expect(await auditCodesWhen(fx!, (c) => c.includes('AUTH_OTP_ALREADY_USED'))).toContain('AUTH_OTP_ALREADY_USED');
  });

  it('a wrong code is refused, and the store does not move', async () => {
    const before = fx!.storeBytes();
    const r = sshd!.login({ user: USER, answer: wrongHotpCode(key, 2), command: COMMAND });
    expect(r.status, context()).toBe(255);
    expect(r.stdout).not.toContain(MARK);
    expect(r.prompts).toEqual([PROMPT]);
    expect(fx!.storeBytes()).toEqual(before);
    expect(await auditCodesWhen(fx!, (c) => c.includes('AUTH_FAILED'))).toContain('AUTH_FAILED');
  });

  it('without the key a valid code is never asked for (publickey comes first) and stays unused', () => {
    const next = hotp(key, 2);
    const refused = sshd!.login({ user: USER, answer: next, command: COMMAND, withKey: false });
    expect(refused.status, context()).toBe(255);
    expect(refused.stdout).not.toContain(MARK);
    expect(refused.prompts).toEqual([]);
    expect(storedHotp(fx!, USER)).toEqual([1, hotp(key, 1)]);
    // The code the refused attempt carried still logs in with the key: nothing consumed it.
    const r = sshd!.login({ user: USER, answer: next, command: COMMAND });
    expect(r.status, `${r.stderr}\n${context()}`).toBe(0);
    expect(r.stdout).toContain(`${MARK}:${USER}`);
    expect(storedHotp(fx!, USER)).toEqual([2, next]);
    expect(fx!.auditCodes().filter((c) => c === 'AUTH_OK_OTP')).toHaveLength(2);
  });

  it('a user with an S/KEY token sees the challenge in the ssh prompt and logs in with the response', () => {
    // otpd keeps the next sequence's hash: the challenge is "otp-md5 41 ssh123 ext".
    fx!.writeStore(`${fx!.storeBytes().toString('latin1')}OTPD/SKEY\t${USER}\t-\tmd5\t41\tssh123\t${skeyResponse(42, 'ssh123', true)}\n`);
    const r = sshd!.login({ user: USER, answer: skeyResponse(41, 'ssh123'), command: COMMAND });
    expect(r.status, `${r.stderr}\n${context()}`).toBe(0);
    expect(r.stdout).toContain(`${MARK}:${USER}`);
    expect(r.prompts).toEqual([`(${USER}@127.0.0.1) otp-md5 41 ssh123 ext, Response: `]);
    expect(fx!.storeBytes().toString('latin1')).toMatch(new RegExp(`^OTPD/SKEY\t${USER}\t-\tmd5\t40\tssh123\t`, 'm'));
  });

  it('otpd stopped: the login is refused at once, without a prompt (the module fails closed)', async () => {
    const exit = await daemon!.stop();
    expect(exit.status).toBe(0);
    const before = fx!.storeBytes();
    const started = Date.now();
    const r = sshd!.login({ user: USER, answer: hotp(key, 3), command: COMMAND });
    expect(r.status, context()).toBe(255);
    expect(r.stdout).not.toContain(MARK);
    expect(r.prompts).toEqual([]);
    // The socket is gone, so connect() fails at once: no wait for the module's 10 s timeout.
    expect(Date.now() - started).toBeLessThan(8_000);
    expect(fx!.storeBytes()).toEqual(before);
  });
});
