import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, parseConfig } from '../../../src/config/index.js';
import { CONFIG_FILE, expectConfigError } from '../../support/config-error.js';
import { groupOfService } from '../../../src/policy/service-group.js';
import { verifierSettings } from '../../../src/policy/verifier-settings.js';

const FILE = CONFIG_FILE;

function isDeepFrozen(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return true;
  return Object.isFrozen(value) && Object.values(value).every(isDeepFrozen);
}

describe('defaults', () => {
  it('an empty file gives what an administrator expects', () => {
    const config = parseConfig('', FILE);
    expect(config).toEqual(DEFAULT_CONFIG);
    expect(config.store).toBe('/etc/users.oath');
    expect(config.stateDir).toBe('/var/lib/otpd');
    expect(config.auditLog).toEqual({ kind: 'syslog' });
    expect(config.windows).toEqual({ hotpLookAhead: 5, totpSteps: 1, motpSeconds: 180, skeyWarnBelow: 10 });
    expect(config.lockout).toEqual({ maxFail: 5, unlockAfterSeconds: 900 });
    expect(Object.keys(config.groups)).toEqual(['default']);
    expect(config.groups['default']).toEqual({
      name: 'default',
      services: [],
      childGroups: [],
      inheritsFrom: ['default'],
      lockout: { maxFail: 5, unlockAfterSeconds: 900 },
      session: { enabled: false, timeoutSeconds: 28_800, unusedTimeoutSeconds: 1800, maxLogins: 0, matchRhost: true },
    });
    expect(Object.keys(config.serviceGroups)).toEqual([]);
    expect(Object.keys(config.clients)).toEqual([]);
  });

  it('DEFAULT_CONFIG and every parsed config are deep-frozen', () => {
    expect(isDeepFrozen(DEFAULT_CONFIG)).toBe(true);
    expect(isDeepFrozen(parseConfig('[groups.a]\nservices = ["x"]\n[groups.a.session]\nenabled = true\n', FILE))).toBe(true);
    expect(() => {
      (DEFAULT_CONFIG.windows as { hotpLookAhead: number }).hotpLookAhead = 50;
    }).toThrow(TypeError);
  });

  it("the defaults match the verifiers' own defaults", () => {
    const settings = verifierSettings(DEFAULT_CONFIG);
    expect(settings.hotp.lookAhead).toBe(5);
    expect(settings.totp.window).toBe(1);
    expect(settings.motp.maxDriftSeconds).toBe(180);
    expect(settings.skey.warnBelow).toBe(10);
    expect(settings.skey.minReinitSequence).toBe(10);
  });

  it('comments, blank lines and an empty [windows] table change nothing', () => {
    expect(parseConfig('# nothing\n\n[windows]\n', FILE)).toEqual(DEFAULT_CONFIG);
  });
});

