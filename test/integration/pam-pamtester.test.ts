/**
 * Real logins through libpam: the real pamtester, a service file in /etc/pam.d naming the built
 * pam/build/pam_otpd.so, and the built otpd on a store fixture. Every token kind is accepted once and
 * moves its state on disk; replayed and wrong answers are refused and change nothing; an unknown user
 * is PAM_USER_UNKNOWN before any prompt. Needs root (the module trusts only root's daemon).
 * The module's stacking (first_pass, user_unknown=ignore) and the daemon's absence are in
 * pam-pamtester-stack.test.ts and pam-pamtester-unavailable.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MotpEntry, OathEntry, SkeyEntry, TokenEntry } from '../../src/store/index.js';
import { motpCode, motpSlot } from '../../src/tokens/motp.js';
import { hashPassword } from '../../src/tokens/password.js';
import { totpCode } from '../../src/tokens/totp.js';
import { startLoginStage, type LoginStage } from '../support/login-stage.js';
import { otpdAuthLine } from '../support/pam-module.js';
import { runPamtester, type PamAnswer } from '../support/pamtester.js';
import { otpctl } from '../support/run.js';
import { hotp, randomKeyHex, type PamService } from '../support/store-fixture.js';

const OTP_PROMPT = 'One-time password: ';
const PASS_PHRASE = 'a long s/key pass phrase';
const MOTP = { secret: '0123456789abcdef0123', pin: '4711' };
const keys = { hotp: randomKeyHex(), totp: randomKeyHex(), pin: randomKeyHex(), hash: randomKeyHex() };

/** `otpctl gen skey ARGS` with the pass phrase on stdin: the S/KEY response a user's calculator shows. */
function genSkey(args: readonly string[]): string {
  const r = otpctl(['gen', 'skey', ...args], { input: `${PASS_PHRASE}\n` });
  if (r.status !== 0) throw new Error(`otpctl gen skey: ${r.stderr}`);
  return r.stdout.trim();
}

let stage: LoginStage;
let pam: PamService;

beforeAll(async () => {
  const store = [
    `HOTP pt-hotp - ${keys.hotp} 0`,
    `HOTP/T30 pt-totp - ${keys.totp}`,
    `OTPD/SKEY pt-skey - md5 99 pt1234 ${genSkey(['--md5', '--hex', '100', 'pt1234'])}`,
    `OTPD/MOTP pt-motp - ${MOTP.secret} ${MOTP.pin} 0`,
    `HOTP pt-pin s3cret ${keys.pin} 0`,
    `HOTP pt-hash ${await hashPassword('s3cret', { ln: 10 })} ${keys.hash} 0`,
    '',
  ].join('\n');
  stage = await startLoginStage({ name: 'pamtester', store });
  pam = stage.service([otpdAuthLine('required', stage.daemon.socket, ['timeout=5'])]);
});

afterAll(async () => {
  await stage?.close();
});

function login(user: string, answers: readonly PamAnswer[], items?: Record<string, string>) {
  return runPamtester({ service: pam.name, user, answers, ...(items !== undefined && { items }) });
}

async function entry<T extends TokenEntry>(user: string): Promise<T> {
  const [e] = await stage.fx.entries(user);
  if (e === undefined) throw new Error(`no token line for ${user}`);
  return e as T;
}

/** A refused login: PAM_AUTH_ERR after one prompt, and the store byte for byte as before. */
async function expectRefused(user: string, answer: PamAnswer): Promise<void> {
  const before = stage.fx.storeBytes();
  const r = await login(user, [answer]);
  expect(r.status, r.stderr).toBe(1);
  expect(r.code).toBe('PAM_AUTH_ERR');
  expect(r.prompts).toHaveLength(1);
  expect(stage.fx.storeBytes().equals(before)).toBe(true);
}

