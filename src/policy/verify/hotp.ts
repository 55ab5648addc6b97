/**
 * HOTP verification with pam_oath's semantics (liboath `usersfile.c`, `oath_authenticate_usersfile`):
 *
 * - COUNTER is the **first counter tried**. liboath searches `COUNTER ..= COUNTER + window` and, on a
 *   match at position i, writes `COUNTER + i` — the counter of the accepted code itself, not the one
 *   after it. So after a success COUNTER is the last used counter; on a fresh line (no LASTOTP) it is
 *   the first valid one.
 * - LASTOTP is the accepted code as typed. A code equal to it is refused as replayed before anything
 *   else; that is what stops the code at COUNTER from being accepted twice.
 * - TIMESTAMP is the time of the last success (the store formats it as local time).
 *
 * otpd writes exactly these values, so pam_oath keeps working on the same line, and reads lines pam_oath
 * wrote with the same rules. The counter never goes backwards: the new one is ≥ the stored one.
 *
 * @see https://www.rfc-editor.org/rfc/rfc4226#section-7.4
 */
import type { HmacAlgorithm } from '../../tokens/algorithms.js';
import { HOTP_LIMITS, validateCounter, validateDigits, validateHmacAlgorithm, validateHmacKey } from '../../tokens/hotp.js';
import { type VerifyContext, stampSeconds } from './context.js';
import { searchHotp } from '../../otp-backend/search.js';
import { stringsEqual } from './compare.js';
import { type Verdict, fail, succeed } from './verdict.js';
import { trimAnswer, validateWindow } from './window.js';

/** One HOTP token's state, field for field a users.oath `HOTP[/E[/n]]` line's moving parts. */
export interface HotpState {
  /** The HMAC key (users.oath: hex, at most 32 bytes for pam_oath). */
  readonly key: Uint8Array;
  /** `sha1` for every users.oath line; other hashes for otpd's own tokens. */
  readonly algorithm: HmacAlgorithm;
  /** 6, 7 or 8. */
  readonly digits: number;
  /** pam_oath's COUNTER: the first counter tried; after a success, the counter of the accepted code. */
  readonly counter: number;
  /** pam_oath's LASTOTP: the last accepted code as typed; absent on a fresh line. */
  readonly lastOtp?: string | undefined;
  /** pam_oath's TIMESTAMP as Unix seconds (the store converts from/to local time); absent on a fresh line. */
  readonly lastUsed?: number | undefined;
}

/** HOTP settings. */
export interface HotpSettings {
  /** Counters tried after COUNTER (pam_oath `window=`, default 5): the search is COUNTER ..= COUNTER + lookAhead. */
  readonly lookAhead: number;
  /**
   * On a miss, how many counters below COUNTER are tried only to report `replayed` instead of `wrong`
   * (never to accept). 0 turns it off.
   */
  readonly replayLookBehind: number;
}

/** pam_oath's window of 5; a look-behind of 10 for the audit's AUTH_OTP_ALREADY_USED. Frozen. */
export const DEFAULT_HOTP_SETTINGS: Readonly<HotpSettings> = Object.freeze({ lookAhead: 5, replayLookBehind: 10 });

/** Facts about an accepted HOTP code. */
export interface HotpDetail {
  /** The counter whose code matched. */
  readonly counter: number;
  /** How far ahead of the stored COUNTER it was (0 ..= lookAhead). */
  readonly drift: number;
}

/**
 * Checks an OATH state's common fields and returns nothing; throws on a state no store should produce.
 * @internal
 */
export function validateOathState(state: { key: Uint8Array; algorithm: unknown; digits: number }): void {
  validateHmacKey(state.key);
  validateHmacAlgorithm(state.algorithm);
  validateDigits(state.digits);
}

/**
 * The answer as an OATH code: exactly `digits` decimal digits after trimming surrounding blanks.
 * @internal
 */
export function parseOathCode(answer: string, digits: number): string | undefined {
  const code = trimAnswer(answer);
  return code.length === digits && /^[0-9]+$/.test(code) ? code : undefined;
}

/**
 * Verifies an HOTP code against one token.
 *
 * Order of checks, as pam_oath: shape (`malformed`), equal to LASTOTP (`replayed`), search from COUNTER
 * through COUNTER + lookAhead (`ok`), else a short look-behind only to tell `replayed` from `wrong`.
 *
 * @param state - the token's state; never modified
 * @param answer - the OTP part of what the user typed (see `splitOathAnswer` for password + OTP)
 * @param context - backend and time
 * @param settings - look-ahead and look-behind; {@link DEFAULT_HOTP_SETTINGS} by default
 * @returns a verdict; on success `state` has COUNTER = the matched counter, LASTOTP = the code,
 *   TIMESTAMP = now (whole seconds), exactly what pam_oath would write
 * @throws InvalidInputError when the state itself is invalid (a store bug, not a user error)
 * @see https://www.rfc-editor.org/rfc/rfc4226#section-7.4
 * @example
 * const v = await verifyHotp({ key, algorithm: 'sha1', digits: 6, counter: 0 }, '755224', { backend, now });
 * v.ok && v.state.counter; // 0: what the caller persists (check-entry.ts → updateStore), lastOtp '755224'
 */
export async function verifyHotp(
  state: HotpState,
  answer: string,
  context: VerifyContext,
  settings: HotpSettings = DEFAULT_HOTP_SETTINGS,
): Promise<Verdict<HotpState, HotpDetail>> {
  validateOathState(state);
  validateCounter(state.counter);
  const lookAhead = validateWindow(settings.lookAhead, 'lookAhead');
  const lookBehind = validateWindow(settings.replayLookBehind, 'replayLookBehind');
  const stamp = stampSeconds(context.now);

  const code = parseOathCode(answer, state.digits);
  if (code === undefined) return fail('malformed');
  if (state.lastOtp !== undefined && stringsEqual(code, state.lastOtp)) return fail('replayed');

  const request = { key: state.key, algorithm: state.algorithm, digits: state.digits, code: Number(code) };
  const window = Math.min(lookAhead, HOTP_LIMITS.maxCounter - state.counter);
  const found = await searchHotp(context.backend, { ...request, counter: state.counter, window });
  if (found === null || found < state.counter) {
    if (lookBehind > 0 && state.counter > 0) {
      const from = Math.max(0, state.counter - lookBehind);
      const old = await searchHotp(context.backend, { ...request, counter: from, window: state.counter - 1 - from });
      if (old !== null) return fail('replayed');
    }
    return fail('wrong');
  }
  const next: HotpState = { ...state, counter: found, lastOtp: code, lastUsed: stamp };
  return succeed(next, { counter: found, drift: found - state.counter });
}