describe('every key', () => {
  const text = `
store = "/srv/otp/users.oath"
state_dir = "/srv/otp/state"
audit_log = "/var/log/otpd/audit.log"

[windows]
hotp_look_ahead = 20
totp_steps = 2
motp_seconds = 300
skey_warn_below = 25

[lockout]
max_fail = 3
unlock_after = "1h"

[groups.remote]
services = ["sshd", "openvpn"]

[groups.mail]
services = ["dovecot", "imap"]

[groups.mail.session]
enabled = true
timeout = "4h"
unused_timeout = "10m"
max_logins = 100
match_rhost = false

[groups.default.session]
enabled = true
`;
  const config = parseConfig(text, FILE);

  it('reads top-level keys', () => {
    expect(config.store).toBe('/srv/otp/users.oath');
    expect(config.stateDir).toBe('/srv/otp/state');
    expect(config.auditLog).toEqual({ kind: 'file', path: '/var/log/otpd/audit.log' });
    expect(parseConfig('audit_log = "stderr"', FILE).auditLog).toEqual({ kind: 'stderr' });
  });

  it('reads [windows] and [lockout]', () => {
    expect(config.windows).toEqual({ hotpLookAhead: 20, totpSteps: 2, motpSeconds: 300, skeyWarnBelow: 25 });
    expect(config.lockout).toEqual({ maxFail: 3, unlockAfterSeconds: 3600 });
    const settings = verifierSettings(config);
    expect(settings.hotp).toEqual({ lookAhead: 20, replayLookBehind: 10 });
    expect(settings.totp).toEqual({ window: 2 });
    expect(settings.motp).toEqual({ maxDriftSeconds: 300 });
    expect(settings.skey.warnBelow).toBe(25);
  });

  it('reads groups and sessions; unset session keys keep their defaults', () => {
    expect(Object.keys(config.groups).sort()).toEqual(['default', 'mail', 'remote']);
    expect(config.groups['remote']?.services).toEqual(['sshd', 'openvpn']);
    expect(config.groups['remote']?.session.enabled).toBe(false);
    expect(config.groups['mail']?.session).toEqual({
      enabled: true,
      timeoutSeconds: 14_400,
      unusedTimeoutSeconds: 600,
      maxLogins: 100,
      matchRhost: false,
    });
    expect(config.groups['default']?.session).toEqual({ ...DEFAULT_CONFIG.groups['default']?.session, enabled: true });
  });

  it('maps services to groups; everything else is in default', () => {
    expect(groupOfService(config, 'sshd')).toBe('remote');
    expect(groupOfService(config, 'openvpn')).toBe('remote');
    expect(groupOfService(config, 'dovecot')).toBe('mail');
    expect(groupOfService(config, 'su')).toBe('default');
    expect(groupOfService(config, 'toString')).toBe('default');
    expect(groupOfService(config, '__proto__')).toBe('default');
    expect(groupOfService(DEFAULT_CONFIG, 'sshd')).toBe('default');
    expect(config.groups['toString']).toBeUndefined();
  });

  it('accepts inline tables, dotted keys and a bare integer of seconds as a duration', () => {
    const inline = parseConfig('windows = { totp_steps = 3 }\nlockout.unlock_after = 60\ngroups.x.services = ["su"]\n', FILE);
    expect(inline.windows.totpSteps).toBe(3);
    expect(inline.lockout.unlockAfterSeconds).toBe(60);
    expect(groupOfService(inline, 'su')).toBe('x');
  });

  it('accepts the limits and zero', () => {
    const edges = parseConfig(
      '[windows]\nhotp_look_ahead = 1000\ntotp_steps = 0\nmotp_seconds = 3600\nskey_warn_below = 0\n[lockout]\nmax_fail = 0\nunlock_after = "0"\n',
      FILE,
    );
    expect(edges.windows).toEqual({ hotpLookAhead: 1000, totpSteps: 0, motpSeconds: 3600, skeyWarnBelow: 0 });
    expect(edges.lockout).toEqual({ maxFail: 0, unlockAfterSeconds: 0 });
  });

  it('a default group may list services explicitly', () => {
    const explicit = parseConfig('[groups.default]\nservices = ["login"]\n', FILE);
    expect(groupOfService(explicit, 'login')).toBe('default');
    expect(explicit.groups['default']?.services).toEqual(['login']);
  });
});

