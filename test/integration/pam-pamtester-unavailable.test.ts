/**
 * pam_otpd.so fails closed when otpd cannot answer, through the real pamtester: a daemon that hangs
 * (SIGSTOP) before or after the prompt ⇒ PAM_AUTHINFO_UNAVAIL once the module's `timeout=` has passed,
 * not later; a daemon that was stopped or crashed ⇒ PAM_AUTHINFO_UNAVAIL at once, without a prompt,
 * also where the stack ignores unknown users. The store is untouched by every refusal.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon } from '../support/daemon.js';
import { startLoginStage, type LoginStage } from '../support/login-stage.js';
import { otpdAuthLine } from '../support/pam-module.js';
import { runPamtester, type PamtesterResult } from '../support/pamtester.js';
import { hotp, randomKeyHex, type PamService } from '../support/store-fixture.js';

/** The module's budget in these tests, and the most a refusal may take: the budget plus slack for a busy machine. */
const TIMEOUT_S = 2;
const UPPER_BOUND_MS = 6_000;
const KEY = randomKeyHex();

let stage: LoginStage;
let pam: PamService;
let ignoreUnknown: PamService;

beforeAll(async () => {
  stage = await startLoginStage({ name: 'pamtester-down', store: `HOTP pd-user - ${KEY} 0\n` });
  const args = [`timeout=${TIMEOUT_S}`];
  pam = stage.service([otpdAuthLine('required', stage.daemon.socket, args)]);
  ignoreUnknown = stage.service([otpdAuthLine('[success=ok user_unknown=ignore default=die]', stage.daemon.socket, args), 'auth required pam_permit.so']);
});

afterAll(async () => {
  await stage?.close();
});

function expectUnavailable(r: PamtesterResult): void {
  expect(r.status, r.stderr).toBe(1);
  expect(r.code).toBe('PAM_AUTHINFO_UNAVAIL');
  expect(r.timedOut).toBe(false);
}

/** Runs `during` with the daemon stopped (SIGSTOP), and always continues it afterwards. */
async function whileHung<T>(during: () => Promise<T>): Promise<T> {
  const pid = stage.daemon.child.pid;
  if (pid === undefined) throw new Error('the daemon has no pid');
  process.kill(pid, 'SIGSTOP');
  try {
    return await during();
  } finally {
    process.kill(pid, 'SIGCONT');
  }
}

describe('pam_otpd.so when otpd does not answer', () => {
  it('a daemon hung before the prompt ⇒ PAM_AUTHINFO_UNAVAIL after timeout= and well within the bound', async () => {
    const before = stage.fx.storeBytes();
    const r = await whileHung(() => runPamtester({ service: pam.name, user: 'pd-user', answers: [hotp(KEY, 0)] }));
    expectUnavailable(r);
    expect(r.prompts).toEqual([]);
    expect(r.elapsedMs).toBeGreaterThanOrEqual(TIMEOUT_S * 1000 - 100);
    expect(r.elapsedMs).toBeLessThan(UPPER_BOUND_MS);
    expect(stage.fx.storeBytes().equals(before)).toBe(true);
    // Continued, the daemon serves the next login (so the refusal above was the hang's doing).
    const ok = await runPamtester({ service: pam.name, user: 'pd-user', answers: [hotp(KEY, 0)] });
    expect(ok.code, ok.stderr).toBe('PAM_SUCCESS');
  });

  it('a daemon that hangs after the prompt ⇒ PAM_AUTHINFO_UNAVAIL once the budget left is spent', async () => {
    const pid = stage.daemon.child.pid ?? 0;
    let stoppedAt = 0;
    const r = await runPamtester({
      service: pam.name,
      user: 'pd-user',
      answers: [
        () => {
          process.kill(pid, 'SIGSTOP');
          stoppedAt = performance.now();
          return hotp(KEY, 1);
        },
      ],
    }).finally(() => process.kill(pid, 'SIGCONT'));
    const afterStop = performance.now() - stoppedAt;
    expectUnavailable(r);
    expect(r.prompts).toEqual(['One-time password: ']);
    expect(afterStop).toBeGreaterThanOrEqual(TIMEOUT_S * 1000 - 100);
    expect(afterStop).toBeLessThan(UPPER_BOUND_MS);
    // Continued, otpd sees that the module gave up before it decides: the code is not spent on nobody
    // (AUTH_ABORTED), so the same code still logs in.
    const ok = await runPamtester({ service: pam.name, user: 'pd-user', answers: [hotp(KEY, 1)] });
    expect(ok.code, ok.stderr).toBe('PAM_SUCCESS');
    expect(stage.fx.auditCodes().slice(-2)).toEqual(['AUTH_ABORTED', 'AUTH_OK_OTP']);
  });

  it('a stopped daemon ⇒ PAM_AUTHINFO_UNAVAIL at once, without a prompt, also under [user_unknown=ignore]', async () => {
    expect((await stage.daemon.stop()).status).toBe(0);
    const before = stage.fx.storeBytes();
    for (const service of [pam, ignoreUnknown]) {
      const r = await runPamtester({ service: service.name, user: 'pd-user', answers: [hotp(KEY, 3)] });
      expectUnavailable(r);
      expect(r.prompts).toEqual([]);
      expect(r.elapsedMs).toBeLessThan(TIMEOUT_S * 1000);
    }
    expect(stage.fx.storeBytes().equals(before)).toBe(true);
  });

  it('a crashed daemon (its socket file left behind) ⇒ PAM_AUTHINFO_UNAVAIL at once', async () => {
    const crashed = await startDaemon(stage.fx);
    crashed.child.kill('SIGKILL');
    await crashed.exited;
    expect(existsSync(crashed.socket)).toBe(true);
    const r = await runPamtester({ service: pam.name, user: 'pd-user', answers: [hotp(KEY, 3)] });
    expectUnavailable(r);
    expect(r.prompts).toEqual([]);
    expect(r.elapsedMs).toBeLessThan(TIMEOUT_S * 1000);
  });
});
