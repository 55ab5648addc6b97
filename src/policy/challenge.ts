/**
 * Issuing an S/KEY challenge (`otp-md5 498 bi0617 ext`) and holding it: one pending challenge per user
 * (RFC 2289 §10, the race attack), released when the next verification for that user ends or after
 * the hold expires.
 */
import { groupOfService } from '../config/index.js';
import { errorsOf, readStore, tokensOf, type SkeyEntry } from '../store/index.js';
import { candidatesFor } from './candidates.js';
import { skeyVerifyState, tokenLabel } from './check-entry.js';
import type { PolicyPorts } from './ports.js';
import { skeyChallenge, skeyExhausted } from './verify/skey.js';

/** How long a challenge is held for its answer: long enough to look up a paper list. */
export const CHALLENGE_HOLD_SECONDS = 300;

export type ChallengeOutcome =
  | { readonly issued: true; readonly challenge: string; readonly token: string; /** Releases exactly this hold. */ readonly claimId: string }
  | { readonly issued: false; readonly reason: 'no-skey-token' | 'exhausted' | 'pending' | 'locked' | 'store-error'; readonly until?: number };

/**
 * @returns the challenge of the user's first S/KEY token that serves the service, now held for them
 */
export async function issueChallenge(user: string, service: string, ports: PolicyPorts): Promise<ChallengeOutcome> {
  const group = groupOfService(ports.config, service);
  // A locked user gets no challenge: holding one would only block the user's next attempt.
  const lock = await ports.state.isLocked(user, group, ports.now());
  if (lock.locked) {
    ports.audit({ code: 'AUTH_USER_LOCKED', user, service, reason: 'locked: no challenge issued' });
    return { issued: false, reason: 'locked', ...(lock.until === null ? {} : { until: lock.until }) };
  }
  const store = await readStore(ports.config.store, { users: [user] });
  if (errorsOf(store, user).length > 0) return { issued: false, reason: 'store-error' };
  const entry = candidatesFor(tokensOf(store, user), group).find((e): e is SkeyEntry => e.kind === 'skey');
  if (entry === undefined) return { issued: false, reason: 'no-skey-token' };
  const state = skeyVerifyState(entry);
  if (skeyExhausted(state)) return { issued: false, reason: 'exhausted' };
  const challenge = skeyChallenge(state);
  const token = tokenLabel(entry);
  const claim = await ports.state.claimChallenge(user, token, challenge, ports.now(), CHALLENGE_HOLD_SECONDS);
  const audit = { user, service, token };
  if (!claim.ok) {
    ports.audit({ ...audit, code: 'AUTH_SKEY_PENDING', reason: 'another challenge is pending' });
    return { issued: false, reason: 'pending', until: claim.until };
  }
  ports.audit({ ...audit, code: 'AUTH_SKEY_CHALLENGE', reason: 'challenge issued' });
  return { issued: true, challenge, token, claimId: claim.claimId };
}
