/**
 * pam_otpd.so in a stack, through the real pamtester and otpd: `try_first_pass` / `use_first_pass`
 * take the password an earlier module set, and `[user_unknown=ignore]` skips the module for a user otpd
 * does not know (and only then).
 *
 * The earlier module is Linux-PAM's pam_stress (Debian libpam-modules ships it in the security
 * directory): it prompts `STRESS Password: ` and stores the answer as PAM_AUTHTOK and succeeds, which
 * is what pam_unix does with a typed password, without needing a Unix account whose password matches.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OathEntry } from '../../src/store/index.js';
import { startLoginStage, type LoginStage } from '../support/login-stage.js';
import { otpdAuthLine } from '../support/pam-module.js';
import { runPamtester, type PamtesterResult } from '../support/pamtester.js';
import { hotp, randomKeyHex, type PamService } from '../support/store-fixture.js';

const STRESS_PROMPT = 'STRESS Password: ';
const OTP_PROMPT = 'One-time password: ';
const keys = { tfp: randomKeyHex(), ufp: randomKeyHex(), pin: randomKeyHex(), known: randomKeyHex() };

let stage: LoginStage;
let tryFirst: PamService;
let useFirst: PamService;
let ignoreUnknown: PamService;
let promptUnknown: PamService;

beforeAll(async () => {
  const store = [`HOTP st-tfp - ${keys.tfp} 0`, `HOTP st-ufp - ${keys.ufp} 0`, `HOTP st-pin s3cret ${keys.pin} 0`, `HOTP st-known - ${keys.known} 0`, ''].join(
    '\n',
  );
  stage = await startLoginStage({ name: 'pamtester-stack', store });
  const socket = stage.daemon.socket;
  tryFirst = stage.service(['auth required pam_stress.so', otpdAuthLine('required', socket, ['timeout=5', 'try_first_pass'])]);
  useFirst = stage.service(['auth required pam_stress.so', otpdAuthLine('required', socket, ['timeout=5', 'use_first_pass'])]);
  // pam_permit after: the stack succeeds exactly when pam_otpd succeeded or was ignored.
  ignoreUnknown = stage.service([
    otpdAuthLine('[success=ok user_unknown=ignore default=die]', socket, ['timeout=5', 'unknown_user=refuse']),
    'auth required pam_permit.so',
  ]);
  promptUnknown = stage.service([otpdAuthLine('[success=ok user_unknown=ignore default=die]', socket, ['timeout=5']), 'auth required pam_permit.so']);
});

afterAll(async () => {
  await stage?.close();
});

async function oath(user: string): Promise<OathEntry> {
  const [e] = await stage.fx.entries(user);
  if (e?.kind !== 'oath') throw new Error(`no OATH line for ${user}`);
  return e;
}

function expectAccepted(r: PamtesterResult, prompts: readonly string[]): void {
  expect(r.status, r.stderr).toBe(0);
  expect(r.code).toBe('PAM_SUCCESS');
  expect(r.prompts).toEqual(prompts);
}

describe('pam_otpd.so stacked after a module that sets the password', () => {
  it('try_first_pass: the code from the earlier prompt is used without asking again', async () => {
    const code = hotp(keys.tfp, 0);
    expectAccepted(await runPamtester({ service: tryFirst.name, user: 'st-tfp', answers: [code] }), [STRESS_PROMPT]);
    expect((await oath('st-tfp')).lastOtp).toBe(code);
  });

  it('try_first_pass: a password that is not a code leads to the one-time password prompt', async () => {
    const code = hotp(keys.tfp, 1);
    expectAccepted(await runPamtester({ service: tryFirst.name, user: 'st-tfp', answers: ['my unix password', code] }), [STRESS_PROMPT, OTP_PROMPT]);
    const e = await oath('st-tfp');
    expect([e.counter, e.lastOtp]).toEqual([1, code]);
    expect(await stage.auditWhen('st-tfp', 3)).toEqual(['AUTH_OK_OTP', 'AUTH_FAILED', 'AUTH_OK_OTP']);
  });

  it('use_first_pass: the earlier answer alone decides; a wrong one is refused without a second prompt', async () => {
    const before = stage.fx.storeBytes();
    const wrong = await runPamtester({ service: useFirst.name, user: 'st-ufp', answers: ['000000', hotp(keys.ufp, 0)] });
    expect(wrong.status).toBe(1);
    expect(wrong.code).toBe('PAM_AUTH_ERR');
    expect(wrong.prompts).toEqual([STRESS_PROMPT]);
    expect(stage.fx.storeBytes().equals(before)).toBe(true);
    const code = hotp(keys.ufp, 0);
    expectAccepted(await runPamtester({ service: useFirst.name, user: 'st-ufp', answers: [code] }), [STRESS_PROMPT]);
    expect((await oath('st-ufp')).lastOtp).toBe(code);
    expect(await stage.auditWhen('st-ufp', 2)).toEqual(['AUTH_FAILED', 'AUTH_OK_OTP']);
  });

  it('use_first_pass: password + OTP typed once into the earlier module', async () => {
    const code = hotp(keys.pin, 0);
    const wrong = await runPamtester({ service: useFirst.name, user: 'st-pin', answers: [`secret${code}`] });
    expect(wrong.code).toBe('PAM_AUTH_ERR');
    expectAccepted(await runPamtester({ service: useFirst.name, user: 'st-pin', answers: [`s3cret${code}`] }), [STRESS_PROMPT]);
    expect((await oath('st-pin')).lastOtp).toBe(code);
    expect(await stage.auditWhen('st-pin', 2)).toEqual(['AUTH_FAILED', 'AUTH_OK_OTP']);
  });
});

describe('[user_unknown=ignore]', () => {
  it('by default a user otpd does not know is prompted like a known one, then gets PAM_USER_UNKNOWN (the next module decides)', async () => {
    expectAccepted(await runPamtester({ service: promptUnknown.name, user: 'st-nobody', answers: ['123456'] }), [OTP_PROMPT]);
    expect(await stage.auditWhen('st-nobody', 1)).toEqual(['AUTH_USER_UNKNOWN']);
  });

  it('with unknown_user=refuse a user otpd does not know skips the module without a prompt (the next module decides)', async () => {
    expectAccepted(await runPamtester({ service: ignoreUnknown.name, user: 'st-stranger', answers: ['123456'] }), []);
    expect(await stage.auditWhen('st-stranger', 1)).toEqual(['AUTH_USER_UNKNOWN']);
  });

  it('a known user still needs the right code', async () => {
    const wrong = await runPamtester({ service: ignoreUnknown.name, user: 'st-known', answers: ['000000'] });
    expect(wrong.status).toBe(1);
    expect(wrong.code).toBe('PAM_AUTH_ERR');
    expect(wrong.prompts).toEqual([OTP_PROMPT]);
    expectAccepted(await runPamtester({ service: ignoreUnknown.name, user: 'st-known', answers: [hotp(keys.known, 0)] }), [OTP_PROMPT]);
    expect(await stage.auditWhen('st-known', 2)).toEqual(['AUTH_FAILED', 'AUTH_OK_OTP']);
  });
});
