/**
 * otpctl group add|del|list|show|services edit otpd.conf line by line: the administrator's comments and
 * other keys stay, every result reads back as asked (else nothing is written), a service cannot land in
 * two groups, and deleting a group tokens use asks first.
 */
import { lstatSync, readFileSync, renameSync, statSync, symlinkSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { adminFixture, type AdminFixture } from './admin-fixture.js';

const KEY = '3132333435363738393031323334353637383930';
const CONFIG = [
  '# groups of this host',
  '[groups.remote]   # remote logins',
  'services = [',
  '  "sshd",   # OpenSSH',
  ']',
  '[groups.remote.session]',
  'enabled = true',
  '',
  '[lockout]',
  'max_fail = 3  # strict',
  '',
].join('\n');

let fx: AdminFixture;
afterEach(() => fx.cleanup());
/** The file without the fixture's first line (audit_log). */
const configText = (): string => readFileSync(fx.config, 'utf8').replace(/^audit_log = .*\n/, '');
const head = (): string => configText().split('\n')[0] ?? '';

describe('otpctl group', () => {
  it('adds, lists, shows, sets services and deletes, keeping comments and other keys', async () => {
    fx = adminFixture(`#OTPD/META\talice\tname=hw\tgroups=remote\nHOTP\talice\t-\t${KEY}\n`, CONFIG);
    expect((await fx.run(['group', 'add', 'mail', 'dovecot', 'postfix'])).code).toBe(0);
    expect(configText().endsWith('\n# added by otpctl group add\n[groups.mail]\nservices = ["dovecot", "postfix"]\n')).toBe(true);
    expect((await fx.json(['group', 'list'])).doc.groups).toEqual([
      { group: 'default', services: [], session: null },
      { group: 'mail', services: ['dovecot', 'postfix'], session: null },
      { group: 'remote', services: ['sshd'], session: { timeout: '8h', unusedTimeout: '30m', maxLogins: 0, matchRhost: true } },
    ]);
    expect((await fx.json(['group', 'show', 'remote'])).doc).toMatchObject({ group: 'remote', services: ['sshd'], tokens: ['alice/hw'] });
    expect((await fx.run(['group', 'services', 'remote', 'sshd', 'openvpn'])).code).toBe(0);
    expect(configText()).toContain(
      '[groups.remote]   # remote logins\nservices = ["sshd", "openvpn"]\n[groups.remote.session]\nenabled = true\n\n[lockout]\nmax_fail = 3  # strict\n',
    );
    expect((await fx.run(['verify', 'alice', '755224', '--service', 'openvpn'])).stdout).toMatch(/Accept\n$/);
    expect(head()).toBe('# groups of this host');
    expect(statSync(fx.config).mode & 0o777).toBe(0o644);
  });

  it('refuses a service in two groups, unknown or bad names and deleting default, changing nothing', async () => {
    fx = adminFixture('', CONFIG);
    const before = configText();
    const cases: Array<[string[], RegExp]> = [
      [['group', 'add', 'other', 'sshd'], /service "sshd" is already in group "remote"/],
      [['group', 'add', 'remote'], /^otpctl: group: remote already exists/],
      [['group', 'add', 'bad.name'], /^otpctl: group: must be 1 to 64 letters/],
      [['group', 'add', 'x', 'ss hd'], /^otpctl: services: "ss hd" is not a PAM service name/],
      [['group', 'services', 'nope', 'su'], /^otpctl: group: nope does not exist/],
      [['group', 'del', 'default'], /^otpctl: group: default always exists/],
      [['group', 'show', 'nope'], /^otpctl: group: nope is not a group/],
    ];
    for (const [args, message] of cases) {
      const r = await fx.run(args);
      expect([r.code, r.stderr], args.join(' ')).toEqual([2, expect.stringMatching(message)]);
    }
    expect(configText()).toBe(before);
  });

  it('refuses to edit a configuration reached through a link: the link stays and its target is unchanged', async () => {
    fx = adminFixture('', CONFIG);
    const target = `${fx.config}.real`;
    renameSync(fx.config, target);
    symlinkSync(target, fx.config);
    const before = readFileSync(target, 'utf8');
    const r = await fx.run(['group', 'add', 'mail', 'dovecot']);
    expect([r.code, r.stderr]).toEqual([2, expect.stringMatching(/is not a regular file \(a link\?\); edit the file it points to by hand/)]);
    expect(lstatSync(fx.config).isSymbolicLink()).toBe(true);
    expect(readFileSync(target, 'utf8')).toBe(before);
  });

  it('deleting a group in use asks first (or needs --yes); its table and subtables go, the rest stays', async () => {
    fx = adminFixture(`#OTPD/META\talice\tname=hw\tgroups=remote\nHOTP\talice\t-\t${KEY}\n`, CONFIG);
    const refused = await fx.run(['group', 'del', 'remote']);
    expect([refused.code, refused.stderr]).toEqual([2, expect.stringMatching(/Group remote is used by 1 token\(s\) \(alice\/hw\).*add --yes/)]);
    const asked = await fx.run(['group', 'del', 'remote'], { interactive: true, secrets: ['yes'] });
    expect(asked.code).toBe(0);
    expect(asked.prompts[0]).toMatch(/^Group remote is used by 1 token/);
    expect(configText()).toBe('# groups of this host\n[lockout]\nmax_fail = 3  # strict\n\n');
    // The token stays limited to the deleted group: it serves nothing rather than everything.
    expect((await fx.run(['verify', 'alice', '755224', '--service', 'sshd'])).stdout).toMatch(/^AUTH_TOKEN_MISSING/m);
    expect((await fx.run(['group', 'add', 'unused'])).code).toBe(0);
    expect((await fx.run(['group', 'del', 'unused'])).code).toBe(0); // not in use: no question
  });
});
