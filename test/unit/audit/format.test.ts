import { describe, expect, it } from 'vitest';
import { AUDIT_EVENTS, AUDIT_FIELDS, type AuditEvent, formatAuditLine, isAuditCode, MAX_AUDIT_VALUE_LENGTH } from '../../../src/audit/index.js';

const T = new Date('2026-11-03T10:20:30.456Z');

/** Reads a line back the way a log parser would: `key=` then `-`, a quoted string (maybe cut) or a bare word. */
function parseLine(line: string): Array<[string, string]> {
  const token = /(\w+)=(-|"(?:[^"\\]|\\.)*"(?:\.\.\.)?|[^\s"]+)(?: |$)/y;
  const pairs: Array<[string, string]> = [];
  while (token.lastIndex < line.length) {
    const start = token.lastIndex;
    const match = token.exec(line);
    if (match === null) throw new Error(`unparsable at ${start}: ${line.slice(start)}`);
    pairs.push([match[1] as string, match[2] as string]);
  }
  return pairs;
}

describe('formatAuditLine', () => {
  it('writes every field in a fixed order, - for absent ones', () => {
    expect(
      formatAuditLine(
        { code: 'AUTH_OK_OTP', user: 'alice', token: 'alice/phone', service: 'sshd', rhost: '192.0.2.7', tty: 'ssh', session: 's-1', reason: 'ok' },
        T,
      ),
    ).toBe(
      'time=2026-11-03T10:20:30.456Z code=AUTH_OK_OTP user="alice" token="alice/phone" service="sshd" rhost="192.0.2.7" tty="ssh" session="s-1" reason="ok" client=- access_group=-',
    );
    expect(formatAuditLine({ code: 'AUTH_USER_UNKNOWN', user: 'mallory', service: 'su' }, T)).toBe(
      'time=2026-11-03T10:20:30.456Z code=AUTH_USER_UNKNOWN user="mallory" token=- service="su" rhost=- tty=- session=- reason=- client=- access_group=-',
    );
    expect(parseLine(formatAuditLine({ code: 'AUTH_FAILED' }, T)).map(([key]) => key)).toEqual(['time', 'code', ...AUDIT_FIELDS]);
  });

  it("writes UTC whatever the clock's zone", () => {
    expect(formatAuditLine({ code: 'AUTH_FAILED' }, new Date(0))).toMatch(/^time=1970-01-01T00:00:00\.000Z /);
  });

  it('an empty value is "" and a value "-" is quoted, so neither is confused with an absent one', () => {
    const pairs = new Map(parseLine(formatAuditLine({ code: 'AUTH_FAILED', user: '', token: '-' }, T)));
    expect(pairs.get('user')).toBe('""');
    expect(pairs.get('token')).toBe('"-"');
    expect(pairs.get('rhost')).toBe('-');
  });

  it.each([
    ['spaces and =', 'bob code=AUTH_OK_OTP reason=ok'],
    ['quotes', 'bob" code=AUTH_OK_OTP service="sshd'],
    ['a backslash before a quote', 'bob\\" code=AUTH_OK_OTP x=\\'],
    ['a newline', 'bob\ntime=2026-01-01T00:00:00.000Z code=AUTH_OK_OTP user="root"'],
    ['a carriage return', 'bob\rtime=x code=AUTH_OK_OTP'],
    ['NUL, ESC and DEL', 'bob\u0000\u001b[2K\u007f'],
    ['Unicode line separators and bidi controls', 'bob\u2028code=AUTH_OK_OTP\u2029\u202e\u2066'],
    ['C1 controls', 'bob\u0085\u009b'],
  ])('user names with %s cannot forge fields or lines', (_what, user) => {
    const line = formatAuditLine({ code: 'AUTH_FAILED', user, service: 'sshd' }, T);
    expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
    const pairs = parseLine(line);
    expect(pairs.map(([key]) => key)).toEqual(['time', 'code', ...AUDIT_FIELDS]);
    expect(new Map(pairs).get('code')).toBe('AUTH_FAILED');
    expect(new Map(pairs).get('service')).toBe('"sshd"');
  });

  it('escapes readably', () => {
    const line = formatAuditLine({ code: 'AUTH_FAILED', user: 'a"b\\c\nd\te\u0001\u2028é' }, T);
    expect(line).toContain('user="a\\"b\\\\c\\nd\\te\\x01\\u{2028}é"');
  });

  it('cuts long values and marks the cut outside the quotes', () => {
    const user = 'u'.repeat(MAX_AUDIT_VALUE_LENGTH + 50);
    const line = formatAuditLine({ code: 'AUTH_FAILED', user }, T);
    expect(line).toContain(`user="${'u'.repeat(MAX_AUDIT_VALUE_LENGTH)}"... token=-`);
    expect(formatAuditLine({ code: 'AUTH_FAILED', user: 'u'.repeat(MAX_AUDIT_VALUE_LENGTH) }, T)).not.toContain('...');
    expect(parseLine(line)).toHaveLength(2 + AUDIT_FIELDS.length);
  });

  it('reads only its named fields: nothing else a caller passes reaches the line', () => {
    const request = { code: 'AUTH_FAILED', user: 'alice', answer: '755224', otp: '287082', pin: '4711', passphrase: 'A Cat Is Fine Too', key: '3132333435' };
    const line = formatAuditLine(request as AuditEvent, T);
    for (const secret of ['755224', '287082', '4711', 'A Cat Is Fine Too', '3132333435', 'answer', 'pin']) expect(line).not.toContain(secret);
  });

  it('refuses an unknown code', () => {
    expect(() => formatAuditLine({ code: 'AUTH_MAYBE' } as unknown as AuditEvent, T)).toThrow(TypeError);
    expect(() => formatAuditLine({ code: 'toString' } as unknown as AuditEvent, T)).toThrow(TypeError);
  });
});

describe('AUDIT_EVENTS', () => {
  it('holds every decision code, frozen', () => {
    for (const code of [
      'AUTH_OK_OTP',
      'AUTH_OK_STATIC',
      'AUTH_OK_SESSION',
      'AUTH_FAILED',
      'AUTH_OTP_ALREADY_USED',
      'AUTH_USER_LOCKED',
      'AUTH_TOKEN_MISSING',
      'AUTH_USER_UNKNOWN',
      'AUTH_SKEY_CHALLENGE',
      'AUTH_SKEY_REINIT',
      'AUTH_SKEY_LOW',
      'AUTH_STORE_ERROR',
    ])
      expect(isAuditCode(code)).toBe(true);
    expect(Object.isFrozen(AUDIT_EVENTS)).toBe(true);
    for (const info of Object.values(AUDIT_EVENTS)) expect(Object.isFrozen(info)).toBe(true);
  });

  it('codes are their own names, upper-case words', () => {
    for (const code of Object.keys(AUDIT_EVENTS)) expect(code).toMatch(/^[A-Z]+(_[A-Z]+)+$/);
  });
});
