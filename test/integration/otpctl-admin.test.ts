/**
 * The built otpctl's admin commands against real programs: a TOTP enrolled by otpctl is verified with
 * codes from oathtool (an independent implementation) computed from the URI's secret, and its HOTP
 * sibling logs in through pam_oath (pamtester); an S/KEY token set up with a response from Heimdal's
 * otpprint accepts otpprint's next response; backup codes work once through otpctl verify and
 * through the daemon; and admin changes made while parallel verifications run lose nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { login, startDaemon } from '../support/daemon.js';
import { run } from '../support/run.js';
import { hotp, installPamService, makeFixture, randomKeyHex, RFC_KEY_HEX, spawnOtpctl, type Fixture } from '../support/store-fixture.js';

const PASS = 'correct horse battery';
let fx: Fixture;
afterEach(() => fx.cleanup());

function ok(args: string[], input?: string): string {
  const r = fx.otpctl(args, input);
  expect(r.status, `otpctl ${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r.stdout;
}

describe('enrolment checked by independent implementations', () => {
  it('TOTP: oathtool computes the codes from the otpauth:// secret; otpctl verify accepts each once', () => {
    fx = makeFixture({ name: 'admin-totp', store: '' });
    ok(['user', 'add', 'alice']);
    const doc = JSON.parse(ok(['token', 'add', 'alice/phone', '--type', 'totp', '--issuer', 'Example Corp', '--json'])) as { uri: string };
    const secret = new URL(doc.uri).searchParams.get('secret') ?? '';
    const now = Math.floor(Date.now() / 1000);
    const code = (t: number): string => {
      const r = run('oathtool', ['--totp', '--base32', '-N', `@${t}`, secret]);
      expect(r.status, r.stderr).toBe(0);
      return r.stdout.trim();
    };
    expect(fx.verify('alice', code(now)).verdict).toBe('Accept');
    expect(fx.verify('alice', code(now)).code).toBe('AUTH_OTP_ALREADY_USED');
    expect(fx.verify('alice', code(now + 30)).verdict).toBe('Accept');
  });

  it('HOTP: the line otpctl writes is read by pam_oath (pamtester) and by otpctl verify in turn', () => {
    fx = makeFixture({ name: 'admin-pam', store: '' });
    ok(['user', 'add', 'alice']);
    const key = randomKeyHex();
    ok(['token', 'add', 'alice/hw', '--type', 'hotp', '--key', key, '--no-qr']);
    const pam = installPamService(`auth requisite pam_oath.so usersfile=${fx.store} window=5\naccount required pam_permit.so\n`);
    try {
      expect(pam.login('alice', hotp(key, 0))).toBe(true);
      expect(fx.verify('alice', hotp(key, 0)).verdict).toBe('Reject');
      expect(fx.verify('alice', hotp(key, 1)).verdict).toBe('Accept');
      expect(pam.login('alice', hotp(key, 1))).toBe(false);
      expect(pam.login('alice', hotp(key, 2))).toBe(true);
    } finally {
      pam.remove();
    }
    expect(fx.storeBytes().toString()).toMatch(/^#OTPD\/USER\talice\n#OTPD\/META\talice\tname=hw\tenabled=yes\nHOTP\talice\t-\t[0-9a-f]{40}\t2\t/);
  });

  it('S/KEY: set up with --response from otpprint, then otpprint’s next response is accepted', () => {
    fx = makeFixture({ name: 'admin-skey', store: '' });
    ok(['user', 'add', 'alice']);
    const printed = run('setsid', ['-w', 'otpprint', '-f', 'md5', '-n', '2', '500', 'ab1234'], { input: `${PASS}\n` });
    expect(printed.status, printed.stderr).toBe(0);
    const words = new Map([...printed.stdout.matchAll(/^(\d+): (.+)$/gm)].map((m) => [Number(m[1]), (m[2] ?? '').trim()]));
    const out = ok(['token', 'add', 'alice/paper', '--type', 'skey', '--seq', '500', '--seed', 'AB1234', '--response', words.get(500) ?? '']);
    expect(out).toContain('next challenge: otp-md5 499 ab1234 ext');
    expect(fx.challenge('alice').stdout.trim()).toBe('otp-md5 499 ab1234 ext');
    expect(fx.verify('alice', words.get(499) ?? '').verdict).toBe('Accept');
    expect(fx.storeBytes().toString()).not.toContain(PASS);
    const reused = fx.otpctl(['token', 'add', 'alice/paper', '--type', 'skey', '--seed', 'ab1234', '--response', words.get(500) ?? '']);
    expect([reused.status, reused.stdout]).toEqual([2, '']);
    expect(reused.stderr).toMatch(/^otpctl: seed: ab1234 is the token's current seed[^\n]*\n$/);
  });
});

describe('resync with the built backend', () => {
  it('HOTP: a counter millions ahead is found, with progress on stderr', () => {
    const key = RFC_KEY_HEX; // fixed, so the chance matches of the first code (and the progress lines) are too
    fx = makeFixture({ name: 'admin-resync', store: `HOTP\talice\t-\t${key}\t0\n` });
    const r = fx.otpctl(['token', 'resync', 'alice/HOTP@1', hotp(key, 6_000_000), hotp(key, 6_000_001), '--window', '8000000']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('alice/HOTP@1 resynchronised at counter 6000001\n');
    // A line per million counters searched without a hit (a chance match of CODE1 restarts the chunk).
    expect(r.stderr).toMatch(/^(otpctl: searched \d{7} of 8000001\n)+$/);
    expect(fx.verify('alice', hotp(key, 6_000_002)).verdict).toBe('Accept');
  });

  it('TOTP: a hand-written line gets a metadata line with its skew; oathtool codes of the drifted clock then pass', () => {
    const key = randomKeyHex();
    fx = makeFixture({ name: 'admin-skew', store: `# mine\nHOTP/T30\talice\t-\t${key}\n` });
    const drifted = Math.floor(Date.now() / 1000) - 20 * 60; // the token runs 20 minutes late
    const code = (t: number): string => run('oathtool', ['--totp', '-N', `@${t}`, key]).stdout.trim();
    const r = fx.otpctl(['token', 'resync', 'alice/HOTP/T30@2', code(drifted - 30), code(drifted)]);
    expect(r.status, r.stderr).toBe(0);
    expect(fx.storeBytes().toString()).toMatch(/^# mine\n#OTPD\/META\talice\tenabled=yes\tskew=-4[01]\nHOTP\/T30\talice\t-\t/);
    expect(fx.verify('alice', code(drifted + 30)).verdict).toBe('Accept');
  });
});

describe('backup codes', () => {
  it('each works once through otpctl verify and through the daemon', async () => {
    fx = makeFixture({ name: 'admin-backup', store: '#OTPD/USER\talice\n' });
    const codes = (JSON.parse(ok(['token', 'add', 'alice/spare', '--type', 'backup', '--count', '4', '--json'])) as { codes: string[] }).codes;
    const [a = '', b = ''] = codes;
    expect(fx.verify('alice', a).verdict).toBe('Accept');
    expect(fx.verify('alice', a).code).toBe('AUTH_OTP_ALREADY_USED');
    const daemon = await startDaemon(fx);
    try {
      expect((await login(daemon.socket, { service: 'sshd', user: 'alice' }, () => b)).verdict).toBe('SUCCESS');
      expect((await login(daemon.socket, { service: 'sshd', user: 'alice' }, () => b)).verdict).toBe('AUTH_ERR');
      expect((await login(daemon.socket, { service: 'sshd', user: 'alice' }, () => a)).verdict).toBe('AUTH_ERR');
    } finally {
      await daemon.stop();
    }
    expect(fx.verify('alice', b).verdict).toBe('Reject');
    expect(JSON.parse(ok(['token', 'list', 'alice', '--json'])).tokens[0].state).toMatchObject({ left: 2, total: 4 });
    expect(fx.auditText()).not.toMatch(new RegExp(codes.map((c) => c.replace('-', '-?')).join('|'), 'i'));
  });
});

describe('admin changes while logins run', () => {
  it('parallel otpctl verify processes and token add/disable/groups: every counter and every new token is on disk', async () => {
    const users = Array.from({ length: 10 }, (_, i) => ({ user: `u${i}`, key: randomKeyHex() }));
    fx = makeFixture({
      name: 'admin-race',
      store: users.map((u) => `HOTP\t${u.user}\t-\t${u.key}\t0\n`).join(''),
      config: '[groups.remote]\nservices = ["sshd"]\n',
    });
    const rounds = 3;
    const verifiers = (async () => {
      for (let c = 0; c < rounds; c++) {
        const results = await Promise.all(users.map((u) => fx.verifyAsync(u.user, hotp(u.key, c))));
        expect(results.map((r) => r.verdict)).toEqual(users.map(() => 'Accept'));
      }
    })();
    const admins = (async () => {
      for (const [i, u] of users.entries()) {
        const add = await spawnOtpctl(['token', 'add', `${u.user}/phone`, '--type', 'totp', '--no-qr'], fx.env).done;
        expect(add.status, add.stderr).toBe(0);
        const change = await spawnOtpctl(i % 2 === 0 ? ['token', 'disable', `${u.user}/phone`] : ['token', 'groups', `${u.user}/phone`, 'remote'], fx.env).done;
        expect(change.status, change.stderr).toBe(0);
      }
    })();
    await Promise.all([verifiers, admins]);
    for (const [i, u] of users.entries()) {
      const entries = await fx.entries(u.user);
      const hotpEntry = entries.find((e) => e.kind === 'oath' && e.type.stepSeconds === 0);
      const phone = entries.find((e) => e.meta.name === 'phone');
      expect(hotpEntry, u.user).toMatchObject({ counter: rounds - 1, lastOtp: hotp(u.key, rounds - 1) });
      expect(phone?.meta, u.user).toMatchObject(i % 2 === 0 ? { enabled: false, groups: [] } : { enabled: true, groups: ['remote'] });
    }
  }, 120_000);
});
