/**
 * Logins through the built otpd over its socket: HOTP accepted once, replay and wrong codes refused,
 * unknown users, S/KEY with the challenge in the prompt, use_first_pass / try_first_pass, NO_INFO,
 * lock-out, and no secret in the audit log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OTP_PROMPT } from '../../src/frontends/pam/conversation.js';
import { Flag } from '../../src/protocol/index.js';
import type { SkeyEntry } from '../../src/store/index.js';
import { auditCodesWhen, login, startConversation, startDaemon, type Daemon } from '../support/daemon.js';
import { otpctl } from '../support/run.js';
import { hotp, makeFixture, randomKeyHex, RFC_KEY_HEX, secretsInAudit, type Fixture } from '../support/store-fixture.js';

const PASS = 'correct horse battery';

function genSkey(args: readonly string[]): string {
  const r = otpctl(['gen', 'skey', ...args], { input: `${PASS}\n` });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.trim();
}

function skeyLine(user: string, seq: number, seed: string): string {
  return `OTPD/SKEY\t${user}\t-\tmd5\t${seq}\t${seed}\t${genSkey(['--md5', '--hex', String(seq + 1), seed])}\n`;
}

const keys = { bob: randomKeyHex(), carol: randomKeyHex(), dave: randomKeyHex(), lou: randomKeyHex(), kim: randomKeyHex() };
const secrets: string[] = [];
let fx: Fixture;
let daemon: Daemon;

beforeAll(async () => {
  const store = [
    `HOTP alice - ${RFC_KEY_HEX} 0\n`,
    `HOTP bob - ${keys.bob} 0\n`,
    `HOTP carol - ${keys.carol} 0\n`,
    `HOTP dave - ${keys.dave} 0\n`,
    `HOTP lou - ${keys.lou} 0\n`,
    `HOTP kim - ${keys.kim} 0\n`,
    skeyLine('erin', 99, 'ke1234'),
    skeyLine('frank', 5, 'lo5678'),
    skeyLine('gina', 5, 'lo9012'),
  ].join('');
  fx = makeFixture({ name: 'daemon-login', store, config: '[lockout]\nmax_fail = 3\n' });
  daemon = await startDaemon(fx, ['-d']);
});

afterAll(async () => {
  const exit = await daemon?.stop();
  expect(exit?.status, daemon?.stderr()).toBe(0);
  // -d logs every step, and still no code, answer or pass phrase.
  const log = daemon?.stderr() ?? '';
  expect(log).toMatch(/RESULT SUCCESS/);
  expect([...secrets, PASS].filter((x) => new RegExp(`(?<![0-9A-Za-z])${x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![0-9A-Za-z])`).test(log))).toEqual([]);
  fx?.cleanup();
});

/** Answers an S/KEY prompt with otpctl gen skey, remembering the answer as a secret. */
function answerSkey(conv: { text: string }): string {
  const answer = genSkey([conv.text.replace(/, Response: $/, '')]);
  secrets.push(answer);
  return answer;
}

async function skeyOf(user: string): Promise<SkeyEntry> {
  const e = (await fx.entries(user)).find((x): x is SkeyEntry => x.kind === 'skey');
  if (e === undefined) throw new Error(`no S/KEY line for ${user}`);
  return e;
}

