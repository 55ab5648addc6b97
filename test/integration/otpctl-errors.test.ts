/**
 * Bad input to the real otpctl process: exit code 2, nothing on stdout, exactly one line on stderr that
 * names the field, and never the key or the pass phrase in that line. `--json` on every command prints
 * one JSON document (errors included).
 */
import { describe, expect, it } from 'vitest';
import { otpctl } from '../support/run.js';

const KEY = '3132333435363738393031323334353637383930';
const PASS = 'This is a test.';

interface BadCase {
  name: string;
  args: string[];
  input?: string;
  field: RegExp;
  /** Secrets the message must not repeat. */
  secrets?: string[];
}

const badCases: BadCase[] = [
  { name: 'odd-length hex key', args: ['gen', 'hotp', 'a1b2c3d4e5f6a7b'], field: /^otpctl: key: /, secrets: ['a1b2c3d4e5f6a7b'] },
  { name: 'non-hex key', args: ['gen', 'totp', 'zz1b2c3d4e5f6a7b', '--now', '59'], field: /^otpctl: key: /, secrets: ['zz1b2c3d4e5f6a7b'] },
  { name: 'bad base32', args: ['gen', 'hotp', '--base32', 'JBSWY3DPEHPK3PX1'], field: /^otpctl: key: /, secrets: ['JBSWY3DPEHPK3PX1'] },
  { name: 'bad base32 (convert)', args: ['key', 'convert', '--base32', 'GEZDGNBV!Y3TQOJQ'], field: /^otpctl: key: /, secrets: ['GEZDGNBV!Y3TQOJQ'] },
  { name: 'odd hex (convert)', args: ['key', 'convert', 'deadbeef1'], field: /^otpctl: key: /, secrets: ['deadbeef1'] },
  { name: 'seed with a blank', args: ['gen', 'skey', '99', 'Te St'], input: `${PASS}\n`, field: /^otpctl: seed: /, secrets: [PASS] },
  { name: '17-character seed', args: ['gen', 'skey', '99', 'abcdefghijklmnopq'], input: `${PASS}\n`, field: /^otpctl: seed: /, secrets: [PASS] },
  { name: 'pass phrase of 9 characters', args: ['gen', 'skey', '99', 'TeSt'], input: 'sEcret9ch\n', field: /^otpctl: pass phrase: /, secrets: ['sEcret9ch'] },
  {
    name: 'pass phrase of 64 characters',
    args: ['gen', 'skey', '99', 'TeSt'],
    input: `${'Q'.repeat(64)}\n`,
    field: /^otpctl: pass phrase: /,
    secrets: ['QQQQQQQQQQ'],
  },
  { name: 'no pass phrase at all', args: ['gen', 'skey', '99', 'TeSt'], input: '', field: /^otpctl: pass phrase: / },
  { name: 'unknown algorithm -a md5', args: ['gen', 'hotp', KEY, '-a', 'md5'], field: /^otpctl: algorithm: /, secrets: [KEY] },
  { name: 'unknown TOTP algorithm', args: ['gen', 'totp', KEY, '-a', 'sha3', '--now', '59'], field: /^otpctl: algorithm: /, secrets: [KEY] },
  { name: '--md5 --sha1 together', args: ['gen', 'skey', '--md5', '--sha1', '99', 'TeSt'], input: `${PASS}\n`, field: /^otpctl: algorithm: /, secrets: [PASS] },
  {
    name: 'challenge contradicting --sha1',
    args: ['gen', 'skey', '--sha1', 'otp-md5 99 TeSt'],
    input: `${PASS}\n`,
    field: /^otpctl: algorithm: /,
    secrets: [PASS],
  },
  {
    name: 'unknown challenge algorithm',
    args: ['gen', 'skey', 'otp-sha256 99 TeSt'],
    input: `${PASS}\n`,
    field: /^otpctl: (algorithm|challenge): /,
    secrets: [PASS],
  },
  { name: 'digits 9', args: ['gen', 'hotp', KEY, '-d', '9'], field: /^otpctl: digits: /, secrets: [KEY] },
  { name: 'digits 5', args: ['gen', 'totp', KEY, '-d', '5', '--now', '59'], field: /^otpctl: digits: /, secrets: [KEY] },
  { name: 'non-numeric counter', args: ['gen', 'hotp', KEY, '-c', 'abc'], field: /^otpctl: counter: /, secrets: [KEY] },
  { name: 'negative counter', args: ['gen', 'hotp', KEY, '-c', '-1'], field: /^otpctl: (counter|usage): /, secrets: [KEY] },
  { name: 'non-numeric window', args: ['gen', 'hotp', KEY, '-w', '1e3'], field: /^otpctl: window: /, secrets: [KEY] },
  { name: 'code of 5 digits for -d 6', args: ['gen', 'hotp', KEY, '12345'], field: /^otpctl: code: /, secrets: [KEY] },
  { name: 'code of 7 digits for -d 8', args: ['gen', 'totp', KEY, '1234567', '-d', '8', '--now', '59'], field: /^otpctl: code: /, secrets: [KEY] },
  { name: 'non-numeric code', args: ['gen', 'hotp', KEY, '12a456'], field: /^otpctl: code: /, secrets: [KEY] },
  { name: 'bad --now', args: ['gen', 'totp', KEY, '--now', 'yesterday'], field: /^otpctl: now: /, secrets: [KEY] },
  { name: 'bad step', args: ['gen', 'totp', KEY, '-s', '0', '--now', '59'], field: /^otpctl: step: /, secrets: [KEY] },
  { name: 'non-numeric skey sequence', args: ['gen', 'skey', 'x99', 'TeSt'], input: `${PASS}\n`, field: /^otpctl: sequence: / },
  { name: 'skey -n larger than SEQ+1', args: ['gen', 'skey', '5', 'TeSt', '-n', '7'], input: `${PASS}\n`, field: /^otpctl: count: / },
  { name: 'short mOTP secret', args: ['gen', 'motp', '12345678', '1234', '--now', '1'], field: /^otpctl: secret: /, secrets: ['12345678'] },
  {
    name: 'mOTP offset out of range',
    args: ['gen', 'motp', '1234567890abcdef', '1234', '--offset', '99'],
    field: /^otpctl: offset: /,
    secrets: ['1234567890abcdef'],
  },
  { name: 'unknown command', args: ['frobnicate'], field: /^otpctl: usage: / },
  { name: 'unknown gen type', args: ['gen', 'sotp', KEY], field: /^otpctl: usage: /, secrets: [KEY] },
  { name: 'unknown option', args: ['gen', 'hotp', KEY, '--frob'], field: /^otpctl: usage: /, secrets: [KEY] },
  { name: 'missing key', args: ['gen', 'hotp'], field: /^otpctl: usage: / },
  { name: 'no command', args: [], field: /^otpctl: usage: / },
];

