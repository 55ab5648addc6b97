/**
 * The security review's attacks on a running daemon, through raw protocol clients: many answers for
 * one user at once (finding 1), and the two-connection S/KEY race (finding 2).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OTP_PROMPT } from '../../src/frontends/pam/conversation.js';
import type { Message } from '../../src/protocol/index.js';
import { auditCodesWhen, Client, login, startConversation, startDaemon, type Daemon } from '../support/daemon.js';
import { otpctl } from '../support/run.js';
import { hotp, makeFixture, randomKeyHex, type Fixture } from '../support/store-fixture.js';

const PASS = 'correct horse battery';
const key = randomKeyHex();
let fx: Fixture;
let daemon: Daemon;

function genSkey(args: readonly string[]): string {
  const r = otpctl(['gen', 'skey', ...args], { input: `${PASS}\n` });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.trim().split('\n').at(-1) ?? '';
}

beforeAll(async () => {
  const last = genSkey(['--md5', '--hex', '100', 'ke1234']).replace(/\s/g, '');
  const store = [`HOTP mallory-target - ${key} 0\n`, `OTPD/SKEY\terin\t-\tmd5\t99\tke1234\t${last}\n`, `OTPD/SKEY\tfay\t-\tmd5\t99\tke1234\t${last}\n`].join(
    '',
  );
  fx = makeFixture({ name: 'daemon-attack', store, config: '[lockout]\nmax_fail = 3\n' });
  daemon = await startDaemon(fx);
});

afterAll(async () => {
  await daemon.stop();
  fx.cleanup();
});

const VERIFIED = new Set(['AUTH_FAILED', 'AUTH_LOCKED_NOW', 'AUTH_OTP_ALREADY_USED', 'AUTH_OK_OTP']);

describe('attacks on the daemon', () => {
  it('40 answers at once on 40 connections (39 wrong, then the code): at most max_fail verified, no success', async () => {
    const answers = Array.from({ length: 39 }, (_, i) => String(200_000 + i));
    answers.push(hotp(key, 0));
    const results = await Promise.all(answers.map((a) => login(daemon.socket, { service: 'sshd', user: 'mallory-target' }, () => a)));
    expect(results.filter((r) => r.verdict === 'SUCCESS')).toEqual([]);
    const codes = await auditCodesWhen(fx, (c) => c.filter((x) => x !== 'AUTH_SKEY_CHALLENGE').length >= 3);
    await new Promise((r) => setTimeout(r, 300)); // the rest of the audit lines
    const all = await auditCodesWhen(fx, () => true);
    expect(all.filter((c) => VERIFIED.has(c)).length, JSON.stringify(all)).toBeLessThanOrEqual(3);
    expect(codes).toContain('AUTH_LOCKED_NOW');
    // The code was never spent: after an unlock it logs in.
    expect(otpctl(['user', 'unlock', 'mallory-target'], { env: fx.env }).status).toBe(0);
    expect((await login(daemon.socket, { service: 'sshd', user: 'mallory-target' }, () => hotp(key, 0))).verdict).toBe('SUCCESS');
  });

  it("a second connection while one holds the S/KEY challenge is told so, gets no S/KEY candidate, and cannot use the holder's response", async () => {
    const a = await startConversation(daemon.socket, 'erin');
    expect(a.conv).toMatchObject({ style: 'PROMPT_ECHO_OFF', text: 'otp-md5 99 ke1234 ext, Response: ' });
    const response = genSkey(['otp-md5 99 ke1234 ext']);
    const b = await login(daemon.socket, { service: 'sshd', user: 'erin' }, () => response);
    expect(b.prompts.map((p) => [p.style, p.text.slice(0, 40)])).toEqual([
      ['ERROR_MSG', 'otpd: another login is answering this us'],
      ['PROMPT_ECHO_OFF', OTP_PROMPT],
    ]);
    expect(b.verdict).toBe('AUTH_ERR');
    // The holder's answer still works: the race was not won.
    a.client.send({ type: 'ANSWER', response });
    expect((await a.client.next()) as Message).toEqual({ type: 'RESULT', verdict: 'SUCCESS' });
    a.client.close();
    expect(await auditCodesWhen(fx, (c) => c.includes('AUTH_SKEY_PENDING'))).toContain('AUTH_SKEY_PENDING');
  });

  it('a hold ends with its connection: the next login gets the challenge at once', async () => {
    const a = await startConversation(daemon.socket, 'fay');
    expect(a.conv).toMatchObject({ text: 'otp-md5 99 ke1234 ext, Response: ' });
    a.client.close();
    const deadline = Date.now() + 5_000;
    let text = '';
    while (Date.now() < deadline) {
      const c = await Client.connect(daemon.socket);
      c.send({ type: 'HELLO', version: 1 });
      await c.next();
      c.send({ type: 'AUTH_START', service: 'sshd', user: 'fay' });
      const m = await c.next();
      c.close();
      text = m.type === 'CONV' ? m.text : '';
      if (text.startsWith('otp-md5')) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(text).toBe('otp-md5 99 ke1234 ext, Response: ');
  });
});
