/**
 * One login's view of one user's state, inside the user's lock (src/state/user-file.ts `transact`):
 * the state is read once, the lock-out is checked, the attempt is counted — and that count staged
 * on disk — *before* any answer is verified, and the one write at the end is either the counted failure
 * or the success (failures forgotten, a session opened, the S/KEY claim ended). See docs/state.md,
 * "One decision per user".
 *
 * Pure apart from the staging write; the caller (state-dir.ts) commits what {@link LoginTransactionImpl.end}
 * returns.
 */
import { applyFailure, applyReset, lockStatus, pruneExpiredLocks, type FailureResult, type LockStatus, type LockoutPolicy } from './lockout.js';
import { applyClaim, applyRelease, pendingOf, pruneChallenge, type ClaimResult, type PendingChallenge } from './challenge.js';
import { applyCreateSession, applyFindSession, pruneSessions, type Session, type SessionLimits, type SessionPolicy } from './sessions.js';
import { cloneUserState, type ChallengeHolder, type UserState } from './record.js';
import type { LockedUserFile, TransactionEnd } from './user-file.js';

/** What a login may do with the user's state while it holds the user's lock. */
export interface LoginTransaction {
  /** The decision's time (Unix seconds), read once the user's lock was held. */
  readonly now: number;
  /** The user's pending S/KEY challenge as read (null: none). */
  readonly pendingChallenge: PendingChallenge | null;
  /** Whether the user is locked for the group (its own lock or an administrator's lock of every group). */
  lockStatus(group: string): LockStatus;
  /**
   * Ends the pending challenge with this decision, whatever its outcome, when `claimId` is the
   * pending one's. Call before {@link countAttempt}. @returns whether the claim was the pending one
   */
  endClaim(claimId: string): boolean;
  /**
   * Counts this attempt as a failure and stages that version on disk (committed should the answer be
   * refused or anything fail) — before anything is verified. Once per login.
   *
   * @param repeatTag - the tag of (answer, what it can match now): a repeat of the last counted failure's
   *   tag is not counted again
   * @throws StateError when it cannot be written: nothing may then be verified
   */
  countAttempt(group: string, repeatTag: string, policy: LockoutPolicy): Promise<FailureResult>;
  /**
   * Holds `challenge` as the user's one pending S/KEY challenge, unless one is pending already (the
   * issuing side of RFC 2289 §10; a login that claims counts no attempt). Before any count.
   */
  claim(token: string, challenge: string, ttlSeconds: number, holder: ChallengeHolder): ClaimResult;
  /** After {@link countAttempt}: a live session for the answer, with this login counted on it, or null. */
  findSession(group: string, answerTag: string, rhost: string | null, policy: SessionPolicy): Session | null;
  /** After {@link countAttempt}: the answer was accepted; forgets the group's failures, opens a session when asked. */
  succeed(group: string, session?: NewSession): Session | undefined;
}

/** The session a successful login opens. */
export interface NewSession {
  readonly answerTag: string;
  readonly rhost: string | null;
  readonly token: string;
  readonly limits?: SessionLimits | undefined;
}

/** @internal state-dir.ts runs it inside `UserFiles.transact`. */
export class LoginTransactionImpl implements LoginTransaction {
  readonly pendingChallenge: PendingChallenge | null;
  /** The state should the login succeed (or end before any count). */
  readonly #work: UserState;
  /** The state staged as the failure, once counted. */
  #failed: UserState | undefined;
  #outcome: 'open' | 'counted' | 'succeeded' = 'open';

  constructor(
    private readonly file: LockedUserFile,
    readonly now: number,
  ) {
    this.#work = cloneUserState(file.state);
    pruneExpiredLocks(this.#work, now);
    pruneSessions(this.#work, now);
    pruneChallenge(this.#work, now);
    this.pendingChallenge = pendingOf(this.#work, now);
  }

  lockStatus(group: string): LockStatus {
    return lockStatus(this.#work, group, this.now);
  }

  claim(token: string, challenge: string, ttlSeconds: number, holder: ChallengeHolder): ClaimResult {
    if (this.#outcome !== 'open') throw new Error('a challenge is claimed before any count');
    return applyClaim(this.#work, token, challenge, this.now, ttlSeconds, holder).result;
  }

  endClaim(claimId: string): boolean {
    if (this.#outcome !== 'open') throw new Error('endClaim comes before countAttempt');
    return applyRelease(this.#work, claimId).result;
  }

  async countAttempt(group: string, repeatTag: string, policy: LockoutPolicy): Promise<FailureResult> {
    if (this.#outcome !== 'open') throw new Error('a login counts its attempt once');
    const failed = cloneUserState(this.#work);
    const { result } = applyFailure(failed, group, repeatTag, this.now, policy);
    await this.file.stage(failed);
    this.#failed = failed;
    this.#outcome = 'counted';
    return result;
  }

  findSession(group: string, answerTag: string, rhost: string | null, policy: SessionPolicy): Session | null {
    if (this.#outcome !== 'counted') throw new Error('a session is looked up after the attempt is counted');
    return applyFindSession(this.#work, group, answerTag, rhost, this.now, policy).result;
  }

  succeed(group: string, session?: NewSession): Session | undefined {
    if (this.#outcome !== 'counted') throw new Error('a login succeeds after its attempt is counted');
    this.#outcome = 'succeeded';
    applyReset(this.#work, group);
    if (session === undefined) return undefined;
    return applyCreateSession(this.#work, group, session.answerTag, session.rhost, session.token, this.now, session.limits).result;
  }

  /** What the transaction writes: the success, the counted failure, or (no count) what pruning and the claim changed. */
  end<T>(result: T): TransactionEnd<T> {
    return { result, write: this.#outcome === 'counted' ? this.#failed : this.#work };
  }
}