describe('bad input: exit 2, stdout empty, one stderr line naming the field, no secrets', () => {
  it.each(badCases)('$name', ({ args, input, field, secrets }) => {
    const result = otpctl(args, { input: input ?? '' });
    const why = `otpctl ${JSON.stringify(args)} → ${result.status} ${JSON.stringify(result.stderr)}`;
    expect(result.status, why).toBe(2);
    expect(result.stdout, why).toBe('');
    expect(result.stderr, why).toMatch(/^[^\n]+\n$/);
    expect(result.stderr, why).toMatch(field);
    for (const secret of secrets ?? []) expect(result.stderr, why).not.toContain(secret);
  });

  it('--json errors: one JSON document on stdout with code, field and message, the same line on stderr', () => {
    const result = otpctl(['gen', 'skey', '99', 'TeSt', '--json'], { input: 'short\n' });
    expect(result.status).toBe(2);
    expect(JSON.parse(result.stdout)).toEqual({
      error: { code: 'INVALID_INPUT', field: 'pass phrase', message: expect.stringMatching(/^pass phrase: /) as unknown },
    });
    expect(result.stdout).not.toContain('short');
    expect(result.stderr).toMatch(/^otpctl: pass phrase: [^\n]+\n$/);
    const usage = otpctl(['gen', 'hotp', KEY, '--frob', '--json']);
    expect(usage.status).toBe(2);
    expect(JSON.parse(usage.stdout)).toMatchObject({ error: { code: 'INVALID_INPUT', field: 'usage' } });
  });
});