describe('otpd logins', () => {
  it('HOTP: accepted once (counter moves on disk), the replay and a wrong code refused', async () => {
    const code = hotp(RFC_KEY_HEX, 0);
    secrets.push(code);
    const ok = await login(daemon.socket, { service: 'sshd', user: 'alice', rhost: '192.0.2.7' }, () => code);
    expect(ok).toEqual({ verdict: 'SUCCESS', prompts: [{ type: 'CONV', style: 'PROMPT_ECHO_OFF', text: 'One-time password: ' }], closed: true });
    expect(fx.storeBytes().toString('latin1')).toMatch(new RegExp(`^HOTP\talice\t-\t${RFC_KEY_HEX}\t\\d+\t${code}\t`, 'm'));
    expect((await login(daemon.socket, { service: 'sshd', user: 'alice' }, () => code)).verdict).toBe('AUTH_ERR');
    expect((await login(daemon.socket, { service: 'sshd', user: 'alice' }, () => '000000')).verdict).toBe('AUTH_ERR');
    const want = ['AUTH_OK_OTP', 'AUTH_OTP_ALREADY_USED', 'AUTH_FAILED'];
    expect(await auditCodesWhen(fx, (c) => want.every((w) => c.includes(w)))).toEqual(expect.arrayContaining(want));
  });

  it('an unknown user gets the prompt a known one gets, then USER_UNKNOWN (enrolment is not visible)', async () => {
    const known = await login(daemon.socket, { service: 'sshd', user: 'kim' }, () => '000000');
    const r = await login(daemon.socket, { service: 'sshd', user: 'nobody-here' }, () => '123456');
    expect(r).toEqual({ verdict: 'USER_UNKNOWN', prompts: known.prompts, closed: true });
    expect(r.prompts.map((p) => p.text)).toEqual([OTP_PROMPT]);
    expect(await auditCodesWhen(fx, (c) => c.includes('AUTH_USER_UNKNOWN'))).toContain('AUTH_USER_UNKNOWN');
  });

  it('with unknown_user=refuse (NO_PROMPT_UNKNOWN) an unknown user ⇒ USER_UNKNOWN without a prompt; a known one is still prompted', async () => {
    const r = await login(daemon.socket, { service: 'sshd', user: 'nobody-either', flags: Flag.NO_PROMPT_UNKNOWN }, () => '123456');
    expect(r).toEqual({ verdict: 'USER_UNKNOWN', prompts: [], closed: true });
    const known = await login(daemon.socket, { service: 'sshd', user: 'kim', flags: Flag.NO_PROMPT_UNKNOWN }, () => hotp(keys.kim, 0));
    expect(known.verdict).toBe('SUCCESS');
    expect(known.prompts.map((p) => p.text)).toEqual([OTP_PROMPT]);
  });

  it('a client that leaves at the prompt ⇒ AUTH_ABORTED in the audit log, and nothing changes on disk', async () => {
    const before = fx.storeBytes();
    const { client } = await startConversation(daemon.socket, 'bob');
    client.close();
    expect(await auditCodesWhen(fx, (c) => c.includes('AUTH_ABORTED'))).toContain('AUTH_ABORTED');
    expect(fx.storeBytes()).toEqual(before);
  });

  it("S/KEY: the challenge is in the echo-off prompt and otpctl gen skey's response is accepted", async () => {
    let answered = '';
    const r = await login(daemon.socket, { service: 'sshd', user: 'erin' }, (conv) => {
      const challenge = conv.text.replace(/, Response: $/, '');
      expect(challenge).toBe('otp-md5 99 ke1234 ext');
      answered = genSkey([challenge]);
      return answered;
    });
    secrets.push(answered);
    expect(r.verdict).toBe('SUCCESS');
    expect(r.prompts).toEqual([{ type: 'CONV', style: 'PROMPT_ECHO_OFF', text: 'otp-md5 99 ke1234 ext, Response: ' }]);
    expect((await skeyOf('erin')).sequence).toBe(98);
    // The verification released the hold: the next login shows the next challenge.
    const next = await login(daemon.socket, { service: 'sshd', user: 'erin' }, () => 'wrong answer here');
    expect(next.prompts[0]?.text).toBe('otp-md5 98 ke1234 ext, Response: ');
    expect(next.verdict).toBe('AUTH_ERR');
  });

  it('use_first_pass: the authtok alone decides, no prompt either way', async () => {
    const code = hotp(keys.bob, 0);
    secrets.push(code);
    const wrong = await login(daemon.socket, { service: 'sshd', user: 'bob', authtok: '999999', flags: Flag.USE_FIRST_PASS }, () => code);
    expect(wrong).toEqual({ verdict: 'AUTH_ERR', prompts: [], closed: true });
    const ok = await login(daemon.socket, { service: 'sshd', user: 'bob', authtok: code, flags: Flag.USE_FIRST_PASS }, () => 'unused');
    expect(ok).toEqual({ verdict: 'SUCCESS', prompts: [], closed: true });
  });

  it('try_first_pass: a good authtok needs no prompt; a wrong one leads to the prompt', async () => {
    const c0 = hotp(keys.carol, 0);
    const c1 = hotp(keys.carol, 1);
    secrets.push(c0, c1);
    expect(await login(daemon.socket, { service: 'sshd', user: 'carol', authtok: c0, flags: Flag.TRY_FIRST_PASS }, () => 'unused')).toEqual({
      verdict: 'SUCCESS',
      prompts: [],
      closed: true,
    });
    const r = await login(daemon.socket, { service: 'sshd', user: 'carol', authtok: 'a password', flags: Flag.TRY_FIRST_PASS }, () => c1);
    expect(r.verdict).toBe('SUCCESS');
    expect(r.prompts.map((p) => p.style)).toEqual(['PROMPT_ECHO_OFF']);
  });

  it('a low S/KEY sequence is told as TEXT_INFO, but never with NO_INFO (OpenVPN) or SILENT', async () => {
    const told = await login(daemon.socket, { service: 'sshd', user: 'frank' }, answerSkey);
    expect(told.verdict).toBe('SUCCESS');
    expect(told.prompts.map((p) => p.style)).toEqual(['PROMPT_ECHO_OFF', 'TEXT_INFO']);
    expect(told.prompts[1]?.text).toMatch(/^otpd: few S\/KEY/);
    for (const [flags, expected] of [
      [Flag.NO_INFO, 4],
      [Flag.SILENT, 3],
    ] as const) {
      const quiet = await login(daemon.socket, { service: 'openvpn', user: 'gina', flags }, answerSkey);
      expect(quiet.verdict).toBe('SUCCESS');
      expect(quiet.prompts.map((p) => p.style)).toEqual(['PROMPT_ECHO_OFF']);
      expect((await skeyOf('gina')).sequence).toBe(expected);
    }
  });

  it('lock-out: the failure that reaches max_fail and every later attempt ⇒ MAXTRIES; once locked, prompted like anyone (unknown_user=refuse: no prompt)', async () => {
    // (the same wrong answer twice counts once, so different ones)
    expect((await login(daemon.socket, { service: 'sshd', user: 'lou' }, () => '000000')).verdict).toBe('AUTH_ERR');
    expect((await login(daemon.socket, { service: 'sshd', user: 'lou' }, () => '222222')).verdict).toBe('AUTH_ERR');
    expect((await login(daemon.socket, { service: 'sshd', user: 'lou' }, () => '111111')).verdict).toBe('MAXTRIES');
    const locked = await login(daemon.socket, { service: 'sshd', user: 'lou' }, () => hotp(keys.lou, 0));
    expect(locked.verdict).toBe('MAXTRIES');
    expect(locked.prompts.map((p) => p.text)).toEqual([OTP_PROMPT]);
    const quick = await login(daemon.socket, { service: 'sshd', user: 'lou', flags: Flag.NO_PROMPT_UNKNOWN }, () => hotp(keys.lou, 0));
    expect(quick).toEqual({ verdict: 'MAXTRIES', prompts: [], closed: true });
    // The code was never checked while locked: it is still unused.
    expect((await fx.entries('lou'))[0]).toMatchObject({ counter: 0 });
  });

  it('consecutive HOTP codes of one user in parallel: some accepted, none ever again; no secret in the audit log', async () => {
    const codes = Array.from({ length: 5 }, (_, i) => hotp(keys.dave, i));
    secrets.push(...codes);
    const results = await Promise.all(codes.map((c) => login(daemon.socket, { service: 'sshd', user: 'dave' }, () => c)));
    // HOTP accepts a later code and moves past the earlier ones, so not all need succeed.
    expect(results.filter((r) => r.verdict === 'SUCCESS').length).toBeGreaterThanOrEqual(1);
    for (const c of codes) expect((await login(daemon.socket, { service: 'sshd', user: 'dave' }, () => c)).verdict).not.toBe('SUCCESS');
    expect(secretsInAudit(fx, [...secrets, PASS])).toEqual([]);
  });
});
