/**
 * otpctl verify through the access model: a PAM service is a client of one access group, a token of a
 * parent group logs in at its child groups (not the other way), lock-out follows the group's own
 * max_fail, and a disabled client is refused before anything is counted or spent.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { adminFixture, type AdminFixture } from './admin-fixture.js';

const KEY = '3132333435363738393031323334353637383930'; // RFC 4226: 755224 287082 359152 969429 …
const CONFIG = [
  '[lockout]',
  'max_fail = 5',
  '[groups.webmail]',
  'child_groups = ["imap", "smtp"]',
  '[groups.imap]',
  'max_fail = 2',
  '[groups.smtp]',
  '[clients.cyrus-imap]',
  'group = "imap"',
  '[clients.postfix]',
  'group = "smtp"',
  '[clients.legacy-pop]',
  'group = "imap"',
  'enabled = false',
].join('\n');

const token = (user: string, name: string, groups: string): string => `#OTPD/META\t${user}\tname=${name}\tgroups=${groups}\nHOTP\t${user}\t-\t${KEY}\n`;

let fx: AdminFixture;
afterEach(() => fx.cleanup());

async function codeOf(args: string[]): Promise<unknown> {
  return (await fx.json(['verify', ...args])).doc['code'];
}

describe('otpctl verify with clients and access groups', () => {
  it('a token of webmail logs in at its child groups imap and smtp', async () => {
    fx = adminFixture(token('alice', 'phone', 'webmail'), CONFIG);
    expect(await codeOf(['alice', '755224', '--service', 'cyrus-imap'])).toBe('AUTH_OK_OTP');
    expect(await codeOf(['alice', '287082', '--service', 'postfix'])).toBe('AUTH_OK_OTP');
    const explained = await fx.run(['verify', 'alice', '359152', '--service', 'postfix', '-d']);
    expect(explained.stdout).toContain("got access group 'smtp' from client postfix");
    expect(explained.stdout).toContain('tokens of its parent groups are accepted here too: webmail');
    const audit = readFileSync(fx.auditLog, 'utf8').trim().split('\n');
    expect(audit[0]).toMatch(/ code=AUTH_OK_OTP user="alice" token="alice\/phone" service="cyrus-imap" .* client="cyrus-imap" access_group="imap"$/);
    expect(audit[1]).toMatch(/ service="postfix" .* client="postfix" access_group="smtp"$/);
  });

  it('a token only in imap does not log in at smtp, nor at the parent webmail', async () => {
    fx = adminFixture(token('spam', 'phone', 'imap'), CONFIG);
    expect(await codeOf(['spam', '755224', '--service', 'postfix'])).toBe('AUTH_TOKEN_MISSING');
    expect(await codeOf(['spam', '755224', '--service', 'cyrus-imap'])).toBe('AUTH_OK_OTP');
  });

  it("lock-out follows the group's own max_fail; another group keeps the global one", async () => {
    fx = adminFixture(token('alice', 'phone', 'webmail'), CONFIG);
    expect(await codeOf(['alice', '000001', '--service', 'cyrus-imap'])).toBe('AUTH_FAILED');
    expect(await codeOf(['alice', '000002', '--service', 'cyrus-imap'])).toBe('AUTH_LOCKED_NOW');
    expect(await codeOf(['alice', '755224', '--service', 'cyrus-imap'])).toBe('AUTH_USER_LOCKED');
    for (const wrong of ['000003', '000004']) expect(await codeOf(['alice', wrong, '--service', 'postfix'])).toBe('AUTH_FAILED');
    expect(await codeOf(['alice', '755224', '--service', 'postfix'])).toBe('AUTH_OK_OTP');
  });

  it('a disabled client is refused before anything is counted or spent', async () => {
    fx = adminFixture(token('alice', 'phone', 'webmail'), CONFIG);
    const before = fx.storeText();
    for (let i = 0; i < 3; i++) expect(await codeOf(['alice', '755224', '--service', 'legacy-pop'])).toBe('AUTH_CLIENT_DISABLED');
    expect(fx.storeText()).toBe(before);
    expect(await codeOf(['alice', '755224', '--service', 'cyrus-imap'])).toBe('AUTH_OK_OTP');
  });

  it('a disabled client never holds the S/KEY challenge; an enabled one gets it', async () => {
    fx = adminFixture('#OTPD/META\talice\tname=paper\tgroups=webmail\nOTPD/SKEY\talice\t-\tmd5\t98\tab1234\t0123456789abcdef\n', CONFIG);
    const refused = await fx.run(['challenge', 'alice', '--service', 'legacy-pop']);
    expect(refused.code).not.toBe(0);
    expect((await fx.json(['user', 'show', 'alice'])).doc['challenge']).toBeNull();
    expect((await fx.run(['challenge', 'alice', '--service', 'cyrus-imap'])).stdout).toBe('otp-md5 98 ab1234 ext\n');
  });

  it('--client names a configured client; an unknown one, or --client with --service, is refused', async () => {
    fx = adminFixture(token('alice', 'phone', 'webmail'), CONFIG);
    expect(await codeOf(['alice', '755224', '--client', 'postfix'])).toBe('AUTH_OK_OTP');
    const unknown = await fx.run(['verify', 'alice', '287082', '--client', 'sshd']);
    expect([unknown.code, unknown.stderr]).toEqual([
      2,
      expect.stringMatching(/client: sshd is not a client \(\[clients\.NAME\] in otpd\.conf\); clients: cyrus-imap, postfix, legacy-pop/),
    ]);
    const both = await fx.run(['verify', 'alice', '287082', '--client', 'postfix', '--service', 'sshd']);
    expect(both.code).toBe(2);
    expect(await codeOf(['alice', '287082', '--service', 'postfix'])).toBe('AUTH_OK_OTP');
  });
});
