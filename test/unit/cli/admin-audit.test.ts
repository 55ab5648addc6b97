/**
 * Every change otpctl makes to users and tokens leaves one audit line (docs/audit.md), naming the
 * user, the token and what changed — and never a key, PIN or code.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { adminFixture, type AdminFixture } from './admin-fixture.js';

const KEY = '3132333435363738393031323334353637383930';
let fx: AdminFixture;
afterEach(() => fx.cleanup());

const audited = (): string[] =>
  readFileSync(fx.auditLog, 'utf8')
    .trimEnd()
    .split('\n')
    .map((line) => / code=(\S+) .*?token=(\S+) .*reason=("(?:[^"\\]|\\.)*"|-) /.exec(line)?.slice(1).join(' ') ?? line);

describe('otpctl audits administrators', () => {
  it('user add/del, token add/disable/enable/groups/del: one line each, no secret', async () => {
    fx = adminFixture('', '[groups.remote]\nservices = ["sshd"]\n');
    for (const args of [
      ['user', 'add', 'alice'],
      ['token', 'add', 'alice/phone', '--type', 'hotp', '--key', KEY, '--no-qr'],
      ['token', 'disable', 'alice/phone'],
      ['token', 'disable', 'alice/phone'], // already disabled: nothing changed, nothing audited
      ['token', 'enable', 'alice/phone'],
      ['token', 'groups', 'alice/phone', 'remote'],
      ['token', 'del', 'alice/phone', '--yes'],
      ['user', 'del', 'alice', '--yes'],
    ]) {
      const r = await fx.run(args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    }
    expect(audited()).toEqual([
      'ADMIN_USER_ADD - "added"',
      'ADMIN_TOKEN_ADD "alice/phone" "hotp added"',
      'ADMIN_TOKEN_CHANGE "alice/phone" "disabled"',
      'ADMIN_TOKEN_CHANGE "alice/phone" "enabled"',
      'ADMIN_TOKEN_CHANGE "alice/phone" "groups: remote"',
      'ADMIN_TOKEN_DEL "alice/phone" "deleted"',
      'ADMIN_USER_DEL - "deleted"',
    ]);
    expect(readFileSync(fx.auditLog, 'utf8')).not.toContain(KEY);
  });
});
