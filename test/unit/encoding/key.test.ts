import { describe, expect, it } from 'vitest';
import { expectInvalid } from '../../support/expect-invalid.js';
import { formatBase32, formatHex, KEY_LIMITS, parseBase32Key, parseHexKey, parseKey } from '../../../src/encoding/key.js';

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('parseHexKey', () => {
  it('decodes either case', () => {
    expect(parseHexKey('3132333435363738393031323334353637383930')).toEqual(ascii('12345678901234567890'));
    expect(parseHexKey('0aFf')).toEqual(new Uint8Array([0x0a, 0xff]));
    expect(parseHexKey('01')).toEqual(new Uint8Array([1]));
  });

  it('refuses an empty key (oathtool would use a zero-length key)', () => {
    expect(expectInvalid(() => parseHexKey(''), 'key').message).toMatch(/empty/);
  });

  it('refuses odd length without quoting the key', () => {
    const e = expectInvalid(() => parseHexKey('deadbee'), 'key', { notContaining: 'deadbee' });
    expect(e.message).toMatch(/odd/);
  });

  it('names the position of a non-hex character, not the key', () => {
    const e = expectInvalid(() => parseHexKey('00112g33'), 'key', { notContaining: '00112g33' });
    expect(e.message).toContain('character 6 of 8');
    expectInvalid(() => parseHexKey('0x0102'), 'key');
    expectInvalid(() => parseHexKey('01 02'), 'key');
    expectInvalid(() => parseHexKey(' 0102'), 'key');
  });

  it('uses the given field name', () => {
    expectInvalid(() => parseHexKey('0', 'new key'), 'new key');
  });

  it('accepts up to maxBytes and refuses more', () => {
    expect(parseHexKey('ab'.repeat(KEY_LIMITS.maxBytes))).toHaveLength(KEY_LIMITS.maxBytes);
    expect(expectInvalid(() => parseHexKey('ab'.repeat(KEY_LIMITS.maxBytes + 1)), 'key').message).toMatch(/1025 bytes/);
  });
});

describe('parseBase32Key', () => {
  const rfcKey = ascii('12345678901234567890');

  it('decodes Google Authenticator style (upper case, unpadded)', () => {
    expect(parseBase32Key('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ')).toEqual(rfcKey);
  });

  it('folds case and ignores ASCII spaces, as oathtool does', () => {
    expect(parseBase32Key('gezd gnbv gy3t qojq GEZD gnbv gy3t qojq')).toEqual(rfcKey);
    expect(parseBase32Key(' GEZDGNBV ')).toEqual(ascii('12345'));
  });

  it('treats padding as optional and accepts any shortened padding that oathtool accepts', () => {
    for (const text of ['GE', 'GE==', 'GE=====', 'GE======', 'GE====== ']) {
      expect(parseBase32Key(text)).toEqual(ascii('1'));
    }
    expect(parseBase32Key('GEZD')).toEqual(ascii('12'));
    expect(parseBase32Key('GEZDG===')).toEqual(ascii('123'));
    expect(parseBase32Key('GEZDGNB=')).toEqual(ascii('1234'));
    expect(parseBase32Key('GEZDGNBVGE')).toEqual(ascii('123451'));
  });

  it('ignores non-zero unused bits in the last character (GF = GE)', () => {
    expect(parseBase32Key('GF')).toEqual(ascii('1'));
    expect(parseBase32Key('GH')).toEqual(ascii('1'));
  });

  it('decodes padded blocks followed by more blocks, as liboath does', () => {
    expect(parseBase32Key('GE======GE======')).toEqual(ascii('11'));
    expect(parseBase32Key('GE======GEZD')).toEqual(ascii('112'));
  });

  it.each([
    ['G', 'length 1 mod 8'],
    ['GEZ', 'length 3 mod 8'],
    ['GEZDGN', 'length 6 mod 8'],
    ['GE=', 'length 3 mod 8 counting "="'],
    ['GEZDGNBV=', 'a lone "=" block'],
    ['========', 'padding only'],
    ['GEZ=====', '3 characters before padding'],
    ['GEZDGN==', '6 characters before padding'],
    ['GE=E====', 'data after padding'],
    ['=GE', 'leading padding'],
    ['GEZD-GNBV', 'hyphen'],
    ['GEZDGNB1', 'digit 1'],
    ['GEZD\tGNBV', 'tab'],
    ['GEZD\nGNBV', 'newline'],
    ['GEZDé', 'non-ASCII'],
  ])('refuses %j (%s) like oathtool', (text) => {
    expectInvalid(() => parseBase32Key(text), 'key', text.length >= 4 ? { notContaining: text } : undefined);
  });

  it('names the typed position of a bad character', () => {
    expect(expectInvalid(() => parseBase32Key('GE ZD1'), 'key').message).toContain('character 6 of 6');
  });

  it('refuses empty and all-space keys', () => {
    expectInvalid(() => parseBase32Key(''), 'key');
    expectInvalid(() => parseBase32Key('    '), 'key');
  });

  it('refuses keys longer than maxBytes', () => {
    const max = new Uint8Array(KEY_LIMITS.maxBytes).fill(7);
    expect(parseBase32Key(formatBase32(max))).toEqual(max);
    const e = expectInvalid(() => parseBase32Key(formatBase32(new Uint8Array(KEY_LIMITS.maxBytes + 1))), 'key');
    expect(e.message).toMatch(/1025 bytes/);
  });
});

describe('parseKey', () => {
  it('switches on base32 and passes the field', () => {
    expect(parseKey('GEZDGNBV', { base32: true })).toEqual(ascii('12345'));
    expect(parseKey('3132333435', { base32: false })).toEqual(ascii('12345'));
    expectInvalid(() => parseKey('zz', { base32: false, field: 'secret' }), 'secret');
    expectInvalid(() => parseKey('1', { base32: true, field: 'secret' }), 'secret');
  });
});

describe('formatHex / formatBase32', () => {
  it('formats hex in lower case', () => {
    expect(formatHex(new Uint8Array([0x00, 0x0a, 0xff, 0x31]))).toBe('000aff31');
    expect(formatHex(new Uint8Array())).toBe('');
  });

  it('formats base32 padded as oathtool -v prints it', () => {
    expect(formatBase32(new Uint8Array([1]))).toBe('AE======');
    expect(formatBase32(new Uint8Array([1, 2]))).toBe('AEBA====');
    expect(formatBase32(new Uint8Array([1, 2, 3]))).toBe('AEBAG===');
    expect(formatBase32(new Uint8Array([1, 2, 3, 4]))).toBe('AEBAGBA=');
    expect(formatBase32(new Uint8Array([1, 2, 3, 4, 5]))).toBe('AEBAGBAF');
    expect(formatBase32(new Uint8Array([1, 2, 3, 4, 5, 6]))).toBe('AEBAGBAFAY======');
    expect(formatBase32(ascii('12345678901234567890'))).toBe('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
  });

  it('round-trips through the parsers for every length up to 70 bytes', () => {
    for (let n = 1; n <= 70; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n * 11) & 0xff);
      expect(parseBase32Key(formatBase32(bytes))).toEqual(bytes);
      expect(parseBase32Key(formatBase32(bytes).replace(/=+$/, '').toLowerCase())).toEqual(bytes);
      expect(parseHexKey(formatHex(bytes))).toEqual(bytes);
    }
  });
});
