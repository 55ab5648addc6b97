/**
 * Password (or PIN) + one-time password in one answer, as pam_oath's password field allows: the user
 * types the static password immediately followed by the OTP, and the verifier splits it.
 *
 * The rule, per token kind:
 * - **OATH (HOTP/TOTP)**: the OTP is the last `digits` characters, the password is everything before
 *   them (pam_oath with `digits=`). An answer of exactly `digits` characters has an empty password.
 * - **Mobile-OTP**: the same with 6 characters.
 * - **S/KEY**: the response is recognised at the end of the answer, in this order: an RFC 2243 extended
 *   response (from the first `hex:`, `word:`, `init-hex:` or `init-word:` whose rest parses), six
 *   dictionary words, four groups of four hex digits, 16 hex digits. The password is everything before
 *   the response, minus the blanks that separate them (so an S/KEY password cannot end in a blank).
 *   Words and grouped hex need a blank before them; extended and compact hex forms do not.
 *
 * The split never validates the password; the OTP part is checked by the token's verifier.
 */
import { parseSkeyResponse } from '../../tokens/skey/response.js';
import { MOTP_LIMITS } from '../../tokens/motp.js';

/** An answer split into its two parts. */
export interface SplitAnswer {
  /** The static password or PIN part; empty when the answer is only the OTP. */
  readonly password: string;
  /** The one-time password part. */
  readonly otp: string;
}

function splitAt(answer: string, at: number): SplitAnswer {
  return { password: answer.slice(0, at), otp: answer.slice(at) };
}

/**
 * Splits an answer for an OATH token: the OTP is the last `digits` characters.
 *
 * @param answer - what the user typed
 * @param digits - the token's code length (6 to 8)
 * @returns the two parts, or `undefined` when the answer is shorter than `digits`
 * @example
 * splitOathAnswer('hunter2755224', 6); // { password: 'hunter2', otp: '755224' }
 */
export function splitOathAnswer(answer: string, digits: number): SplitAnswer | undefined {
  if (answer.length < digits) return undefined;
  return splitAt(answer, answer.length - digits);
}

/**
 * Splits an answer for a Mobile-OTP token: the code is the last 6 characters.
 *
 * @example
 * splitMotpAnswer('pw660af9'); // { password: 'pw', otp: '660af9' }
 */
export function splitMotpAnswer(answer: string): SplitAnswer | undefined {
  return splitOathAnswer(answer, MOTP_LIMITS.codeChars);
}

function parses(text: string): boolean {
  try {
    parseSkeyResponse(text);
    return true;
  } catch {
    return false;
  }
}

function withPassword(answer: string, at: number): SplitAnswer {
  return { password: answer.slice(0, at).replace(/[ \t]+$/, ''), otp: answer.slice(at) };
}

/**
 * Splits an answer for an S/KEY token (see the module notes for the rule).
 *
 * @param answer - what the user typed; trailing blanks are ignored
 * @returns the two parts, or `undefined` when no response form ends the answer
 * @see https://www.rfc-editor.org/rfc/rfc2243#section-3
 * @example
 * splitSkeyAnswer('hunter2 INCH SEA ANNE LONG AHEM TOUR'); // { password: 'hunter2', otp: 'INCH SEA ANNE LONG AHEM TOUR' }
 */
export function splitSkeyAnswer(answer: string): SplitAnswer | undefined {
  const text = answer.replace(/[ \t\r\n]+$/, '');

  const typed = /(?:init-hex|init-word|hex|word)\s*:/gi;
  for (let match = typed.exec(text); match !== null; match = typed.exec(text)) {
    if (parses(text.slice(match.index))) return withPassword(text, match.index);
  }

  const words = /(?:^|[ \t])((?:[A-Za-z]{1,4}[ \t]+){5}[A-Za-z]{1,4})$/.exec(text);
  if (words?.[1] !== undefined) {
    const at = text.length - words[1].length;
    if (parses(text.slice(at))) return withPassword(text, at);
  }

  const grouped = /(?:^|[ \t])((?:[0-9A-Fa-f]{4}[ \t]+){3}[0-9A-Fa-f]{4})$/.exec(text);
  if (grouped?.[1] !== undefined) return withPassword(text, text.length - grouped[1].length);

  if (/[0-9A-Fa-f]{16}$/.test(text)) return withPassword(text, text.length - 16);
  return undefined;
}
