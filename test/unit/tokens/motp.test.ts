import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../src/errors.js';
import {
  MOTP_LIMITS,
  motpCode,
  motpSlot,
  validateMotpOffset,
  validateMotpPin,
  validateMotpSecret,
} from '../../../src/tokens/motp.js';
import { motpVectors } from '../../support/shared-data.js';

function invalid(fn: () => unknown, field: string, secretText?: string): void {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(InvalidInputError);
  expect((caught as InvalidInputError).field).toBe(field);
  if (secretText !== undefined) expect((caught as Error).message).not.toContain(secretText);
}

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
    invalid(() => motpSlot(Number.NaN, 0), 'time');
    invalid(() => motpSlot(-1, 0), 'time');
    invalid(() => motpSlot(0, 0.5), 'offset');
    invalid(() => motpSlot(0, -13), 'offset');
    invalid(() => motpSlot(0, 15), 'offset');
    expect(validateMotpOffset(-12)).toBe(-12);
    expect(validateMotpOffset(14)).toBe(14);
  });
});

describe('motpCode', () => {
  it('is the first 6 lower-case hex digits of md5(slot ‖ secret ‖ pin)', () => {
    const expected = createHash('md5').update('170000000' + '1234567890abcdef' + '1234').digest('hex').slice(0, 6);
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
    invalid(() => validateMotpSecret('0123456789abcde'), 'secret', '0123456789abcde');
    invalid(() => validateMotpSecret('0123456789abcdef0123456789abcdef0'), 'secret', '0123456789abcdef0');
    invalid(() => validateMotpSecret('0123456789abcdeg'), 'secret', '0123456789abcdeg');
    invalid(() => validateMotpSecret(''), 'secret');
    invalid(() => motpCode('short', '1234', 0, 0), 'secret', 'short');
  });

  it('accepts 4..8 digit PINs and refuses others without quoting them', () => {
    expect(validateMotpPin('0000')).toBe('0000');
    expect(validateMotpPin('12345678')).toBe('12345678');
    invalid(() => validateMotpPin('123'), 'pin', '123');
    invalid(() => validateMotpPin('123456789'), 'pin', '123456789');
    invalid(() => validateMotpPin('12a4'), 'pin', '12a4');
    invalid(() => validateMotpPin(' 1234'), 'pin');
    invalid(() => motpCode('1234567890abcdef', '12', 0, 0), 'pin');
  });
});
