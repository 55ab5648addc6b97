/**
 * The policy around the verifiers, through the built `otpctl verify`: lock-out per user and service group,
 * sessions, service rules (#OTPD/META groups= / enabled=), and the audit codes they write. Each test has its
 * own store, config and state directory.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { hotp, makeFixture, randomKeyHex, secretsInAudit, type Fixture } from '../support/store-fixture.js';

let fx: Fixture | undefined;
afterEach(() => fx?.cleanup());

/** Six-digit answers that are none of KEY's codes for counters 0..200. */
function wrongCodes(key: string, n: number): string[] {
  const real = new Set(Array.from({ length: 201 }, (_, c) => hotp(key, c)));
  const out: string[] = [];
  for (let i = 1; out.length < n; i++) {
    const candidate = String((i * 104_729) % 1_000_000).padStart(6, '0');
    if (!real.has(candidate)) out.push(candidate);
  }
  return out;
}

const GROUPS = '[groups.vpn]\nservices = ["openvpn"]\n[groups.remote]\nservices = ["sshd"]\n';

describe('lock-out', () => {
  it('max_fail wrong answers lock the user for that group only; the lock ends after unlock_after', async () => {
    const key = randomKeyHex();
    fx = makeFixture({ name: 'lockout', store: `HOTP alice - ${key}\n`, config: `[lockout]\nmax_fail = 3\nunlock_after = "2s"\n${GROUPS}` });
    const wrong = wrongCodes(key, 3);
    expect(fx.verify('alice', wrong[0] ?? '', { service: 'sshd' }).code).toBe('AUTH_FAILED');
    expect(fx.verify('alice', wrong[1] ?? '', { service: 'sshd' }).code).toBe('AUTH_FAILED');
    const third = fx.verify('alice', wrong[2] ?? '', { service: 'sshd' });
    expect(third.verdict).toBe('Reject');
    expect(third.code).toBe('AUTH_LOCKED_NOW');
    const lockedAt = Date.now();
    // Locked for sshd (group remote): even the right code is refused without being checked or used.
    const locked = fx.verify('alice', hotp(key, 0), { service: 'sshd', debug: true });
    expect(locked.verdict).toBe('Reject');
    expect(locked.code).toBe('AUTH_USER_LOCKED');
    expect(locked.stdout).toMatch(/locked for group remote/);
    // Another group still works, with the same code (it was not consumed by the locked attempt).
    const vpn = fx.verify('alice', hotp(key, 0), { service: 'openvpn' });
    expect(vpn.verdict, vpn.stdout + vpn.stderr).toBe('Accept');
    expect(vpn.code).toBe('AUTH_OK_OTP');
    // unlock_after = 2s: the lock ends by itself.
    await new Promise((r) => setTimeout(r, Math.max(0, lockedAt + 2_300 - Date.now())));
    const after = fx.verify('alice', hotp(key, 1), { service: 'sshd' });
    expect(after.verdict, after.stdout + after.stderr).toBe('Accept');
    const codes = fx.auditCodes();
    expect(codes).toEqual(['AUTH_FAILED', 'AUTH_FAILED', 'AUTH_LOCKED_NOW', 'AUTH_USER_LOCKED', 'AUTH_OK_OTP', 'AUTH_OK_OTP']);
    expect(fx.auditText()).toMatch(/code=AUTH_LOCKED_NOW user="alice" token="alice\/HOTP@1" service="sshd"/);
    expect(secretsInAudit(fx, [...wrong, hotp(key, 0), hotp(key, 1)])).toEqual([]);
  });

  it('the same wrong answer repeated counts once; a success resets the count', async () => {
    const key = randomKeyHex();
    fx = makeFixture({ name: 'lockout-repeat', store: `HOTP alice - ${key}\n`, config: `[lockout]\nmax_fail = 3\nunlock_after = "15m"\n` });
    const wrong = wrongCodes(key, 4);
    for (let i = 0; i < 6; i++) expect(fx.verify('alice', wrong[0] ?? '').code).toBe('AUTH_FAILED');
    expect(fx.verify('alice', wrong[1] ?? '').code).toBe('AUTH_FAILED'); // count 2
    expect(fx.verify('alice', hotp(key, 0)).verdict).toBe('Accept'); // resets
    expect(fx.verify('alice', wrong[2] ?? '').code).toBe('AUTH_FAILED'); // 1
    expect(fx.verify('alice', wrong[3] ?? '').code).toBe('AUTH_FAILED'); // 2
    expect(fx.verify('alice', hotp(key, 1)).verdict).toBe('Accept');
    // A replayed code is a failure like any other; three distinct ones lock.
    expect(fx.verify('alice', wrong[0] ?? '').code).toBe('AUTH_FAILED');
    expect(fx.verify('alice', wrong[1] ?? '').code).toBe('AUTH_FAILED');
    expect(fx.verify('alice', wrong[2] ?? '').code).toBe('AUTH_LOCKED_NOW');
    expect(fx.verify('alice', hotp(key, 2)).code).toBe('AUTH_USER_LOCKED');
    expect(fx.auditCodes().filter((c) => c === 'AUTH_LOCKED_NOW').length).toBe(1);
  });

  it('a locked user gets no S/KEY challenge (holding one would only block the next attempt)', async () => {
    const key = randomKeyHex();
    const skey = 'OTPD/SKEY alice - md5 99 ke1234 0123456789abcdef\n';
    fx = makeFixture({ name: 'lockout-skey', store: `HOTP alice - ${key}\n${skey}`, config: `[lockout]\nmax_fail = 2\nunlock_after = "15m"\n` });
    const wrong = wrongCodes(key, 2);
    expect(fx.verify('alice', wrong[0] ?? '').code).toBe('AUTH_FAILED');
    expect(fx.verify('alice', wrong[1] ?? '').code).toBe('AUTH_LOCKED_NOW');
    const refused = fx.challenge('alice');
    expect(refused.status).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/locked/);
    expect(fx.auditCodes().at(-1)).toBe('AUTH_USER_LOCKED');
  });
});