describe('--json on every command: one JSON document on stdout', () => {
  const json = (args: string[], input = ''): { status: number | null; doc: unknown; stderr: string } => {
    const result = otpctl([...args, '--json'], { input });
    expect(result.stdout.trimEnd().split('\n'), `one line: ${result.stdout}`).toHaveLength(1);
    return { status: result.status, doc: JSON.parse(result.stdout) as unknown, stderr: result.stderr };
  };

  it('gen hotp: list, validate hit, validate miss', () => {
    expect(json(['gen', 'hotp', KEY, '-w', '2'])).toEqual({
      status: 0,
      stderr: '',
      doc: {
        algorithm: 'sha1',
        digits: 6,
        codes: [
          { counter: 0, code: '755224' },
          { counter: 1, code: '287082' },
          { counter: 2, code: '359152' },
        ],
      },
    });
    expect(json(['gen', 'hotp', KEY, '969429', '-c', '1', '-w', '5'])).toEqual({ status: 0, stderr: '', doc: { match: true, counter: 3, offset: 2 } });
    const miss = json(['gen', 'hotp', KEY, '000000', '-c', '1', '-w', '5']);
    expect(miss.status).toBe(1);
    expect(miss.doc).toEqual({ match: false, first: 1, last: 6 });
    expect(miss.stderr).toMatch(/^otpctl: [^\n]+\n$/);
  });

  it('gen totp: list and validate (RFC 6238 vectors)', () => {
    expect(json(['gen', 'totp', KEY, '--now', '59', '-d', '8'])).toEqual({
      status: 0,
      stderr: '',
      doc: { algorithm: 'sha1', digits: 8, codes: [{ counter: 1, code: '94287082' }] },
    });
    expect(json(['gen', 'totp', KEY, '94287082', '--now', '119', '-d', '8', '-w', '2']).doc).toEqual({ match: true, counter: 1, offset: -2 });
    const miss = json(['gen', 'totp', KEY, '00000000', '--now', '119', '-d', '8', '-w', '1']);
    expect(miss.status).toBe(1);
    expect(miss.doc).toEqual({ match: false, first: 2, last: 4 });
  });

  it('gen skey: single response and -n list', () => {
    expect(json(['gen', 'skey', '99', 'TeSt'], `${PASS}\n`)).toEqual({
      status: 0,
      stderr: '',
      doc: { algorithm: 'md5', sequence: 99, seed: 'TeSt', response: 'BAIL TUFT BITS GANG CHEF THY' },
    });
    const list = json(['gen', 'skey', 'otp-md5 99 TeSt', '-n', '2'], `${PASS}\n`);
    expect(list.doc).toEqual({
      algorithm: 'md5',
      seed: 'TeSt',
      responses: [
        { sequence: 98, response: 'WEB FOWL MUCK ME LOB AND' },
        { sequence: 99, response: 'BAIL TUFT BITS GANG CHEF THY' },
      ],
    });
    expect(JSON.stringify(list.doc)).not.toContain(PASS);
  });

  it('gen motp and key convert', () => {
    expect(json(['gen', 'motp', '1234567890abcdef', '1234', '--now', '1700000000'])).toEqual({
      status: 0,
      stderr: '',
      doc: { code: '660af9', slot: 170000000 },
    });
    const hexAndBase32 = { hex: KEY, base32: 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ' };
    expect(json(['key', 'convert', KEY]).doc).toEqual(hexAndBase32);
    expect(json(['key', 'convert', '--base32', 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ']).doc).toEqual(hexAndBase32);
  });
});