describe('pamtester through pam_otpd.so and otpd', () => {
  it('HOTP: accepted once with the counter on disk; the replay and a wrong code are refused', async () => {
    const code = hotp(keys.hotp, 1);
    const ok = await login('pt-hotp', [code], { rhost: '192.0.2.7', tty: '/dev/pts/7' });
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.code).toBe('PAM_SUCCESS');
    expect(ok.prompts).toEqual([OTP_PROMPT]);
    const e = await entry<OathEntry>('pt-hotp');
    expect([e.counter, e.lastOtp]).toEqual([1, code]);
    await expectRefused('pt-hotp', code);
    await expectRefused('pt-hotp', hotp(keys.hotp, 0)); // behind the counter: a replay too
    await expectRefused('pt-hotp', code === '000000' ? '111111' : '000000');
    expect(await stage.auditWhen('pt-hotp', 4)).toEqual(['AUTH_OK_OTP', 'AUTH_OTP_ALREADY_USED', 'AUTH_OTP_ALREADY_USED', 'AUTH_FAILED']);
    // The module relays PAM_RHOST (and the service name pamtester was asked for).
    expect(stage.fx.auditText()).toContain(`code=AUTH_OK_OTP user="pt-hotp" token="pt-hotp/HOTP@1" service="${pam.name}" rhost="192.0.2.7" tty="/dev/pts/7"`);
  });

  it('TOTP: the current code is accepted and recorded; the same code again is a replay', async () => {
    const code = totpCode(Buffer.from(keys.totp, 'hex'), Date.now() / 1000, { digits: 6, algorithm: 'sha1', step: 30, t0: 0 });
    const ok = await login('pt-totp', [code]);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.prompts).toEqual([OTP_PROMPT]);
    expect((await entry<OathEntry>('pt-totp')).lastOtp).toBe(code);
    await expectRefused('pt-totp', code);
    expect(await stage.auditWhen('pt-totp', 2)).toEqual(['AUTH_OK_OTP', 'AUTH_OTP_ALREADY_USED']);
  });

  it('S/KEY: the challenge is in the prompt, the response computed from it is accepted, the sequence goes down', async () => {
    let response = '';
    const fromPrompt = (prompt: string): string => {
      response = genSkey([prompt.replace(/, Response: $/, '')]);
      return response;
    };
    const ok = await login('pt-skey', [fromPrompt]);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.prompts).toEqual(['otp-md5 99 pt1234 ext, Response: ']);
    const e = await entry<SkeyEntry>('pt-skey');
    expect(e.sequence).toBe(98);
    // The same response again is refused, under the next challenge.
    const again = await login('pt-skey', [response]);
    expect(again.code).toBe('PAM_AUTH_ERR');
    expect(again.prompts).toEqual(['otp-md5 98 pt1234 ext, Response: ']);
    expect((await entry<SkeyEntry>('pt-skey')).sequence).toBe(98);
    // Each challenge issued is audited too.
    expect(await stage.auditWhen('pt-skey', 4)).toEqual(['AUTH_SKEY_CHALLENGE', 'AUTH_OK_OTP', 'AUTH_SKEY_CHALLENGE', 'AUTH_OTP_ALREADY_USED']);
  });

  it('mOTP: the code of the current 10-second slot is accepted, the slot recorded, the replay refused', async () => {
    const now = Date.now() / 1000;
    const code = motpCode(MOTP.secret, MOTP.pin, now, 0);
    const ok = await login('pt-motp', [code]);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.prompts).toEqual([OTP_PROMPT]);
    const slot = (await entry<MotpEntry>('pt-motp')).lastSlot ?? 0;
    expect(slot).toBeGreaterThanOrEqual(motpSlot(now, 0));
    expect(slot).toBeLessThanOrEqual(motpSlot(Date.now() / 1000, 0));
    await expectRefused('pt-motp', code);
    expect(await stage.auditWhen('pt-motp', 2)).toEqual(['AUTH_OK_OTP', 'AUTH_OTP_ALREADY_USED']);
  });

  it('password + OTP in one answer (plain and scrypt password fields); a wrong or missing password is refused', async () => {
    for (const [user, key] of [
      ['pt-pin', keys.pin],
      ['pt-hash', keys.hash],
    ] as const) {
      await expectRefused(user, `s3creT${hotp(key, 0)}`);
      await expectRefused(user, hotp(key, 0));
      const ok = await login(user, [`s3cret${hotp(key, 0)}`]);
      expect(ok.status, `${user}: ${ok.stderr}`).toBe(0);
      const e = await entry<OathEntry>(user);
      expect([e.counter, e.lastOtp]).toEqual([0, hotp(key, 0)]);
      expect(await stage.auditWhen(user, 3)).toEqual(['AUTH_FAILED', 'AUTH_FAILED', 'AUTH_OK_OTP']);
    }
  });

  it('a user otpd does not know is prompted like anyone (enrolment is not visible), then PAM_USER_UNKNOWN', async () => {
    const r = await login('pt-nobody', ['123456']);
    expect(r.status).toBe(1);
    expect(r.code).toBe('PAM_USER_UNKNOWN');
    expect(r.prompts).toEqual([OTP_PROMPT]);
    expect(await stage.auditWhen('pt-nobody', 1)).toEqual(['AUTH_USER_UNKNOWN']);
  });

  it('the audit log holds none of the answers', () => {
    const text = stage.fx.auditText();
    expect(text).not.toMatch(/s3cret/);
    expect(text).not.toContain(hotp(keys.hotp, 1));
  });
});