describe('sessions', () => {
  const SESSIONS =
    '[lockout]\nmax_fail = 0\n' +
    '[groups.imap]\nservices = ["dovecot"]\n[groups.imap.session]\nenabled = true\nmatch_rhost = true\nmax_logins = 2\n' +
    '[groups.web]\nservices = ["webmail"]\n[groups.web.session]\nenabled = true\nmatch_rhost = false\n';

  it('the same answer again from the same rhost (AUTH_OK_SESSION), not from another, at most max_logins', async () => {
    const key = randomKeyHex();
    fx = makeFixture({ name: 'session', store: `HOTP alice - ${key}\n`, config: SESSIONS });
    const code = hotp(key, 0);
    const first = fx.verify('alice', code, { service: 'dovecot', rhost: '192.0.2.7' });
    expect(first.code).toBe('AUTH_OK_OTP');
    expect(fx.verify('alice', code, { service: 'dovecot', rhost: '192.0.2.8' }).verdict).toBe('Reject');
    expect(fx.verify('alice', code, { service: 'dovecot' }).verdict).toBe('Reject'); // no rhost is not a match
    const again = fx.verify('alice', code, { service: 'dovecot', rhost: '192.0.2.7' });
    expect(again.verdict).toBe('Accept');
    expect(again.code).toBe('AUTH_OK_SESSION');
    expect(fx.verify('alice', code, { service: 'dovecot', rhost: '192.0.2.7' }).code).toBe('AUTH_OK_SESSION');
    // max_logins = 2 served: the third replay is refused.
    expect(fx.verify('alice', code, { service: 'dovecot', rhost: '192.0.2.7' }).verdict).toBe('Reject');
    // Another group (sshd: default, sessions off) refuses the replay.
    const ssh = fx.verify('alice', code, { service: 'sshd', rhost: '192.0.2.7' });
    expect(ssh.verdict).toBe('Reject');
    expect(ssh.code).toBe('AUTH_OTP_ALREADY_USED');
    const sessionLines = fx
      .auditText()
      .split('\n')
      .filter((l) => l.includes('code=AUTH_OK_SESSION'));
    expect(sessionLines.length).toBe(2);
    for (const l of sessionLines) expect(l).toMatch(/rhost="192\.0\.2\.7" tty=- session="[A-Za-z0-9_-]{22}"/);
    expect(secretsInAudit(fx, [code])).toEqual([]);
  });

  it('match_rhost = false accepts from any host; a session of one group does not serve another', async () => {
    const key = randomKeyHex();
    fx = makeFixture({ name: 'session-any', store: `HOTP alice - ${key}\n`, config: SESSIONS });
    const code = hotp(key, 3);
    expect(fx.verify('alice', code, { service: 'webmail', rhost: '198.51.100.1' }).code).toBe('AUTH_OK_OTP');
    expect(fx.verify('alice', code, { service: 'webmail', rhost: '198.51.100.2' }).code).toBe('AUTH_OK_SESSION');
    expect(fx.verify('alice', code, { service: 'webmail' }).code).toBe('AUTH_OK_SESSION');
    expect(fx.verify('alice', code, { service: 'dovecot', rhost: '198.51.100.1' }).verdict).toBe('Reject');
  });

  it('a session ends after its timeout', async () => {
    const key = randomKeyHex();
    fx = makeFixture({
      name: 'session-timeout',
      store: `HOTP alice - ${key}\n`,
      config: '[groups.imap]\nservices = ["dovecot"]\n[groups.imap.session]\nenabled = true\ntimeout = "2s"\n',
    });
    const code = hotp(key, 0);
    expect(fx.verify('alice', code, { service: 'dovecot', rhost: 'h1' }).code).toBe('AUTH_OK_OTP');
    // The session was opened before that otpctl returned: from here its 2 s are surely over at +2.5 s
    // (a clock read before the call would be early by the time otpctl takes on a loaded machine).
    const opened = Date.now();
    expect(fx.verify('alice', code, { service: 'dovecot', rhost: 'h1' }).code).toBe('AUTH_OK_SESSION');
    await new Promise((r) => setTimeout(r, Math.max(0, opened + 2_500 - Date.now())));
    const late = fx.verify('alice', code, { service: 'dovecot', rhost: 'h1' });
    expect(late.verdict).toBe('Reject');
    expect(late.code).toBe('AUTH_OTP_ALREADY_USED');
  });

  it('a group without sessions refuses the replay', async () => {
    const key = randomKeyHex();
    fx = makeFixture({ name: 'nosession', store: `HOTP alice - ${key}\n`, config: GROUPS });
    const code = hotp(key, 0);
    expect(fx.verify('alice', code, { service: 'openvpn', rhost: '192.0.2.7' }).verdict).toBe('Accept');
    const again = fx.verify('alice', code, { service: 'openvpn', rhost: '192.0.2.7' });
    expect(again.verdict).toBe('Reject');
    expect(again.code).toBe('AUTH_OTP_ALREADY_USED');
  });
});

