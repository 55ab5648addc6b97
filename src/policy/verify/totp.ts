/**
 * TOTP verification, compatible with pam_oath's `HOTP/T30` and `HOTP/T60` lines (liboath
 * `usersfile.c` with `oath_totp_validate2`):
 *
 * - pam_oath searches the steps now, now+1, now−1, … now±window and, on a match at distance i, writes
 *   COUNTER + i: for time-based lines COUNTER is only a running sum of drifts, not a step number. otpd
 *   writes the same sum so the line stays what pam_oath would have written, and never relies on it.
 * - LASTOTP is the last accepted code. pam_oath refuses a code equal to it, and refuses a code whose step
 *   is at or before the step where LASTOTP is found in the current window.
 * - otpd keeps the same two rules and adds its own `lastStep` (kept on the token's `#OTPD/META` line
 *   when it has one, docs/store.md): the refusal floor is the higher of `lastStep` and the step derived from
 *   LASTOTP, so lines written by pam_oath, by otpd, or alternately by both, are all protected.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6238#section-5.2
 */
import { HOTP_LIMITS, validateCounter } from '../../tokens/hotp.js';
import { totpCounter } from '../../tokens/totp.js';
import type { HotpSearchRequest, OtpBackend } from '../../otp-backend/backend.js';
import { searchHotp } from '../../otp-backend/search.js';
import { type VerifyContext, stampSeconds } from './context.js';
import { InvalidInputError } from '../../errors.js';
import { stringsEqual } from './compare.js';
import { parseOathCode, validateOathState, type HotpState } from './hotp.js';
import { type Verdict, fail, succeed } from './verdict.js';
import { validateWindow } from './window.js';

/**
 * One TOTP token's state: an HOTP token's ({@link HotpState}: key, algorithm, digits, COUNTER, LASTOTP,
 * TIMESTAMP — here COUNTER is the running sum of accepted drifts, see the module notes) and its clock.
 */
export interface TotpState extends HotpState {
  /** Time step X in seconds (`HOTP/T30` → 30, `HOTP/T60` → 60). */
  readonly step: number;
  /** T0, Unix seconds; 0 for users.oath lines (pam_oath has no other). */
  readonly t0: number;
  /** otpd's own record of the last accepted time step; absent when unknown (for example, a pam_oath line). */
  readonly lastStep?: number | undefined;
}

/** TOTP settings. */
export interface TotpSettings {
  /** Steps accepted on each side of the current one (pam_oath uses its `window=` both ways). */
  readonly window: number;
}

/** ±1 step, RFC 6238 §5.2's recommendation. Frozen. */
export const DEFAULT_TOTP_SETTINGS: Readonly<TotpSettings> = Object.freeze({ window: 1 });

/** Facts about an accepted TOTP code. */
export interface TotpDetail {
  /** The time step whose code matched. */
  readonly step: number;
  /** Matched step minus the current step (−window ..= +window). */
  readonly drift: number;
}

/** Every step in `from ..= to` whose code is `code`, lowest first, via the backend. */
async function matchingSteps(backend: OtpBackend, request: Omit<HotpSearchRequest, 'counter' | 'window'>, from: number, to: number): Promise<number[]> {
  const steps: number[] = [];
  let start = from;
  while (start <= to) {
    const found = await searchHotp(backend, { ...request, counter: start, window: to - start });
    if (found === null) break;
    steps.push(found);
    start = found + 1;
  }
  return steps;
}

/**
 * The step at which pam_oath would find LASTOTP in the window `from ..= to` (the highest, to be safe
 * against a code that repeats inside the window); liboath validates LASTOTP with its own length as the
 * number of digits, so a 6-digit LASTOTP on an 8-digit line is searched with 6 digits, as pam_oath does.
 */
async function lastOtpStep(backend: OtpBackend, state: TotpState, from: number, to: number): Promise<number | undefined> {
  const last = state.lastOtp;
  if (last === undefined || !/^[0-9]{6,8}$/.test(last)) return undefined;
  const steps = await matchingSteps(backend, { key: state.key, algorithm: state.algorithm, digits: last.length, code: Number(last) }, from, to);
  return steps.length > 0 ? steps[steps.length - 1] : undefined;
}

/**
 * Verifies a TOTP code against one token.
 *
 * Refuses (`replayed`) a code equal to LASTOTP and any code whose step is at or before the last accepted
 * step (the higher of `lastStep` and LASTOTP's step in the current window); accepts the lowest step after
 * that floor within now ± window.
 *
 * @param state - the token's state; never modified
 * @param answer - the OTP part of the answer
 * @param context - backend and time
 * @param settings - the ± window; {@link DEFAULT_TOTP_SETTINGS} by default
 * @returns a verdict; on success `state` has LASTOTP = the code, TIMESTAMP = now, COUNTER = COUNTER +
 *   |drift| (as liboath writes it) and `lastStep` = the matched step
 * @throws InvalidInputError for an invalid state or a time before T0
 * @see https://www.rfc-editor.org/rfc/rfc6238#section-5.2
 * @example
 * const v = await verifyTotp({ key, algorithm: 'sha1', digits: 6, step: 30, t0: 0, counter: 0 }, code, { backend, now });
 */
export async function verifyTotp(
  state: TotpState,
  answer: string,
  context: VerifyContext,
  settings: TotpSettings = DEFAULT_TOTP_SETTINGS,
): Promise<Verdict<TotpState, TotpDetail>> {
  validateOathState(state);
  validateCounter(state.counter);
  if (state.lastStep !== undefined) validateCounter(state.lastStep, 'lastStep');
  const window = validateWindow(settings.window, 'window');
  const stamp = stampSeconds(context.now);
  const now = totpCounter(context.now, state.step, state.t0);
  const lo = Math.max(0, now - window);
  const hi = now + window;
  if (hi > HOTP_LIMITS.maxCounter) throw new InvalidInputError('time', 'is too far in the future for an exact counter');

  const code = parseOathCode(answer, state.digits);
  if (code === undefined) return fail('malformed');
  if (state.lastOtp !== undefined && stringsEqual(code, state.lastOtp)) return fail('replayed');

  const derived = await lastOtpStep(context.backend, state, lo, hi);
  const floor = Math.max(state.lastStep ?? -1, derived ?? -1);
  const request = { key: state.key, algorithm: state.algorithm, digits: state.digits, code: Number(code) };

  const from = Math.max(lo, floor + 1);
  const found = from <= hi ? await searchHotp(context.backend, { ...request, counter: from, window: hi - from }) : null;
  if (found === null) {
    if (floor >= lo) {
      const old = await searchHotp(context.backend, { ...request, counter: lo, window: Math.min(floor, hi) - lo });
      if (old !== null) return fail('replayed');
    }
    return fail('wrong');
  }
  const drift = found - now;
  const counter = Math.min(HOTP_LIMITS.maxCounter, state.counter + Math.abs(drift));
  const next: TotpState = { ...state, counter, lastOtp: code, lastUsed: stamp, lastStep: found };
  return succeed(next, { step: found, drift });
}
