/**
 * The pending S/KEY challenge of one user (pure; the caller holds the user's lock and writes the
 * result). RFC 2289 §10 (race attack): while one login is answering a challenge, a second login must
 * not get the same challenge, or an attacker watching the first could race to finish the response.
 * So a user has at most one pending challenge; it is released when its verification finishes or
 * expires after its time to live.
 *
 * @see https://www.rfc-editor.org/rfc/rfc2289#section-10
 */
import { randomBytes } from 'node:crypto';
import type { ChallengeHolder, UserState } from './record.js';
import type { Mutation } from './user-file.js';

/** The outcome of a claim. */
export type ClaimResult =
  | { readonly ok: true; readonly until: number; readonly claimId: string }
  | { readonly ok: false; readonly until: number; /** Another challenge is pending until `until`. */ readonly reason: 'pending' }
  | { readonly ok: false; readonly until: number | null; readonly reason: 'locked' };

/** A pending challenge. */
export interface PendingChallenge {
  /** Name of the S/KEY token it was issued for. */
  readonly token: string;
  /** Who may answer it. */
  readonly holder: ChallengeHolder;
  /** The challenge text shown, e.g. `otp-md5 98 ke1234`. */
  readonly challenge: string;
  /** When it expires (Unix seconds). */
  readonly until: number;
  readonly issuedAt: number;
  /** Identifies this claim, so its holder releases only its own. */
  readonly claimId: string;
}

/** Drops an expired challenge. */
export function pruneChallenge(state: UserState, now: number): boolean {
  if (state.challenge === null || now < state.challenge.until) return false;
  state.challenge = null;
  return true;
}

/** The challenge pending at `now`, or null. */
export function pendingOf(state: UserState, now: number): PendingChallenge | null {
  const c = state.challenge;
  if (c === null || now >= c.until) return null;
  return { token: c.token, holder: c.holder, challenge: c.challenge, until: c.until, issuedAt: c.issuedAt, claimId: c.claimId };
}

/** Claims the user's one pending challenge, unless another is pending. */
export function applyClaim(
  state: UserState,
  token: string,
  challenge: string,
  now: number,
  ttlSeconds: number,
  holder: ChallengeHolder,
): Mutation<ClaimResult> {
  const pruned = pruneChallenge(state, now);
  if (state.challenge !== null) return { result: { ok: false, until: state.challenge.until, reason: 'pending' }, changed: pruned };
  const claimId = randomBytes(12).toString('base64url');
  const until = now + ttlSeconds;
  state.challenge = { token, holder, challenge, claimId, issuedAt: now, until };
  return { result: { ok: true, until, claimId }, changed: true };
}

/** Releases the pending challenge (only the given claim's, when `claimId` is given). */
export function applyRelease(state: UserState, claimId: string | undefined): Mutation<boolean> {
  if (state.challenge === null) return { result: false, changed: false };
  if (claimId !== undefined && state.challenge.claimId !== claimId) return { result: false, changed: false };
  state.challenge = null;
  return { result: true, changed: true };
}
