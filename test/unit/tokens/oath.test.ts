import { describe, expect, it } from 'vitest';
import { parseHexKey } from '../../../src/encoding/key.js';
import {
  DEFAULT_OATH_OPTIONS,
  HOTP_LIMITS,
  hotpCode,
  validateCounter,
  validateDigits,
  validateHmacAlgorithm,
  validateHmacKey,
} from '../../../src/tokens/hotp.js';
import { DEFAULT_TOTP_OPTIONS, totpCode, totpCounter } from '../../../src/tokens/totp.js';
import { expectInvalid } from '../../support/expect-invalid.js';
import { oathVectors } from '../../support/shared-data.js';

const vectors = oathVectors();

describe('HOTP (RFC 4226 Appendix D)', () => {
  const key = parseHexKey(vectors.hotp.secretHex);
  it.each(vectors.hotp.codes)('counter $counter → $otp', ({ counter, otp }) => {
    expect(hotpCode(key, counter, { ...DEFAULT_OATH_OPTIONS, digits: vectors.hotp.digits })).toBe(otp);
  });

  it('defaults are RFC 4226 and frozen', () => {
    expect(DEFAULT_OATH_OPTIONS).toEqual({ digits: 6, algorithm: 'sha1' });
    expect(Object.isFrozen(DEFAULT_OATH_OPTIONS)).toBe(true);
    expect(Object.isFrozen(HOTP_LIMITS)).toBe(true);
  });

  it('takes keys otplib would refuse: 1 byte and over 64 bytes (oathtool does)', () => {
    expect(hotpCode(new Uint8Array([1]), 0, DEFAULT_OATH_OPTIONS)).toBe('569809'); // oathtool --hotp 01
    expect(hotpCode(new Uint8Array(1024).fill(0xab), 7, DEFAULT_OATH_OPTIONS)).toMatch(/^\d{6}$/);
  });

  it('zero-pads and keeps 7 and 8 digits', () => {
    expect(hotpCode(key, 1, { digits: 8, algorithm: 'sha1' })).toBe('94287082');
    expect(hotpCode(key, 1, { digits: 7, algorithm: 'sha1' })).toBe('4287082');
    expect(hotpCode(key, 34, DEFAULT_OATH_OPTIONS)).toBe('749439');
    expect(hotpCode(key, 35, DEFAULT_OATH_OPTIONS)).toBe('037211');
  });

  it('computes exactly at the largest counter', () => {
    expect(hotpCode(key, Number.MAX_SAFE_INTEGER, DEFAULT_OATH_OPTIONS)).toMatch(/^\d{6}$/);
  });

  it('validates every input', () => {
    expectInvalid(() => hotpCode(new Uint8Array(0), 0, DEFAULT_OATH_OPTIONS), 'key');
    expectInvalid(() => hotpCode(new Uint8Array(1025), 0, DEFAULT_OATH_OPTIONS), 'key');
    expectInvalid(() => hotpCode('abc' as unknown as Uint8Array, 0, DEFAULT_OATH_OPTIONS), 'key');
    expectInvalid(() => hotpCode(key, -1, DEFAULT_OATH_OPTIONS), 'counter');
    expectInvalid(() => hotpCode(key, 1.5, DEFAULT_OATH_OPTIONS), 'counter');
    expectInvalid(() => hotpCode(key, Number.MAX_SAFE_INTEGER + 1, DEFAULT_OATH_OPTIONS), 'counter');
    expectInvalid(() => hotpCode(key, Number.NaN, DEFAULT_OATH_OPTIONS), 'counter');
    expectInvalid(() => hotpCode(key, 0, { digits: 5, algorithm: 'sha1' }), 'digits');
    expectInvalid(() => hotpCode(key, 0, { digits: 9, algorithm: 'sha1' }), 'digits');
    expectInvalid(() => hotpCode(key, 0, { digits: 6.5, algorithm: 'sha1' }), 'digits');
    expectInvalid(() => hotpCode(key, 0, { digits: 6, algorithm: 'md5' as unknown as typeof DEFAULT_OATH_OPTIONS.algorithm }), 'algorithm');
  });
});

