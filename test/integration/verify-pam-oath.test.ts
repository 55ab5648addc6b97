/**
 * `otpctl verify` and the real pam_oath (Debian libpam-oath, through pamtester) take turns on one
 * users.oath with several users and line types: each accepts its own code, refuses the code the other
 * accepted, no counter goes back, every line not being updated stays byte-identical, the file stays 0600.
 *
 * Needs root (service files /etc/pam.d/otpd-test-<random>, removed afterwards), pamtester, libpam-oath.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OathEntry } from '../../src/store/index.js';
import { DEFAULT_TOTP_OPTIONS, totpCode } from '../../src/tokens/totp.js';
import { hotp, installPamService, makeFixture, modeOf, RFC_KEY_HEX, secretsInAudit, type Fixture, type PamService } from '../support/store-fixture.js';

const KEY_A = 'a1b2c3d4e5f60718293a4b5c6d7e8f9001122334';
const KEY_P = '00112233445566778899aabbccddeeff00112233';

/** Line index (0-based) → content; the file is rebuilt from this, so we know each line's bytes. */
const LINES = [
  '# otpd interop store: comment line\n',
  `HOTP\talice\t-\t${KEY_A}\t0\n`, // 1: the user the two take turns on
  `HOTP/T30 bob - ${RFC_KEY_HEX} 0\n`,
  'FOOTP/E carol - 00 0   \n', // unknown type: skipped by both
  `HOTP  dave  -  ${RFC_KEY_HEX}\n`,
  '#OTPD/META erin name=paper\n',
  'OTPD/SKEY\terin\t-\tmd5\t99\tke1234\t0123456789abcdef\n',
  'OTPD/MOTP\tfrank\t-\t0123456789abcdef\t1234\t+0\n',
  '\n',
  `HOTP\tpat\tpw1234\t${KEY_P}\t0\n`, // 9: password + code (pam_oath digits=6)
];
const ALICE = 1;
const PAT = 9;

let fx: Fixture;
let pam: PamService;
let pamDigits: PamService;
const answers: string[] = [];

function counterOf(entries: readonly unknown[]): number {
  const e = entries.find((x): x is OathEntry => (x as OathEntry).kind === 'oath');
  if (e === undefined) throw new Error('no OATH entry');
  return e.counter;
}

/** What each line must be now: LINES, with the lines pam_oath or otpd updated so far. */
const current = [...LINES];

/** Every line except `changed` is byte-identical to what it was; returns (and records) the changed line. */
function checkOthers(changed: number): string {
  const text = fx.storeBytes().toString('latin1');
  const lines = text.split(/(?<=\n)/);
  expect(lines.length).toBe(LINES.length);
  lines.forEach((line, i) => {
    if (i !== changed) expect(line, `line ${i + 1}`).toBe(current[i]);
  });
  expect(modeOf(fx.store)).toBe(0o600);
  current[changed] = lines[changed] ?? '';
  return current[changed];
}

beforeAll(() => {
  fx = makeFixture({ name: 'pam-interop', store: LINES.join('') });
  pam = installPamService(`auth requisite pam_oath.so usersfile=${fx.store} window=20\naccount required pam_permit.so`);
  pamDigits = installPamService(`auth requisite pam_oath.so usersfile=${fx.store} window=20 digits=6\naccount required pam_permit.so`);
});

afterAll(() => {
  pam?.remove();
  pamDigits?.remove();
  fx?.cleanup();
});