describe('errors name file, line and key path', () => {
  it("syntax errors carry smol-toml's line", () => {
    const error = expectConfigError('store = "/x"\n[windows\n', /^\/etc\/otpd\/otpd\.conf:2: .*column/, { line: 2, reason: 'syntax' });
    expect(error.message).not.toContain('\n');
    expectConfigError('a = 1\na = 2\n', /:2: /, { line: 2, reason: 'syntax' });
  });

  it('unknown keys, at every level', () => {
    expectConfigError('\n\nstor = "/x"\n', /^\/etc\/otpd\/otpd\.conf:3: stor: unknown key \(expected one of: store, state_dir/, { line: 3, keyPath: 'stor' });
    expectConfigError('[windows]\nhotp_window = 3\n', /:2: windows\.hotp_window: unknown key/, { line: 2, keyPath: 'windows.hotp_window' });
    expectConfigError('[lockout]\nmax_fail = 3\ndeny = 3\n', /:3: lockout\.deny: unknown key/, { line: 3 });
    expectConfigError('[groups.a]\nservice = ["su"]\n', /:2: groups\.a\.service: unknown key/, { line: 2 });
    expectConfigError('[groups.a.session]\nenable = true\n', /:2: groups\.a\.session\.enable: unknown key/, { line: 2 });
    expectConfigError('[extra]\n', /:1: extra: unknown key/, { line: 1 });
    expectConfigError('windows = { steps = 1 }\n', /:1: windows\.steps: unknown key/, { line: 1 });
  });

  it('wrong types', () => {
    expectConfigError('store = 5\n', /:1: store: must be a string, got the integer 5/, { line: 1, keyPath: 'store' });
    expectConfigError('[windows]\n\nhotp_look_ahead = "5"\n', /:3: windows\.hotp_look_ahead: must be an integer, got the string "5"/, { line: 3 });
    expectConfigError('[windows]\ntotp_steps = 1.5\n', /:2: windows\.totp_steps: must be an integer, got the float 1\.5/);
    expectConfigError('[windows]\ntotp_steps = 1.0\n', /must be an integer, got the float 1/);
    expectConfigError('[lockout]\nunlock_after = 1979-05-27\n', /:2: lockout\.unlock_after: must be a duration .* got a date/);
    expectConfigError('[lockout]\nunlock_after = true\n', /got true/);
    expectConfigError('windows = 3\n', /:1: windows: must be a table, got the integer 3/);
    expectConfigError('[groups]\na = 1\n', /:2: groups\.a: must be a table/);
    expectConfigError('[groups.a]\nservices = "sshd"\n', /:2: groups\.a\.services: must be an array of strings, got the string "sshd"/);
    expectConfigError('[groups.a]\nservices = ["sshd", 3]\n', /groups\.a\.services: item 2 must be a string, got the integer 3/);
    expectConfigError('[groups.a.session]\nenabled = "yes"\n', /:2: groups\.a\.session\.enabled: must be true or false, got the string "yes"/);
    expectConfigError('[groups.a.session]\nmatch_rhost = 1\n', /groups\.a\.session\.match_rhost: must be true or false/);
    expectConfigError('[groups.a]\nsession = []\n', /:2: groups\.a\.session: must be a table, got an array/);
  });

  it('out-of-range values', () => {
    expectConfigError('[windows]\nhotp_look_ahead = 5000\n', /:2: windows\.hotp_look_ahead: must be an integer from 0 to 1000, got 5000/);
    expectConfigError('[windows]\nhotp_look_ahead = -1\n', /from 0 to 1000, got -1/);
    expectConfigError('[windows]\ntotp_steps = 1001\n', /windows\.totp_steps: must be an integer from 0 to 1000/);
    expectConfigError('[windows]\nmotp_seconds = 3601\n', /windows\.motp_seconds: must be an integer from 0 to 3600/);
    expectConfigError('[windows]\nskey_warn_below = 10000\n', /windows\.skey_warn_below: must be an integer from 0 to 9999/);
    expectConfigError('[lockout]\nmax_fail = 99999999999999999999999\n', /lockout\.max_fail: must be an integer from 0 to 1000, got 99999999999999999999999/);
    expectConfigError('[groups.a.session]\nmax_logins = -3\n', /groups\.a\.session\.max_logins: must be an integer from 0/);
    expectConfigError('[lockout]\nunlock_after = "15 minutes"\n', /:2: lockout\.unlock_after: not a duration "15 minutes"/);
    expectConfigError('[lockout]\nunlock_after = -5\n', /lockout\.unlock_after: must be from 0 to 366 days/);
    expectConfigError('[groups.a.session]\ntimeout = "0"\n', /groups\.a\.session\.timeout: must be longer than 0/);
    expectConfigError('store = "users.oath"\n', /:1: store: must be an absolute path, got "users\.oath"/);
    expectConfigError('state_dir = ""\n', /state_dir: must be an absolute path/);
    expectConfigError('audit_log = "audit.log"\n', /:1: audit_log: must be "syslog", "stderr" or an absolute file path/);
  });

  it('groups: bad names, bad services, a service in two groups', () => {
    expectConfigError('[groups."my group"]\n', /:1: groups\."my group": a group name is/);
    expectConfigError('[groups.a]\nservices = ["ssh d"]\n', /:2: groups\.a\.services: item 1: "ssh d" is not a PAM service name/);
    expectConfigError('[groups.a]\nservices = ["../x"]\n', /is not a PAM service name/);
    const twice = '[groups.a]\nservices = ["sshd", "su"]\n\n[groups.b]\nservices = ["login", "su"]\n';
    expectConfigError(twice, /:5: groups\.b\.services: service "su" is already in group "a"; a service belongs to one group/, { line: 5 });
    expectConfigError('[groups.a]\nservices = ["su", "su"]\n', /service "su" is already in group "a"/);
    expectConfigError(
      '[groups.a]\nservices = ["su"]\n[groups.default]\nservices = ["su"]\n',
      /groups\.default\.services: service "su" is already in group "a"/,
    );
  });

  it('refuses keys that could reach Object.prototype', () => {
    expectConfigError('[groups.__proto__]\nservices = ["su"]\n', /unsafe|__proto__/, { reason: 'syntax' });
  });
});

describe('the example file packaging/otpd.conf', () => {
  const example = readFileSync(new URL('../../../packaging/otpd.conf', import.meta.url), 'utf8');

  it('parses to exactly the defaults it documents', () => {
    expect(parseConfig(example, 'packaging/otpd.conf')).toEqual(DEFAULT_CONFIG);
  });

  it('its commented group examples parse to the values the comments describe', () => {
    const uncommented = example
      .split('\n')
      .map((line) => (/^# (\[groups|services|enabled|timeout|unused_timeout|max_logins|match_rhost)/.test(line) ? line.slice(2) : line))
      .join('\n');
    const config = parseConfig(uncommented, 'packaging/otpd.conf');
    expect(Object.keys(config.groups).sort()).toEqual(['default', 'local', 'mail', 'remote']);
    expect(groupOfService(config, 'sshd')).toBe('remote');
    expect(groupOfService(config, 'su')).toBe('local');
    expect(groupOfService(config, 'dovecot')).toBe('mail');
    expect(config.groups['mail']?.session).toEqual({ enabled: true, timeoutSeconds: 28_800, unusedTimeoutSeconds: 1800, maxLogins: 0, matchRhost: true });
  });
});
