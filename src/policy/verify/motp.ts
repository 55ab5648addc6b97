/**
 * Mobile-OTP verification (pam_mobile_otp rules): the code of any 10-second slot within ±maxDrift of
 * now is accepted once; any slot at or before the last accepted one is refused, so a code is never
 * accepted twice, nor an older one after a newer one.
 *
 * Codes are the first 6 hex digits of an md5 digest; the phone app shows them in lower case, users may
 * type either case, and every candidate is compared in constant time.
 */
import { MOTP_LIMITS, motpCode, validateMotpOffset, validateMotpPin, validateMotpSecret, motpSlot } from '../../tokens/motp.js';
import { MAX_MOTP_DRIFT_SECONDS } from '../../bounds.js';
import { InvalidInputError } from '../../errors.js';
import { stringsEqual } from './compare.js';
import { type Verdict, fail, succeed } from './verdict.js';
import { trimAnswer } from './window.js';

/** One Mobile-OTP token's state. */
export interface MotpState {
  /** 16 to 32 hex digits, exactly as provisioned on the device (hashed as typed). */
  readonly secret: string;
  /** 4 to 8 decimal digits. */
  readonly pin: string;
  /** The device clock's offset from UTC in whole hours. */
  readonly offsetHours: number;
  /** The last accepted 10-second slot; absent when none was accepted yet. */
  readonly lastSlot?: number | undefined;
}

/** Mobile-OTP settings. */
export interface MotpSettings {
  /** Seconds of clock drift accepted each way; rounded down to whole 10-second slots. */
  readonly maxDriftSeconds: number;
}

/** ±180 s, as pam_mobile_otp. Frozen. */
export const DEFAULT_MOTP_SETTINGS: Readonly<MotpSettings> = Object.freeze({ maxDriftSeconds: 180 });

/** Facts about an accepted Mobile-OTP code. */
export interface MotpDetail {
  /** The slot whose code matched. */
  readonly slot: number;
  /** Matched slot minus the current slot. */
  readonly drift: number;
}

/** The code of `slot`, via the one Mobile-OTP implementation; undefined for a slot before the epoch. */
function codeAtSlot(state: MotpState, slot: number): string | undefined {
  const time = slot * MOTP_LIMITS.slotSeconds - state.offsetHours * 3600;
  return time < 0 ? undefined : motpCode(state.secret, state.pin, time, state.offsetHours);
}

/**
 * Verifies a Mobile-OTP code.
 *
 * @param state - the token's state; never modified
 * @param answer - the 6 hex digits (any case; blanks around are ignored)
 * @param now - the time, Unix seconds
 * @param settings - the drift; {@link DEFAULT_MOTP_SETTINGS} by default
 * @returns a verdict; on success `state.lastSlot` is the matched slot
 * @throws InvalidInputError for an invalid state, time or setting
 * @example
 * verifyMotp({ secret: '1234567890abcdef', pin: '1234', offsetHours: 0 }, '660AF9', 1700000000);
 */
export function verifyMotp(state: MotpState, answer: string, now: number, settings: MotpSettings = DEFAULT_MOTP_SETTINGS): Verdict<MotpState, MotpDetail> {
  validateMotpSecret(state.secret);
  validateMotpPin(state.pin);
  validateMotpOffset(state.offsetHours);
  if (state.lastSlot !== undefined && !Number.isSafeInteger(state.lastSlot)) {
    throw new InvalidInputError('lastSlot', 'must be an integer');
  }
  const drift = settings.maxDriftSeconds;
  if (!Number.isSafeInteger(drift) || drift < 0 || drift > MAX_MOTP_DRIFT_SECONDS) {
    throw new InvalidInputError('maxDriftSeconds', `must be an integer from 0 to ${MAX_MOTP_DRIFT_SECONDS}, got ${String(drift)}`);
  }
  const current = motpSlot(now, state.offsetHours);
  const span = Math.floor(drift / MOTP_LIMITS.slotSeconds);

  const code = trimAnswer(answer).toLowerCase();
  if (!/^[0-9a-f]{6}$/.test(code)) return fail('malformed');

  const floor = state.lastSlot ?? Number.NEGATIVE_INFINITY;
  let accepted: number | undefined;
  let replayed = false;
  // Every candidate is computed and compared, hit or miss, so the time does not depend on where it matched.
  for (let slot = current - span; slot <= current + span; slot++) {
    const candidate = codeAtSlot(state, slot);
    if (candidate === undefined || !stringsEqual(candidate, code)) continue;
    if (slot <= floor) replayed = true;
    else if (accepted === undefined) accepted = slot;
  }
  if (accepted === undefined) return fail(replayed ? 'replayed' : 'wrong');
  return succeed({ ...state, lastSlot: accepted }, { slot: accepted, drift: accepted - current });
}