describe('pam_oath and otpctl verify take turns on one file', () => {
  it('alternate on consecutive HOTP codes of one user; each refuses what the other took', async () => {
    let lastCounter = -1;
    for (let c = 0; c < 8; c++) {
      const code = hotp(KEY_A, c);
      answers.push(code);
      const pamFirst = c % 2 === 0;
      if (pamFirst) {
        expect(pam.login('alice', code), `pam_oath accepts counter ${c}`).toBe(true);
        const line = checkOthers(ALICE);
        expect(line).toMatch(new RegExp(`^HOTP\\talice\\t-\\t${KEY_A}\\t${c}\\t${code}\\t\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dL\\n$`));
        const r = fx.verify('alice', code, { service: 'sshd' });
        expect(r.verdict, r.stdout + r.stderr).toBe('Reject');
        expect(r.code).toBe('AUTH_OTP_ALREADY_USED');
        expect(checkOthers(ALICE)).toBe(line); // a refusal writes nothing
      } else {
        const r = fx.verify('alice', code, { service: 'sshd' });
        expect(r.verdict, r.stdout + r.stderr).toBe('Accept');
        expect(r.status).toBe(0);
        const line = checkOthers(ALICE);
        expect(line).toMatch(new RegExp(`^HOTP\\talice\\t-\\t${KEY_A}\\t${c}\\t${code}\\t\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dL\\n$`));
        expect(pam.login('alice', code), `pam_oath refuses counter ${c} that otpd took`).toBe(false);
        expect(checkOthers(ALICE)).toBe(line);
      }
      const counter = counterOf(await fx.entries('alice'));
      expect(counter).toBeGreaterThanOrEqual(lastCounter);
      expect(counter).toBe(c);
      lastCounter = counter;
    }
    // Older codes are refused by both, and the counter does not move back.
    for (const old of [answers[2] ?? '', answers[5] ?? '']) {
      expect(pam.login('alice', old)).toBe(false);
      expect(fx.verify('alice', old).verdict).toBe('Reject');
    }
    expect(counterOf(await fx.entries('alice'))).toBe(7);
  });

  it('a jump ahead in the window by one is not undone by the other', async () => {
    // otpd takes counter 12 (look-ahead 5 from 7); pam_oath must refuse 9..12 and accept 13.
    const r = fx.verify('alice', hotp(KEY_A, 12));
    expect(r.verdict, r.stdout + r.stderr).toBe('Accept');
    expect(counterOf(await fx.entries('alice'))).toBe(12);
    expect(pam.login('alice', hotp(KEY_A, 9))).toBe(false);
    expect(pam.login('alice', hotp(KEY_A, 12))).toBe(false);
    expect(counterOf(await fx.entries('alice'))).toBe(12);
    expect(pam.login('alice', hotp(KEY_A, 13))).toBe(true);
    expect(counterOf(await fx.entries('alice'))).toBe(13);
    expect(fx.verify('alice', hotp(KEY_A, 11)).verdict).toBe('Reject');
    expect(fx.verify('alice', hotp(KEY_A, 13)).verdict).toBe('Reject');
    checkOthers(ALICE);
  });

  it('TOTP (HOTP/T30) lines: neither accepts a step at or before the one the other took', async () => {
    // Stay clear of a step boundary: codes are for the previous, current and next step of one moment.
    const intoStep = (Date.now() / 1000) % 30;
    if (intoStep > 24) await new Promise((r) => setTimeout(r, (30.5 - intoStep) * 1000));
    const now = Math.floor(Date.now() / 1000);
    const at = (t: number): string => totpCode(Buffer.from(RFC_KEY_HEX, 'hex'), t, DEFAULT_TOTP_OPTIONS);
    const [prev, cur, next] = [at(now - 30), at(now), at(now + 30)];
    answers.push(prev, cur, next);
    expect(pam.login('bob', prev)).toBe(true);
    checkOthers(2);
    expect(fx.verify('bob', prev).code).toBe('AUTH_OTP_ALREADY_USED');
    const r = fx.verify('bob', cur);
    expect(r.verdict, r.stdout + r.stderr).toBe('Accept');
    expect(checkOthers(2)).toMatch(new RegExp(`^HOTP/T30\\tbob\\t-\\t${RFC_KEY_HEX}\\t\\d+\\t${cur}\\t`));
    expect(pam.login('bob', cur)).toBe(false);
    expect(pam.login('bob', prev)).toBe(false);
    expect(pam.login('bob', next)).toBe(true);
    checkOthers(2);
    expect(fx.verify('bob', next).verdict).toBe('Reject');
    expect(fx.verify('bob', cur).verdict).toBe('Reject');
  });

  it('password + code (pam_oath digits=6) alternate too; a wrong password is refused by both', async () => {
    for (let c = 0; c < 4; c++) {
      const code = hotp(KEY_P, c);
      answers.push(code);
      const before = checkOthers(PAT);
      if (c % 2 === 0) {
        expect(pamDigits.login('pat', `wrong1${code}`)).toBe(false);
        expect(checkOthers(PAT)).toBe(before);
        expect(pamDigits.login('pat', `pw1234${code}`)).toBe(true);
        expect(fx.verify('pat', `pw1234${code}`).verdict).toBe('Reject');
      } else {
        expect(fx.verify('pat', `wrong1${code}`).verdict).toBe('Reject');
        expect(checkOthers(PAT)).toBe(before);
        const r = fx.verify('pat', `pw1234${code}`);
        expect(r.verdict, r.stdout + r.stderr).toBe('Accept');
        expect(pamDigits.login('pat', `pw1234${code}`)).toBe(false);
      }
      expect(checkOthers(PAT)).toMatch(new RegExp(`^HOTP\\tpat\\tpw1234\\t${KEY_P}\\t${c}\\t${code}\\t`));
      expect(counterOf(await fx.entries('pat'))).toBe(c);
    }
  });

  it('the other users and the extension lines still read as before', async () => {
    const file = await fx.parsed();
    expect(file.errors).toEqual([]);
    expect((await fx.entries('erin')).map((e) => e.kind)).toEqual(['skey']);
    expect((await fx.entries('frank')).map((e) => e.kind)).toEqual(['motp']);
    expect((await fx.entries('carol')).length).toBe(0);
    // untouched users still work for both (dave: pam_oath; bob's TOTP line: otpd)
    expect(pam.login('dave', hotp(RFC_KEY_HEX, 0))).toBe(true);
    expect(fx.verify('dave', hotp(RFC_KEY_HEX, 0)).verdict).toBe('Reject');
    expect(fx.verify('dave', hotp(RFC_KEY_HEX, 1)).verdict).toBe('Accept');
    expect(modeOf(fx.store)).toBe(0o600);
  });

  it('the audit log holds no code or password', () => {
    expect(fx.auditText()).toContain('code=AUTH_OK_OTP');
    expect(secretsInAudit(fx, [...answers, 'pw1234', 'wrong1'])).toEqual([]);
  });
});
