/**
 * The real util-linux su, run as an ordinary user in a pseudo-terminal and answered with a one-time
 * password, through the built pam_otpd.so and otpd. Its PAM file is the host's /etc/pam.d/su with
 * the line of packaging/pam.d/su added before "@include common-auth" (socket= pointing at the test
 * daemon), so the shipped snippet is what is proven.
 *
 * su's PAM service is always `su`, and a developer's /etc/pam.d/su must never change: each su runs in
 * a private mount namespace (`unshare -m`) where the test's file is bind-mounted over /etc/pam.d/su;
 * the host's file is compared before and after. Root would skip authentication (pam_rootok), so su
 * is started by `runuser -u otpdtest-su-from`.
 *
 * The two accounts are created for the run and removed after it (created idempotently, so a run that
 * crashed before its cleanup is repaired by the next): a developer's /etc/passwd ends as it was, and
 * the fixed otpdtest- names make a leftover recognisable. Neither has a usable Unix password.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OathEntry } from '../../src/store/index.js';
import { startLoginStage, type LoginStage } from '../support/login-stage.js';
import { snippetForTest } from '../support/pam-module.js';
import { runInPty, type PtyResult } from '../support/pty.js';
import { hotp, randomKeyHex } from '../support/store-fixture.js';
import { ensureUnixUser, removeUnixUser } from '../support/unix-user.js';

const HOST_SU = '/etc/pam.d/su';
const FROM = 'otpdtest-su-from';
const TO = 'otpdtest-su-to';
const KEY = randomKeyHex();

let stage: LoginStage;
let pamFile: string;
let hostSuDigest: string;
let toUid: number;

function digestOf(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

beforeAll(async () => {
  hostSuDigest = digestOf(HOST_SU);
  await ensureUnixUser(FROM, { shell: '/bin/sh' });
  toUid = await ensureUnixUser(TO, { shell: '/bin/sh' }); // su -c runs the command through it
  stage = await startLoginStage({ name: 'su', store: `HOTP ${TO} - ${KEY} 0\n` });
  const host = readFileSync(HOST_SU, 'utf8');
  const include = /^@include common-auth\s*$/m;
  if (!include.test(host)) throw new Error(`${HOST_SU} has no "@include common-auth" line to put the snippet before`);
  const lines = snippetForTest('su', stage.daemon.socket);
  pamFile = path.join(stage.fx.dir, 'pam.d-su');
  writeFileSync(pamFile, host.replace(include, `${lines.join('\n')}\n@include common-auth`), { mode: 0o644 });
});

afterAll(async () => {
  const errors: unknown[] = [];
  for (const step of [() => stage?.close(), () => removeUnixUser(FROM), () => removeUnixUser(TO)]) {
    try {
      await step();
    } catch (e) {
      errors.push(e);
    }
  }
  expect(digestOf(HOST_SU), `${HOST_SU} changed`).toBe(hostSuDigest);
  if (errors.length > 0) throw new AggregateError(errors, 'su test teardown failed');
});

/** `runuser -u FROM -- su TARGET -c 'id -u'` in a namespace where /etc/pam.d/su is the test's file. */
function su(target: string, prompt: string, answer: string): Promise<PtyResult> {
  const within = ['unshare', '--mount', '--propagation', 'private', '--', 'sh', '-c', `mount --bind "$0" ${HOST_SU} && exec "$@"`, pamFile];
  return runInPty(['runuser', '-u', FROM, '--', 'su', target, '-c', 'echo "ran as uid $(id -u)"'], [{ prompt, answer }], { within });
}

async function oath(): Promise<OathEntry> {
  const [e] = await stage.fx.entries(TO);
  if (e?.kind !== 'oath') throw new Error(`no OATH line for ${TO}`);
  return e;
}

describe('su through pam_otpd.so and otpd (packaging/pam.d/su)', () => {
  it('the one-time password lets the command run as the target user; the code is not echoed', async () => {
    const code = hotp(KEY, 0);
    const r = await su(TO, 'One-time password: $', code);
    expect(r.status, `${r.output}\n${r.stderr}`).toBe(0);
    expect(r.answered).toBe(1);
    expect(r.output).toContain(`ran as uid ${toUid}\n`);
    expect(r.output).not.toContain(code);
    const e = await oath();
    expect([e.counter, e.lastOtp]).toEqual([0, code]);
    expect(await stage.auditWhen(TO, 1)).toEqual(['AUTH_OK_OTP']);
    expect(stage.fx.auditText()).toContain(`code=AUTH_OK_OTP user="${TO}" token="${TO}/HOTP@1" service="su"`);
  });

  it('the same code again, or a wrong one, and su refuses: no command, no change on disk', async () => {
    const before = stage.fx.storeBytes();
    for (const answer of [hotp(KEY, 0), hotp(KEY, 0) === '000000' ? '111111' : '000000']) {
      const r = await su(TO, 'One-time password: $', answer);
      expect(r.status, r.output).toBe(1);
      expect(r.answered).toBe(1);
      expect(r.output).toMatch(/su: Authentication failure/);
      expect(r.output).not.toContain('ran as uid');
    }
    expect(stage.fx.storeBytes().equals(before)).toBe(true);
    expect(await stage.auditWhen(TO, 3)).toEqual(['AUTH_OK_OTP', 'AUTH_OTP_ALREADY_USED', 'AUTH_FAILED']);
  });

  it('a target user otpd does not know is asked for the Unix password instead (user_unknown=ignore)', async () => {
    // FROM has no token and no usable password: pam_unix asks, then refuses.
    const r = await su(FROM, 'Password: $', hotp(KEY, 1));
    expect(r.answered).toBe(1);
    expect(r.output).not.toMatch(/One-time password/);
    expect(r.status, r.output).toBe(1);
    expect(r.output).not.toContain('ran as uid');
    expect(await stage.auditWhen(FROM, 1)).toEqual(['AUTH_USER_UNKNOWN']);
  });
});
