/**
 * otpctl user add|del|list|show|lock|unlock in-process against a temp store and state directory: the
 * store keeps every other line byte for byte, refusals change nothing and exit 2 with one line.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { adminFixture, type AdminFixture } from './admin-fixture.js';

const KEY = '3132333435363738393031323334353637383930';
/** Another user's line, a comment and a non-UTF-8 byte: all must survive every edit unchanged. */
const OTHERS = `# keep me\nHOTP\tbob\t-\t${KEY}\t7\t123456\t2026-01-02T03:04:05L\n#\xff raw byte\n`;

let fx: AdminFixture;
afterEach(() => fx.cleanup());

describe('otpctl user', () => {
  it('adds a user once, lists and shows it, and refuses a second add', async () => {
    fx = adminFixture(OTHERS);
    expect((await fx.run(['user', 'add', 'alice'])).code).toBe(0);
    expect(fx.storeText()).toBe(`${OTHERS}#OTPD/USER\talice\n`);
    const again = await fx.run(['user', 'add', 'alice']);
    expect([again.code, again.stderr]).toEqual([2, `otpctl: user: alice is already in ${fx.store}\n`]);
    const list = await fx.json(['user', 'list']);
    expect(list.doc).toEqual({
      users: [
        { user: 'alice', tokens: 0, problems: 0 },
        { user: 'bob', tokens: 1, problems: 0 },
      ],
    });
    const show = await fx.json(['user', 'show', 'bob']);
    expect(show.doc).toMatchObject({
      user: 'bob',
      tokens: [{ name: 'HOTP@2', type: 'hotp', enabled: true, state: { counter: 7 } }],
      failures: [],
      sessions: [],
      challenge: null,
    });
    expect(JSON.stringify(show.doc)).not.toContain(KEY);
    const table = await fx.run(['user', 'show', 'bob']);
    expect(table.stdout).toMatch(/^bob\/HOTP@2 +hotp +yes +\(all\) +digits=6 counter=7/m);
  });

  it('refuses unknown users and bad names with one line, exit 2', async () => {
    fx = adminFixture(OTHERS);
    for (const args of [
      ['user', 'show', 'carol'],
      ['user', 'del', 'carol', '--yes'],
      ['user', 'lock', 'carol'],
      ['user', 'add', 'a b'],
      ['user', 'add', '#x'],
    ]) {
      const r = await fx.run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^otpctl: user: [^\n]+\n$/);
    }
    expect(fx.storeText()).toBe(OTHERS);
  });

  it('deletes a user only when confirmed: --yes, or yes at a terminal; never without a terminal', async () => {
    fx = adminFixture(`${OTHERS}#OTPD/USER\talice\n#OTPD/META\talice\tname=a\tenabled=yes\nHOTP\talice\t-\t${KEY}\n# after\n`);
    const before = fx.storeText();
    const refused = await fx.run(['user', 'del', 'alice']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/not a terminal, so nothing was changed; add --yes/);
    const declined = await fx.run(['user', 'del', 'alice'], { interactive: true, secrets: ['no'] });
    expect(declined.code).toBe(2);
    expect(fx.storeText()).toBe(before);
    const done = await fx.run(['user', 'del', 'alice'], { interactive: true, secrets: ['yes'] });
    expect(done.code).toBe(0);
    expect(fx.storeText()).toBe(`${OTHERS}# after\n`);
  });

  it('shows a pending S/KEY challenge, and user del ends it with the user', async () => {
    fx = adminFixture('#OTPD/META\talice\tname=paper\tenabled=yes\nOTPD/SKEY\talice\t-\tmd5\t98\tab1234\t0123456789abcdef\n');
    expect((await fx.run(['challenge', 'alice'])).stdout).toBe('otp-md5 98 ab1234 ext\n');
    const shown = await fx.json(['user', 'show', 'alice']);
    expect(shown.doc.challenge).toMatchObject({ token: 'alice/paper', challenge: 'otp-md5 98 ab1234 ext' });
    expect((await fx.run(['user', 'show', 'alice'])).stdout).toMatch(/^pending S\/KEY challenge: otp-md5 98 ab1234 ext \(alice\/paper\) until /m);
    expect((await fx.run(['user', 'del', 'alice', '--yes'])).code).toBe(0);
    expect((await fx.run(['user', 'add', 'alice'])).code).toBe(0);
    expect((await fx.json(['user', 'show', 'alice'])).doc.challenge).toBeNull();
  });

  it('locks a user for every group, also groups added later, until unlocked; unlock clears and is audited', async () => {
    fx = adminFixture(`HOTP\talice\t-\t${KEY}\n`, '[groups.remote]\nservices = ["sshd"]\n');
    const lock = await fx.run(['user', 'lock', 'alice']);
    expect([lock.code, lock.stdout]).toEqual([0, 'locked alice for every service group (also groups added later) until otpctl user unlock alice\n']);
    const shown = await fx.json(['user', 'show', 'alice']);
    expect(shown.doc.failures).toEqual([expect.objectContaining({ group: '*', locked: true, lockedUntil: null })]);
    expect((await fx.run(['user', 'show', 'alice'])).stdout).toMatch(/^\* \(every group\) +1 +yes, until unlocked /m);
    // 755224 is the code at counter 0: refused while locked, in a group added after the lock too.
    expect((await fx.run(['verify', 'alice', '755224', '--service', 'sshd'])).stdout).toMatch(/^AUTH_USER_LOCKED/m);
    expect((await fx.run(['group', 'add', 'mail', 'dovecot'])).code).toBe(0);
    expect((await fx.run(['verify', 'alice', '755224', '--service', 'dovecot'])).stdout).toMatch(/^AUTH_USER_LOCKED/m);
    // Unlocking one group keeps each other group locked, each on its own.
    const one = await fx.run(['user', 'unlock', 'alice', '--group', 'remote']);
    expect([one.code, one.stdout]).toEqual([
      0,
      'unlocked alice for remote: 0 failure record(s) cleared; still locked for default, mail (no longer for groups added later)\n',
    ]);
    const ok = await fx.run(['verify', 'alice', '755224', '--service', 'sshd']);
    expect(ok.stdout).toMatch(/Accept\n$/);
    expect((await fx.run(['verify', 'alice', '287082'])).stdout).toMatch(/^AUTH_USER_LOCKED/m);
    expect((await fx.run(['verify', 'alice', '287082', '--service', 'dovecot'])).stdout).toMatch(/^AUTH_USER_LOCKED/m);
    expect((await fx.run(['user', 'unlock', 'alice'])).code).toBe(0);
    expect((await fx.run(['verify', 'alice', '287082', '--service', 'dovecot'])).stdout).toMatch(/Accept\n$/);
    const unknownGroup = await fx.run(['user', 'lock', 'alice', '--group', 'nope']);
    expect([unknownGroup.code, unknownGroup.stderr]).toEqual([2, expect.stringMatching(/^otpctl: group: nope is not a group/)]);
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(fx.auditLog, 'utf8')).toMatch(/code=ADMIN_LOCK user="alice" .* reason="all groups"/);
    expect(readFileSync(fx.auditLog, 'utf8')).toMatch(/code=ADMIN_UNLOCK user="alice" .* reason="group remote"/);
  });
});