describe('service rules', () => {
  it('a token limited to group vpn; a token without groups; a disabled token', async () => {
    const [ka, kb, kc] = [randomKeyHex(), randomKeyHex(), randomKeyHex()];
    fx = makeFixture({
      name: 'rules',
      store:
        `#OTPD/META alice name=vpnonly groups=vpn\nHOTP alice - ${ka}\n` + `HOTP bob - ${kb}\n` + `#OTPD/META carol name=off enabled=no\nHOTP carol - ${kc}\n`,
      config: GROUPS,
    });
    const a = fx.verify('alice', hotp(ka, 0), { service: 'sshd' });
    expect(a.verdict).toBe('Reject');
    expect(a.code).toBe('AUTH_TOKEN_MISSING');
    const a2 = fx.verify('alice', hotp(ka, 0), { service: 'openvpn' });
    expect(a2.verdict, a2.stdout + a2.stderr).toBe('Accept');
    expect(fx.auditText()).toMatch(/code=AUTH_OK_OTP user="alice" token="alice\/vpnonly" service="openvpn"/);
    expect(fx.verify('alice', hotp(ka, 1), { service: 'su' }).code).toBe('AUTH_TOKEN_MISSING'); // su: group default
    let c = 0;
    for (const service of ['sshd', 'openvpn', 'su', 'login']) {
      const r = fx.verify('bob', hotp(kb, c++), { service });
      expect(r.verdict, `bob via ${service}: ${r.stdout}`).toBe('Accept');
    }
    for (const service of ['sshd', 'openvpn', 'login']) {
      const r = fx.verify('carol', hotp(kc, 0), { service });
      expect(r.verdict).toBe('Reject');
      expect(r.code).toBe('AUTH_TOKEN_MISSING');
    }
    expect(fx.verify('nobody', '123456').code).toBe('AUTH_USER_UNKNOWN');
    // Refusals by service rule wrote nothing for carol.
    expect(fx.storeBytes().toString('latin1')).toContain(`#OTPD/META carol name=off enabled=no\nHOTP carol - ${kc}\n`);
  });
});
