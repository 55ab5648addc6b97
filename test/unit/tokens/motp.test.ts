import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MOTP_LIMITS, motpCode, motpSlot, validateMotpOffset, validateMotpPin, validateMotpSecret } from '../../../src/tokens/motp.js';
import { expectInvalid } from '../../support/expect-invalid.js';
import { motpVectors } from '../../support/shared-data.js';

describe('Mobile-OTP vectors', () => {
  it.each(motpVectors())('$time $pin offset $offsetHours → $otp', (v) => {
    expect(motpCode(v.secret, v.pin, v.time, v.offsetHours)).toBe(v.otp);
  });
});

describe('motpSlot', () => {
  it('is floor((t + offset·3600) / 10)', () => {
    expect(motpSlot(1700000000, 0)).toBe(170000000);
    expect(motpSlot(1700000009, 0)).toBe(170000000);
    expect(motpSlot(1700000010, 0)).toBe(170000001);
    expect(motpSlot(1700000009.99, 0)).toBe(170000000);
    expect(motpSlot(1700000000, 1)).toBe(170000360);
    expect(motpSlot(1700000000, -5)).toBe(169998200);
  });

  it('validates time and offset', () => {
    expectInvalid(() => motpSlot(Number.NaN, 0), 'time');
    expectInvalid(() => motpSlot(-1, 0), 'time');
    expectInvalid(() => motpSlot(0, 0.5), 'offset');
    expectInvalid(() => motpSlot(0, -13), 'offset');
    expectInvalid(() => motpSlot(0, 15), 'offset');
    expect(validateMotpOffset(-12)).toBe(-12);
    expect(validateMotpOffset(14)).toBe(14);
  });
});

describe('motpCode', () => {
  it('is the first 6 lower-case hex digits of md5(slot ‖ secret ‖ pin)', () => {
    const expected = createHash('md5')
      .update('170000000' + '1234567890abcdef' + '1234')
      .digest('hex')
      .slice(0, 6);
    expect(motpCode('1234567890abcdef', '1234', 1700000005, 0)).toBe(expected);
    expect(motpCode('1234567890abcdef', '1234', 1700000005, 0)).toMatch(/^[0-9a-f]{6}$/);
  });

  it('hashes the secret as typed: upper case gives a different code', () => {
    const lower = motpCode('1234567890abcdef', '1234', 1700000000, 0);
    const upper = motpCode('1234567890ABCDEF', '1234', 1700000000, 0);
    expect(lower).toBe('660af9');
    expect(upper).not.toBe(lower);
  });
});

describe('validateMotpSecret / validateMotpPin', () => {
  it('accepts 16..32 hex digits in either case, unchanged', () => {
    expect(validateMotpSecret('0123456789abcdef')).toBe('0123456789abcdef');
    expect(validateMotpSecret('0123456789ABCDEF0123456789abcdef')).toBe('0123456789ABCDEF0123456789abcdef');
    expect(MOTP_LIMITS.minSecretChars).toBe(16);
  });

  it('refuses other secrets without quoting them', () => {
    expectInvalid(() => validateMotpSecret('0123456789abcde'), 'secret', { notContaining: '0123456789abcde' });
    expectInvalid(() => validateMotpSecret('0123456789abcdef0123456789abcdef0'), 'secret', { notContaining: '0123456789abcdef0' });
    expectInvalid(() => validateMotpSecret('0123456789abcdeg'), 'secret', { notContaining: '0123456789abcdeg' });
    expectInvalid(() => validateMotpSecret(''), 'secret');
    expectInvalid(() => motpCode('short', '1234', 0, 0), 'secret', { notContaining: 'short' });
  });

  it('accepts 4..8 digit PINs and refuses others without quoting them', () => {
    expect(validateMotpPin('0000')).toBe('0000');
    expect(validateMotpPin('12345678')).toBe('12345678');
    expectInvalid(() => validateMotpPin('123'), 'pin', { notContaining: '123' });
    expectInvalid(() => validateMotpPin('123456789'), 'pin', { notContaining: '123456789' });
    expectInvalid(() => validateMotpPin('12a4'), 'pin', { notContaining: '12a4' });
    expectInvalid(() => validateMotpPin(' 1234'), 'pin');
    expectInvalid(() => motpCode('1234567890abcdef', '12', 0, 0), 'pin');
  });
});
