/**
 * The access model in otpd.conf: clients name one access group, groups form a hierarchy with
 * child_groups, lock-out may be set per group; a cycle, an unknown group or a client in two groups is
 * an error naming the file and line.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/index.js';
import { clientOfService, groupOfService } from '../../../src/policy/service-group.js';
import { CONFIG_FILE, expectConfigError } from '../../support/config-error.js';

const WEBMAIL = [
  '[lockout]',
  'max_fail = 5',
  'unlock_after = "10m"',
  '[groups.webmail]',
  'child_groups = ["imap", "smtp"]',
  '[groups.imap]',
  'max_fail = 3',
  '[groups.smtp]',
  'unlock_after = "0"',
  '[groups.archive]',
  'services = ["roundcube"]',
  'child_groups = ["imap"]',
  '[clients.cyrus-imap]',
  'group = "imap"',
  '[clients.postfix]',
  'group = "smtp"',
  'enabled = false',
  '',
].join('\n');

describe('clients and access groups', () => {
  it('a group inherits the tokens of every group above it, through several parents', () => {
    const config = parseConfig(WEBMAIL, CONFIG_FILE);
    expect(config.groups['imap']?.inheritsFrom).toEqual(['imap', 'webmail', 'archive']);
    expect(config.groups['smtp']?.inheritsFrom).toEqual(['smtp', 'webmail']);
    expect(config.groups['webmail']?.inheritsFrom).toEqual(['webmail']);
    expect(config.groups['webmail']?.childGroups).toEqual(['imap', 'smtp']);
  });

  it('lock-out per group, the global [lockout] as default', () => {
    const config = parseConfig(WEBMAIL, CONFIG_FILE);
    expect(config.groups['imap']?.lockout).toEqual({ maxFail: 3, unlockAfterSeconds: 600 });
    expect(config.groups['smtp']?.lockout).toEqual({ maxFail: 5, unlockAfterSeconds: 0 });
    expect(config.groups['default']?.lockout).toEqual({ maxFail: 5, unlockAfterSeconds: 600 });
  });

  it('a client names its group; a service only a group lists is an enabled client of it; others are in default', () => {
    const config = parseConfig(WEBMAIL, CONFIG_FILE);
    expect(groupOfService(config, 'cyrus-imap')).toBe('imap');
    expect(clientOfService(config, 'postfix')).toEqual({ name: 'postfix', group: 'smtp', enabled: false });
    expect(clientOfService(config, 'roundcube')).toEqual({ name: 'roundcube', group: 'archive', enabled: true });
    expect(clientOfService(config, 'sshd')).toEqual({ name: 'sshd', group: 'default', enabled: true });
  });

  it('a client may repeat what a group lists, if they agree', () => {
    const config = parseConfig('[groups.mail]\nservices = ["dovecot"]\n[clients.dovecot]\ngroup = "mail"\n', CONFIG_FILE);
    expect(groupOfService(config, 'dovecot')).toBe('mail');
  });

  it('refuses a cycle, an unknown child or client group, a client in two groups, naming file and line', () => {
    expectConfigError('[groups.a]\nchild_groups = ["b"]\n[groups.b]\nchild_groups = ["a"]\n', /child groups form a cycle: a → b → a$/, {
      line: 4,
      keyPath: 'groups.b.child_groups',
    });
    expectConfigError('[groups.a]\nchild_groups = ["a"]\n', /cycle: a → a$/, { line: 2 });
    expectConfigError('[groups.a]\nchild_groups = ["b", "nope"]\n[groups.b]\n', /item 2: group "nope" does not exist/, {
      line: 2,
      keyPath: 'groups.a.child_groups',
    });
    expectConfigError('[clients.postfix]\ngroup = "mail"\n', /group "mail" does not exist; add \[groups\.mail\]/, {
      line: 2,
      keyPath: 'clients.postfix.group',
    });
    expectConfigError(
      '[groups.mail]\nservices = ["dovecot"]\n[groups.imap]\n[clients.dovecot]\ngroup = "imap"\n',
      /client "dovecot" is in group "imap" but groups\.mail\.services lists it/,
      {
        line: 5,
      },
    );
    expectConfigError('[clients.sshd]\nenabled = true\n', /a client needs group = "NAME"/, { line: 1, keyPath: 'clients.sshd' });
    expectConfigError('[clients."bad name"]\ngroup = "default"\n', /a client name is 1 to 64/, { line: 1 });
    expectConfigError('[clients.sshd]\ngroup = "default"\nsecret = "x"\n', /unknown key \(expected one of: group, enabled\)/, { line: 3 });
    expectConfigError('[groups.a]\nmax_fail = 5000\n', /must be an integer from 0 to 1000/, { line: 2, keyPath: 'groups.a.max_fail' });
  });
});
