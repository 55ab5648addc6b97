import { describe, expect, it } from 'vitest';
import { formatSkeyHex, parseSkeyHex } from '../../../../src/tokens/skey/hex.js';
import { expectInvalid, fromHex, hex } from './support.js';

describe('hex form', () => {
  const value = fromHex('9e876134d90499dd');

  it('formats in the RFC 2289 style by default and compact on request', () => {
    expect(formatSkeyHex(value)).toBe('9E87 6134 D904 99DD');
    expect(formatSkeyHex(value, 'rfc')).toBe('9E87 6134 D904 99DD');
    expect(formatSkeyHex(value, 'compact')).toBe('9e876134d90499dd');
  });

  it('formats a view into a larger buffer correctly', () => {
    const big = new Uint8Array(24);
    big.set(value, 8);
    expect(formatSkeyHex(big.subarray(8, 16), 'compact')).toBe('9e876134d90499dd');
  });

  it('parses any case and any whitespace', () => {
    for (const text of ['9E87 6134 D904 99DD', '9e876134d90499dd', ' 9e87\t6134\nD904  99dD ', '9 e 8 7 6 1 3 4 d 9 0 4 9 9 d d']) {
      expect(hex(parseSkeyHex(text))).toBe('9e876134d90499dd');
    }
  });

  it('rejects bad hex, naming the field', () => {
    expectInvalid(() => parseSkeyHex('9E87 6134 D904 99D'), 'response', /16 hex digits, got 15/);
    expectInvalid(() => parseSkeyHex('9E87 6134 D904 99DD 00'), 'response', /got 18/);
    expectInvalid(() => parseSkeyHex('9E87 6134 D904 99DG'), 'response', /only hex digits/);
    expectInvalid(() => parseSkeyHex('0x9E876134D90499DD'), 'response');
    expectInvalid(() => parseSkeyHex(''), 'response', /got 0/);
    expectInvalid(() => parseSkeyHex('zz', 'current'), 'current');
  });

  it('rejects values that are not 8 bytes', () => {
    expectInvalid(() => formatSkeyHex(new Uint8Array(9)), 'value');
  });
});
