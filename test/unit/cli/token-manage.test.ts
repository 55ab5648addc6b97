/**
 * otpctl token del|list|enable|disable|groups|change|resync and session list|del, in-process; and the
 * errors every admin command shares (missing, insecure or malformed store, unknown token): one line,
 * exit 2, the file unchanged.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { hotpCode } from '../../../src/tokens/hotp.js';
import { skeyChain } from '../../../src/tokens/skey/chain.js';
import { skeySecret } from '../../../src/tokens/skey/secret.js';
import { adminFixture, type AdminFixture } from './admin-fixture.js';

const KEY = '3132333435363738393031323334353637383930';
const key = Buffer.from(KEY, 'hex');
const hotp = (counter: number): string => hotpCode(key, counter, { digits: 6, algorithm: 'sha1' });
const GROUPS = '[groups.remote]\nservices = ["sshd"]\n[groups.mail]\nservices = ["dovecot"]\n[groups.mail.session]\nenabled = true\n';
const STORE = `# head\n#OTPD/META\talice\tname=hw\tenabled=yes\nHOTP\talice\t-\t${KEY}\t0\nHOTP/T30\talice\t-\t${KEY}\nHOTP\tbob\t-\t${KEY}\n`;

let fx: AdminFixture;
afterEach(() => fx.cleanup());

describe('otpctl token enable|disable|groups|del', () => {
  it('rewrites or inserts the metadata line and leaves every other line as it was', async () => {
    fx = adminFixture(STORE, GROUPS);
    expect((await fx.run(['token', 'disable', 'alice/hw'])).code).toBe(0);
    expect((await fx.run(['verify', 'alice', hotp(0)])).stdout).toMatch(/^AUTH_FAILED/m); // the TOTP line refuses it
    expect((await fx.run(['token', 'enable', 'alice/hw'])).stdout).toBe('alice/hw is now enabled\n');
    expect((await fx.run(['token', 'groups', 'alice/HOTP/T30@4', 'mail,remote'])).code).toBe(0);
    expect(fx.storeText()).toBe(
      `# head\n#OTPD/META\talice\tname=hw\tenabled=yes\nHOTP\talice\t-\t${KEY}\t0\n#OTPD/META\talice\tenabled=yes\tgroups=mail,remote\nHOTP/T30\talice\t-\t${KEY}\nHOTP\tbob\t-\t${KEY}\n`,
    );
    expect((await fx.run(['token', 'groups', 'alice/hw', 'remote'])).code).toBe(0);
    expect((await fx.run(['verify', 'alice', hotp(0), '--service', 'login'])).stdout).toMatch(/^AUTH_TOKEN_MISSING/m);
    expect((await fx.run(['verify', 'alice', hotp(0), '--service', 'sshd'])).stdout).toMatch(/Accept\n$/);
    expect((await fx.run(['token', 'del', 'alice/hw'])).code).toBe(2); // no terminal, no --yes
    expect((await fx.run(['token', 'del', 'alice/hw', '--yes'])).code).toBe(0);
    expect(fx.storeText()).toBe(`# head\n#OTPD/META\talice\tenabled=yes\tgroups=mail,remote\nHOTP/T30\talice\t-\t${KEY}\nHOTP\tbob\t-\t${KEY}\n`);
    const list = await fx.json(['token', 'list']);
    expect((list.doc.tokens as Array<{ user: string; name: string }>).map((t) => `${t.user}/${t.name}`)).toEqual(['alice/HOTP/T30@3', 'bob/HOTP@4']);
  });

  it('keeps the laststep of a TOTP token when it rewrites the metadata line', async () => {
    fx = adminFixture(`#OTPD/META\talice\tname=phone\tenabled=yes\tlaststep=58000000\nHOTP/T30\talice\t-\t${KEY}\n`, GROUPS);
    expect((await fx.run(['token', 'disable', 'alice/phone'])).code).toBe(0);
    expect((await fx.run(['token', 'groups', 'alice/phone', 'remote'])).code).toBe(0);
    expect(fx.storeText()).toBe(`#OTPD/META\talice\tname=phone\tenabled=no\tgroups=remote\tlaststep=58000000\nHOTP/T30\talice\t-\t${KEY}\n`);
  });

  it('refuses an unknown token or group, a missing, world-readable or malformed store: one line, exit 2, nothing changed', async () => {
    fx = adminFixture(STORE, GROUPS);
    const cases: Array<[string[], RegExp]> = [
      [['token', 'disable', 'alice/nope'], /^otpctl: token: alice has no token nope \(tokens: hw, HOTP\/T30@4\)/],
      [['token', 'disable', 'carol/x'], /^otpctl: user: carol is not in /],
      [['token', 'groups', 'alice/hw', 'nope'], /^otpctl: groups: nope: not a group of the configuration/],
      [['token', 'disable', 'alice'], /^otpctl: token: give USER\/NAME/],
      [['token', 'resync', 'alice/hw', '12345', '123456'], /^otpctl: code: must be exactly 6 digits/],
    ];
    for (const [args, message] of cases) {
      const r = await fx.run(args);
      expect([r.code, r.stderr], args.join(' ')).toEqual([2, expect.stringMatching(message)]);
      expect(r.stderr.split('\n')).toHaveLength(2);
    }
    expect(fx.storeText()).toBe(STORE);
    fx.writeStore(`${STORE}HOTP\talice\t-\tnothex\n`);
    const bad = await fx.run(['token', 'add', 'alice/new', '--type', 'totp']);
    expect([bad.code, bad.stderr]).toEqual([2, `otpctl: ${fx.store}:6: HOTP key: character 1 of 6 is not a hex digit\n`]);
    fx.writeStore(STORE, 0o644);
    const open = await fx.run(['token', 'enable', 'alice/hw']);
    expect([open.code, open.stderr]).toEqual([
      2,
      `otpctl: ${fx.store}: has mode 0644, so group or others can read or write its keys; run chmod 600 ${fx.store}\n`,
    ]);
    fx.writeStore(STORE);
    const missing = await fx.run(['user', 'list', '--store', `${fx.store}.missing`]);
    expect([missing.code, missing.stderr]).toEqual([
      2,
      expect.stringMatching(/the store does not exist; create an empty one with: install -m 600 \/dev\/null /),
    ]);
    expect(fx.storeText()).toBe(STORE);
  });
});

describe('otpctl token change --allow-reinit|--no-allow-reinit', () => {
  // RFC 2243's example token: challenge "otp-md5 499 ke1234 ext" (the line holds OTP(500)).
  const LAST = Buffer.from(skeyChain('md5', skeySecret('ke1234', 'This is a test.'), 500)).toString('hex');
  const PAPER = `OTPD/SKEY\talice\t-\tmd5\t499\tke1234\t${LAST}\n`;
  const INIT = (current: string): string => `init-hex:${current}:md5 499 ke1235:3712dcb4aa5316c1`;

  it('turns remote re-initialisation on and off on the metadata line, audited; the verifier follows it', async () => {
    fx = adminFixture(`#OTPD/META\talice\tname=paper\tenabled=yes\n${PAPER}HOTP\tbob\t-\t${KEY}\n`);
    // Off by default: the init response is refused and its disclosed current part is burnt.
    const refused = await fx.run(['verify', 'alice', INIT('5bf075d9959d036f'), '-d']);
    expect(refused.stdout).toContain('alice/paper: refused: remote re-initialisation is off for this token (otpctl token change alice/paper --allow-reinit)\n');
    expect(refused.stdout).toMatch(/^AUTH_FAILED bad-reinit\nReject\n$/m);
    expect(fx.storeText()).toMatch(/^OTPD\/SKEY\talice\t-\tmd5\t498\tke1234\t5bf075d9959d036f\t/m);
    const on = await fx.json(['token', 'change', 'alice/paper', '--allow-reinit']);
    expect([on.code, on.doc]).toEqual([0, { token: 'alice/paper', allowReinit: true, changed: true }]);
    expect(fx.storeText()).toMatch(/^#OTPD\/META\talice\tname=paper\tenabled=yes\treinit=yes\nOTPD\/SKEY\t/);
    expect(((await fx.json(['token', 'list', 'alice'])).doc.tokens as Array<{ state: Record<string, unknown> }>)[0]?.state).toMatchObject({
      seed: 'ke1234',
      reinit: 'yes',
    });
    expect((await fx.run(['token', 'list', 'alice'])).stdout).toContain('algorithm=md5 sequence=498 seed=ke1234 reinit=yes');
    expect((await fx.run(['token', 'change', 'alice/paper', '--allow-reinit'])).stdout).toBe(
      'alice/paper: remote re-initialisation (RFC 2243 init-hex:/init-word:) was already on\n',
    );
    const current = Buffer.from(skeyChain('md5', skeySecret('ke1234', 'This is a test.'), 498)).toString('hex');
    expect((await fx.run(['verify', 'alice', INIT(current)])).stdout).toMatch(/^AUTH_SKEY_REINIT /m);
    expect(fx.storeText()).toMatch(/^OTPD\/SKEY\talice\t-\tmd5\t498\tke1235\t3712dcb4aa5316c1\t/m);
    expect((await fx.run(['token', 'change', 'alice/paper', '--no-allow-reinit'])).stdout).toBe(
      'alice/paper: remote re-initialisation (RFC 2243 init-hex:/init-word:) is now off\n',
    );
    expect(fx.storeText()).toMatch(/^#OTPD\/META\talice\tname=paper\tenabled=yes\nOTPD\/SKEY\t/);
    const changes = readFileSync(fx.auditLog, 'utf8')
      .split('\n')
      .filter((line) => line.includes('ADMIN_TOKEN_CHANGE'));
    expect(changes.map((line) => / token=(\S+) .*reason=("(?:[^"\\]|\\.)*"|-) /.exec(line)?.slice(1).join(' '))).toEqual([
      '"alice/paper" "reinit on"',
      '"alice/paper" "reinit off"',
    ]);
  });

  it('gives a token without a metadata line one, and keeps the other keys', async () => {
    fx = adminFixture(`# head\n${PAPER}#OTPD/META\talice\tname=p2\tenabled=no\tgroups=mail\n${PAPER.replace('ke1234', 'other9')}`, GROUPS);
    expect((await fx.run(['token', 'change', 'alice/OTPD/SKEY@2', '--allow-reinit'])).code).toBe(0);
    expect((await fx.run(['token', 'change', 'alice/p2', '--allow-reinit'])).code).toBe(0);
    expect(fx.storeText()).toBe(
      `# head\n#OTPD/META\talice\tenabled=yes\treinit=yes\n${PAPER}#OTPD/META\talice\tname=p2\tenabled=no\tgroups=mail\treinit=yes\n${PAPER.replace('ke1234', 'other9')}`,
    );
    expect((await fx.run(['token', 'disable', 'alice/p2'])).code).toBe(0);
    expect((await fx.run(['token', 'groups', 'alice/p2'])).code).toBe(0);
    expect(fx.storeText()).toContain('#OTPD/META\talice\tname=p2\tenabled=no\treinit=yes\n');
  });

  it('refuses it for a token that is not S/KEY, or with nothing to change: one line, exit 2, nothing changed', async () => {
    fx = adminFixture(STORE, GROUPS);
    const cases: Array<[string[], string]> = [
      [
        ['token', 'change', 'alice/hw', '--allow-reinit'],
        'otpctl: allow-reinit: alice/hw is a hotp token; remote re-initialisation (RFC 2243 init-hex:/init-word:) is only for skey tokens\n',
      ],
      [['token', 'change', 'alice/hw'], 'otpctl: allow-reinit: say what to change: --allow-reinit or --no-allow-reinit\n'],
    ];
    for (const [args, message] of cases) {
      const r = await fx.run(args);
      expect([r.code, r.stderr], args.join(' ')).toEqual([2, message]);
    }
    expect(fx.storeText()).toBe(STORE);
  });
});

describe('otpctl token resync', () => {
  it('HOTP: finds two consecutive codes far ahead and stores the counter of the second', async () => {
    fx = adminFixture(STORE);
    const r = await fx.json(['token', 'resync', 'alice/hw', hotp(4000), hotp(4001)]);
    expect(r.doc).toEqual({ token: 'alice/hw', counter: 4001 });
    expect((await fx.run(['verify', 'alice', hotp(4001)])).stdout).toMatch(/^AUTH_OTP_ALREADY_USED/m);
    expect((await fx.run(['verify', 'alice', hotp(4002)])).stdout).toMatch(/Accept\n$/);
    const far = await fx.run(['token', 'resync', 'alice/hw', hotp(20000), hotp(20001)]);
    expect(far.stderr).toMatch(/^otpctl: codes: the two codes are not consecutive codes of alice\/hw within 10000 counters after 4002; try a larger --window/);
  });

  it('TOTP: stores the skew in the metadata line, and the verifier then accepts the drifted clock', async () => {
    fx = adminFixture(`#OTPD/META\talice\tname=phone\tenabled=yes\nHOTP/T30\talice\t-\t${KEY}\n`);
    const nowMs = 1_800_000_000_000;
    const step = Math.floor(nowMs / 30_000);
    const tokenStep = step - 50; // the token's clock is 25 minutes slow
    const r = await fx.json(['token', 'resync', 'alice/phone', hotp(tokenStep - 1), hotp(tokenStep)], { nowMs });
    expect(r.doc).toEqual({ token: 'alice/phone', skew: -50, skewSeconds: -1500 });
    expect(fx.storeText()).toMatch(/^#OTPD\/META\talice\tname=phone\tenabled=yes\tskew=-50\n/);
    expect((await fx.run(['verify', 'alice', hotp(tokenStep)], { nowMs })).stdout).toMatch(/^AUTH_OTP_ALREADY_USED/m);
    expect((await fx.run(['verify', 'alice', hotp(tokenStep + 1)], { nowMs: nowMs + 30_000 })).stdout).toMatch(/Accept\n$/);
    expect((await fx.run(['verify', 'alice', hotp(step + 2)], { nowMs: nowMs + 60_000 })).stdout).toMatch(/^AUTH_FAILED/m);
  });
});

describe('otpctl session list|del', () => {
  it('lists the sessions a login opened (never their tag) and ends one', async () => {
    fx = adminFixture(STORE, GROUPS);
    expect((await fx.run(['verify', 'alice', hotp(0), '--service', 'dovecot', '--rhost', '192.0.2.1'])).stdout).toMatch(/Accept\n$/);
    const list = await fx.json(['session', 'list', 'alice']);
    const sessions = list.doc.sessions as Array<Record<string, unknown>>;
    expect(sessions).toEqual([expect.objectContaining({ user: 'alice', group: 'mail', rhost: '192.0.2.1', token: 'alice/hw', logins: 0 })]);
    expect(JSON.stringify(list.doc)).not.toMatch(/tag/);
    const id = String(sessions[0]?.id);
    expect((await fx.run(['session', 'list'])).stdout).toContain(id);
    expect((await fx.run(['session', 'del', id])).code).toBe(0);
    expect((await fx.json(['session', 'list'])).doc.sessions).toEqual([]);
    const again = await fx.run(['session', 'del', id]);
    expect([again.code, again.stderr]).toEqual([2, `otpctl: id: no session ${id} (see otpctl session list)\n`]);
  });
});