describe('validators', () => {
  it('validateDigits accepts 6..8 only and names the field', () => {
    expect([6, 7, 8].map((n) => validateDigits(n))).toEqual([6, 7, 8]);
    for (const bad of [0, 5, 9, 10, -6, 6.1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expectInvalid(() => validateDigits(bad), 'digits');
    }
    expectInvalid(() => validateDigits(4, 'length'), 'length');
  });

  it('validateHmacAlgorithm takes the three names exactly', () => {
    expect(validateHmacAlgorithm('sha256')).toBe('sha256');
    for (const bad of ['SHA1', 'sha-1', 'md5', '', undefined, 1]) {
      expectInvalid(() => validateHmacAlgorithm(bad), 'algorithm');
    }
  });

  it('validateCounter and validateHmacKey', () => {
    expect(validateCounter(0)).toBe(0);
    expect(validateCounter(2 ** 40)).toBe(2 ** 40);
    expectInvalid(() => validateCounter(-0.5, 'start'), 'start');
    expect(validateHmacKey(new Uint8Array(1))).toHaveLength(1);
    expectInvalid(() => validateHmacKey(new Uint8Array(0), 'secret'), 'secret');
  });

  it('never quotes the key in an error', () => {
    try {
      hotpCode(new Uint8Array(2000).fill(0x41), 0, DEFAULT_OATH_OPTIONS);
    } catch (error) {
      expect((error as Error).message).not.toMatch(/AAAA|4141/);
    }
  });
});

describe('TOTP (RFC 6238 Appendix B)', () => {
  it.each(vectors.totp.vectors)('$algorithm at $time → $otp', (v) => {
    const key = parseHexKey(v.secretHex);
    expect(totpCode(key, v.time, { digits: v.digits, algorithm: v.algorithm, step: v.step, t0: v.t0 })).toBe(v.otp);
  });

  it('covers all three algorithms with digits 8', () => {
    expect(new Set(vectors.totp.vectors.map((v) => v.algorithm))).toEqual(new Set(['sha1', 'sha256', 'sha512']));
    expect(vectors.totp.vectors.every((v) => v.digits === 8)).toBe(true);
  });

  it('defaults are RFC 6238 and frozen', () => {
    expect(DEFAULT_TOTP_OPTIONS).toEqual({ digits: 6, algorithm: 'sha1', step: 30, t0: 0 });
    expect(Object.isFrozen(DEFAULT_TOTP_OPTIONS)).toBe(true);
  });

  it('is HOTP of the time counter', () => {
    const key = parseHexKey(vectors.hotp.secretHex);
    expect(totpCode(key, 1000, DEFAULT_TOTP_OPTIONS)).toBe(hotpCode(key, 33, DEFAULT_OATH_OPTIONS));
    expect(totpCode(key, 1000, DEFAULT_TOTP_OPTIONS)).toBe('841346'); // oathtool --totp -N @1000
  });
});

describe('totpCounter (RFC 6238 §4.2)', () => {
  it('floors at step edges', () => {
    expect(totpCounter(0, 30, 0)).toBe(0);
    expect(totpCounter(29, 30, 0)).toBe(0);
    expect(totpCounter(29.999, 30, 0)).toBe(0);
    expect(totpCounter(30, 30, 0)).toBe(1);
    expect(totpCounter(59, 30, 0)).toBe(1);
    expect(totpCounter(60, 30, 0)).toBe(2);
    expect(totpCounter(1111111109, 30, 0)).toBe(0x23523ec);
    expect(totpCounter(20000000000, 30, 0)).toBe(0x27bc86aa);
  });

  it('counts from T0', () => {
    expect(totpCounter(100, 30, 100)).toBe(0);
    expect(totpCounter(160, 30, 100)).toBe(2); // oathtool -S @100 -N @160 -v: Counter 0x2
    expect(totpCounter(1000, 60, 0)).toBe(16);
    expect(totpCounter(1000, 1, 0)).toBe(1000);
  });

  it('refuses a time before T0 (oathtool would wrap to 2^64 - 1)', () => {
    expectInvalid(() => totpCounter(99, 30, 100), 'time');
    expectInvalid(() => totpCounter(-1, 30, 0), 'time');
  });

  it('validates time, step and t0', () => {
    expectInvalid(() => totpCounter(Number.NaN, 30, 0), 'time');
    expectInvalid(() => totpCounter(Number.POSITIVE_INFINITY, 30, 0), 'time');
    expectInvalid(() => totpCounter(1e300, 1, 0), 'time');
    expectInvalid(() => totpCounter(0, 0, 0), 'step');
    expectInvalid(() => totpCounter(0, -30, 0), 'step');
    expectInvalid(() => totpCounter(0, 1.5, 0), 'step');
    expectInvalid(() => totpCounter(0, 86_401, 0), 'step');
    expectInvalid(() => totpCounter(0, 30, -1), 't0');
    expectInvalid(() => totpCounter(0, 30, 0.5), 't0');
  });
});
