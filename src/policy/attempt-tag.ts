/**
 * What makes two attempts "the same" for the lock-out's repeat rule (a client re-sending the same
 * typo counts once): the answer *and* what it could match at that moment. An answer to a time- or
 * counter-based token can become valid later — one fixed six-digit guess sent every 30 s eventually
 * is the TOTP code — so the same answer in a new time step, mOTP slot, at a new HOTP counter or S/KEY
 * sequence is a new guess and counts. Only for static passwords and backup codes, whose wrong answers
 * can never become right, is the repeat free.
 */
import { tokenLabel, type TokenEntry } from '../store/index.js';
import { motpSlot } from '../tokens/motp.js';

/**
 * The moment an answer is tried against, for one token: its TOTP step (with the token's skew), mOTP
 * slot, HOTP counter or S/KEY sequence; '' for tokens whose valid answers never change.
 *
 * @param entry - a candidate token
 * @param now - Unix seconds
 */
export function attemptEpoch(entry: TokenEntry, now: number): string {
  switch (entry.kind) {
    case 'oath':
      return entry.type.stepSeconds === 0 ? `hotp:${entry.counter}` : `totp:${Math.floor(now / entry.type.stepSeconds) + entry.meta.skew}`;
    case 'motp':
      return `motp:${motpSlot(now, entry.offsetHours)}`;
    case 'skey':
      return `skey:${entry.sequence}`;
    case 'static':
    case 'backup':
      return '';
  }
}

/**
 * The text whose tag identifies an attempt: every candidate's epoch, then the answer. Never stored
 * or logged as such: only its keyed tag (src/state/secret.ts) is kept.
 *
 * @param candidates - the tokens the answer is tried against
 * @param answer - what the user typed
 * @param now - Unix seconds
 * @internal
 */
export function attemptText(candidates: readonly TokenEntry[], answer: string, now: number): string {
  const epochs = candidates.flatMap((entry) => {
    const epoch = attemptEpoch(entry, now);
    return epoch === '' ? [] : [`${tokenLabel(entry)}=${epoch}`];
  });
  return `attempt\u0000${epochs.join('\u0000')}\u0000\u0000${answer}`;
}
