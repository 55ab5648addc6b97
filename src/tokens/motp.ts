/**
 * Mobile-OTP (the motp.sourceforge.net scheme pam_mobile_otp implements): the first 6 hex digits of
 * md5hex(decimal(slot) ‖ secret ‖ pin), where slot counts 10-second periods of the device's clock.
 *
 * Decisions (pam_mobile_otp compatible):
 * - The secret is 16 to 32 hex digits and is hashed **as typed**: `ABCD…` and `abcd…` give different
 *   codes, as in pam_mobile_otp and the phone apps, so it is never case-folded. Store it exactly as it
 *   was provisioned on the device.
 * - The PIN is 4 to 8 decimal digits (4 is usual; some apps allow 6 or 8).
 * - The time-zone offset is a whole number of hours from −12 to +14.
 */
import { createHash } from 'node:crypto';
import { InvalidInputError } from '../errors.js';

/** Mobile-OTP limits, frozen. */
export const MOTP_LIMITS = Object.freeze({
  minSecretChars: 16,
  maxSecretChars: 32,
  minPinDigits: 4,
  maxPinDigits: 8,
  minOffsetHours: -12,
  maxOffsetHours: 14,
  /** Seconds per slot. */
  slotSeconds: 10,
  /** Characters of the md5 hex digest that form the code. */
  codeChars: 6,
});

const HEX_RE = /^[0-9a-fA-F]*$/;
const DIGITS_RE = /^[0-9]*$/;

/**
 * Checks a Mobile-OTP secret: 16 to 32 hex digits, either case, kept as typed.
 *
 * @param secret - the init secret as provisioned on the device
 * @param field - the name used in error messages
 * @returns `secret`, unchanged
 * @throws InvalidInputError naming `field` (by length or character position, never by content)
 * @example
 * validateMotpSecret('1234567890abcdef'); // '1234567890abcdef'
 */
export function validateMotpSecret(secret: string, field = 'secret'): string {
  if (typeof secret !== 'string') {
    throw new InvalidInputError(field, 'must be a string of hex digits');
  }
  if (secret.length < MOTP_LIMITS.minSecretChars || secret.length > MOTP_LIMITS.maxSecretChars) {
    throw new InvalidInputError(field, `must be ${MOTP_LIMITS.minSecretChars} to ${MOTP_LIMITS.maxSecretChars} hex digits, got ${secret.length} characters`);
  }
  if (!HEX_RE.test(secret)) {
    const at = [...secret].findIndex((c) => !HEX_RE.test(c));
    throw new InvalidInputError(field, `character ${at + 1} is not a hex digit`);
  }
  return secret;
}

/**
 * Checks a Mobile-OTP PIN: 4 to 8 decimal digits.
 *
 * @param pin - the PIN
 * @param field - the name used in error messages
 * @returns `pin`, unchanged
 * @throws InvalidInputError naming `field` (by length or kind, never by content)
 * @example
 * validateMotpPin('1234'); // '1234'
 */
export function validateMotpPin(pin: string, field = 'pin'): string {
  if (typeof pin !== 'string' || !DIGITS_RE.test(pin)) {
    throw new InvalidInputError(field, 'must consist of decimal digits only');
  }
  if (pin.length < MOTP_LIMITS.minPinDigits || pin.length > MOTP_LIMITS.maxPinDigits) {
    throw new InvalidInputError(field, `must be ${MOTP_LIMITS.minPinDigits} to ${MOTP_LIMITS.maxPinDigits} digits, got ${pin.length}`);
  }
  return pin;
}

/**
 * Checks a time-zone offset in whole hours, −12 to +14.
 *
 * @param offsetHours - hours added to UTC by the device's clock
 * @param field - the name used in error messages
 * @returns `offsetHours`
 * @throws InvalidInputError naming `field` otherwise
 */
export function validateMotpOffset(offsetHours: number, field = 'offset'): number {
  if (!Number.isInteger(offsetHours) || offsetHours < MOTP_LIMITS.minOffsetHours || offsetHours > MOTP_LIMITS.maxOffsetHours) {
    throw new InvalidInputError(
      field,
      `must be a whole number of hours from ${MOTP_LIMITS.minOffsetHours} to +${MOTP_LIMITS.maxOffsetHours}, got ${String(offsetHours)}`,
    );
  }
  return offsetHours;
}

/**
 * The 10-second slot: floor((t + offsetHours · 3600) / 10).
 *
 * @param unixSeconds - the time, seconds since the Unix epoch (fractions allowed), ≥ 0
 * @param offsetHours - whole hours, −12 to +14
 * @returns the slot number, an integer
 * @throws InvalidInputError naming `time` or `offset`
 * @example
 * motpSlot(1700000009, 0); // 170000000
 */
export function motpSlot(unixSeconds: number, offsetHours: number): number {
  validateMotpOffset(offsetHours);
  if (!Number.isFinite(unixSeconds) || unixSeconds < 0 || unixSeconds > Number.MAX_SAFE_INTEGER / 2) {
    throw new InvalidInputError('time', `must be a number of seconds from 0 to ${Number.MAX_SAFE_INTEGER / 2}, got ${String(unixSeconds)}`);
  }
  return Math.floor((unixSeconds + offsetHours * 3600) / MOTP_LIMITS.slotSeconds);
}

/**
 * The Mobile-OTP code: the first 6 characters of the lower-case md5 hex digest of
 * `decimal(slot) ‖ secret ‖ pin`.
 *
 * @param secret - 16 to 32 hex digits, hashed as typed
 * @param pin - 4 to 8 decimal digits
 * @param unixSeconds - the time, seconds since the Unix epoch
 * @param offsetHours - whole hours, −12 to +14
 * @returns 6 lower-case hex digits
 * @throws InvalidInputError naming `secret`, `pin`, `time` or `offset`
 * @example
 * motpCode('1234567890abcdef', '1234', 1700000000, 0); // '660af9'
 */
export function motpCode(secret: string, pin: string, unixSeconds: number, offsetHours: number): string {
  validateMotpSecret(secret);
  validateMotpPin(pin);
  const slot = motpSlot(unixSeconds, offsetHours);
  return createHash('md5').update(`${slot}${secret}${pin}`, 'latin1').digest('hex').slice(0, MOTP_LIMITS.codeChars);
}
