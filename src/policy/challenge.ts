/**
 * Issuing an S/KEY challenge (`otp-md5 498 bi0617 ext`) and holding it: one pending challenge per user
 * (RFC 2289 §10, the race attack), released when the verification of its holder ends, when the
 * holder's connection ends, or after the hold expires; only its holder may answer it.
 */
import { accessOf } from './service-group.js';
import { tokenLabel, type SkeyEntry } from '../store/index.js';
import { candidatesFor } from './candidates.js';
import { skeyVerifyState } from './check-entry.js';
import type { PolicyPorts } from './ports.js';
import { LONGEST_CONVERSATION_SECONDS } from '../bounds.js';
import type { ChallengeHolder } from '../state/index.js';
import { skeyChallenge, skeyExhausted } from './verify/skey.js';

/**
 * How long a challenge is held for its answer: a little longer than the longest conversation
 * (180 s), so a second login can never be shown the same challenge while the first is still at its
 * prompt; short enough that a hold nobody answers (a daemon that died) keeps the user's S/KEY logins
 * waiting only briefly. A daemon conversation's hold ends with its connection.
 */
export const CHALLENGE_HOLD_SECONDS = LONGEST_CONVERSATION_SECONDS + 10;

export type ChallengeOutcome =
  | { readonly issued: true; readonly challenge: string; readonly token: string; /** Releases exactly this hold. */ readonly claimId: string }
  | { readonly issued: false; readonly reason: 'no-skey-token' | 'exhausted' | 'pending' | 'locked' | 'store-error'; readonly until?: number };

/**
 * @returns the challenge of the user's first S/KEY token that serves the service, now held for them
 */
export async function issueChallenge(user: string, service: string, ports: PolicyPorts, holder: ChallengeHolder = 'otpd'): Promise<ChallengeOutcome> {
  const { client, group: access } = accessOf(ports.config, service);
  // A disabled client's login is refused by the decision; it must not hold the user's challenge meanwhile.
  if (!client.enabled) return { issued: false, reason: 'no-skey-token' };
  const group = access.name;
  const where = { client: client.name, accessGroup: group };
  // Most logins have no S/KEY token: they are answered from one read, without the user's lock.
  const first = await ports.store.readTokens(user);
  if (first.problems.length > 0) return { issued: false, reason: 'store-error' };
  if (!candidatesFor(first.entries, access).some((e) => e.kind === 'skey')) {
    // A locked user is told so before the prompt (a lock-free read: the decision checks again under the lock).
    const lock = await ports.state.isLocked(user, group, ports.now());
    if (!lock.locked) return { issued: false, reason: 'no-skey-token' };
    ports.audit({ code: 'AUTH_USER_LOCKED', user, service, reason: 'locked: no prompt', ...where });
    return { issued: false, reason: 'locked', ...(lock.until === null ? {} : { until: lock.until }) };
  }
  // Under the user's lock from the lock-out check to the claim, with the store read inside it: a
  // challenge asked for while an answer is being decided waits for that decision, then shows the
  // sequence it left (never the one just used).
  return ports.state.login(user, ports.now, async (tx): Promise<ChallengeOutcome> => {
    const lock = tx.lockStatus(group);
    if (lock.locked) {
      // A locked user gets no challenge: holding one would only block the user's next attempt.
      ports.audit({ code: 'AUTH_USER_LOCKED', user, service, reason: 'locked: no challenge issued', ...where });
      return { issued: false, reason: 'locked', ...(lock.until === null ? {} : { until: lock.until }) };
    }
    const now = await ports.store.readTokens(user);
    if (now.problems.length > 0) return { issued: false, reason: 'store-error' };
    const entry = candidatesFor(now.entries, access).find((e): e is SkeyEntry => e.kind === 'skey');
    if (entry === undefined) return { issued: false, reason: 'no-skey-token' };
    const state = skeyVerifyState(entry);
    if (skeyExhausted(state)) return { issued: false, reason: 'exhausted' };
    const challenge = skeyChallenge(state);
    const token = tokenLabel(entry);
    const claim = tx.claim(token, challenge, CHALLENGE_HOLD_SECONDS, holder);
    const audit = { user, service, token, ...where };
    if (!claim.ok) {
      ports.audit({ ...audit, code: 'AUTH_SKEY_PENDING', reason: 'another challenge is pending' });
      return { issued: false, reason: 'pending', ...(claim.until === null ? {} : { until: claim.until }) };
    }
    ports.audit({ ...audit, code: 'AUTH_SKEY_CHALLENGE', reason: 'challenge issued' });
    return { issued: true, challenge, token, claimId: claim.claimId };
  });
}
