/**
 * A parse limited to some users gives, for them, exactly the entries and errors of a full parse:
 * random files mixing valid and malformed token lines, metadata lines (well and badly placed, malformed,
 * duplicate names), comments, blank lines, CRLF, leading blanks, non-UTF-8 bytes and user names that are
 * substrings of each other.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseUsersFile, type UsersFile } from '../../../src/store/index.js';

const KEY = '3132333435363738393031323334353637383930';
/** Binary-string (latin1) user names: ASCII, substrings of each other, UTF-8 é, an invalid byte. */
const NAMES = ['a', 'al', 'alice', 'bob', 'b', 'HOTP', '-', '\xc3\xa9mile', '\xff', 'user1', 'user10'];
const ASKED = ['a', 'al', 'alice', 'bob', 'b', 'HOTP', '-', 'émile', '\uFFFD', 'user1', 'user10', 'nobody', ''];

const lineFor = (kind: number, user: string, n: number): string => {
  switch (kind) {
    case 0:
      return `HOTP\t${user}\t-\t${KEY}\t${n}\n`;
    case 1:
      return `HOTP/T30/8 ${user} pin ${KEY} 12 12345678 2026-11-22T05:30:27L\r\n`;
    case 2:
      return `HOTP ${user} - zz${KEY}\n`; // bad key
    case 3:
      return `  HOTP/E ${user} + 00ff  \n`;
    case 4:
      return `#OTPD/META ${user} name=t${n % 3} enabled=yes\n`;
    case 5:
      return `#OTPD/META ${user} name=bad!name\n`; // malformed metadata
    case 6:
      return `#OTPD/META ${user} groups=sshd,openvpn\n`;
    case 7:
      return `OTPD/SKEY ${user} - md5 99 ke1234 0123456789abcdef\n`;
    case 8:
      return `OTPD/SKEY ${user} - md5 99 ke1234 01234\n`; // bad last value
    case 9:
      return `OTPD/MOTP\t${user}\t-\t0123456789abcdef\t1234\t+2\n`;
    case 10:
      return `OTPD/NOPE ${user} x\n`;
    case 11:
      return `# a comment naming ${user}\n`;
    case 12:
      return '\n';
    case 13:
      return 'HOTP\n'; // names no user
    case 14:
      return '#OTPD/META\n';
    default:
      return `${user} HOTP ${user}\n`;
  }
};

const fileArb = fc
  .array(fc.tuple(fc.nat(15), fc.constantFrom(...NAMES), fc.nat(100)), { maxLength: 40 })
  .chain((lines) => fc.tuple(fc.constant(lines), fc.boolean()))
  .map(([lines, lastWithoutNewline]) => {
    const text = lines.map(([k, u, n]) => lineFor(k, u, n)).join('');
    return lastWithoutNewline && text.endsWith('\n') ? text.slice(0, -1) : text;
  });

const plainErrors = (file: UsersFile) => file.errors.map((e) => ({ line: e.line, user: e.user, problem: e.problem, message: e.message }));

describe('parseUsersFile with { users }', () => {
  it('equals the full parse restricted to the asked users (entries and errors)', () => {
    fc.assert(
      fc.property(fileArb, fc.subarray(ASKED), (text, asked) => {
        const content = Buffer.from(text, 'latin1');
        const full = parseUsersFile(content, '/etc/users.oath');
        const part = parseUsersFile(content, '/etc/users.oath', { users: asked });
        const set = new Set(asked);
        expect(part.entries).toEqual(full.entries.filter((e) => set.has(e.user)));
        expect(plainErrors(part)).toEqual(plainErrors(full).filter((e) => e.user !== undefined && set.has(e.user)));
        expect(part.lines.map((l) => l.raw).join('')).toBe(text);
        expect(part.users).toEqual(set);
      }),
      { numRuns: 2000 },
    );
  });

  it('finds a user among many without confusing prefixes, and keeps metadata', () => {
    const lines = ['# header'];
    for (let i = 0; i < 1000; i++) lines.push(`HOTP\tuser${i}\t-\t${KEY}`);
    lines.push('#OTPD/META user1 name=phone groups=sshd', `HOTP/T30 user1 - ${KEY}`);
    const content = Buffer.from(`${lines.join('\n')}\n`);
    const part = parseUsersFile(content, 'f', { users: ['user1'] });
    expect(part.entries.map((e) => [e.line, e.meta.name])).toEqual([
      [3, undefined],
      [1003, 'phone'],
    ]);
    expect(part.errors).toEqual([]);
    const many = parseUsersFile(content, 'f', { users: ['user1', 'user2', 'user3', 'user4', 'user5', 'user999'] });
    expect(many.entries.map((e) => e.user)).toEqual(['user1', 'user2', 'user3', 'user4', 'user5', 'user999', 'user1']);
  });

  it('reports duplicate token names per user without scanning other users', () => {
    const text = `#OTPD/META a name=x\nHOTP a - ${KEY}\n#OTPD/META b name=x\nHOTP b - ${KEY}\n#OTPD/META a name=x\nHOTP a - ${KEY}\n`;
    const part = parseUsersFile(Buffer.from(text), 'f', { users: ['a'] });
    expect(part.entries.map((e) => e.line)).toEqual([2]);
    expect(part.errors.map((e) => e.message)).toEqual(['f:5: token name is already used by another token of this user']);
  });
});
