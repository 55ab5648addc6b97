/**
 * Lock-out rules on one user's state (pure; the caller holds the user's lock and writes the result).
 *
 * As OTPme: failures are counted per user and service group; a wrong answer equal to the last one
 * counted is not counted again (a client retrying the same typo); at `maxFail` counted failures the
 * user is locked for that group, until `unlockAfterSeconds` have passed or, when that is 0, until an
 * administrator unlocks. A lock that has expired is gone: the count starts again from zero. A success
 * resets the group's count (and lock).
 */
import { tagsEqual } from './secret.js';
import { STATE_LIMITS, type FailureRecord, type UserState } from './record.js';
import type { Mutation } from './user-file.js';

/**
 * The group of an administrator's lock over every service group, including groups the configuration
 * gains later (`otpctl user lock USER`). No configured group can have this name (docs/config.md).
 */
export const EVERY_GROUP = '*';

/** Lock-out settings, as the configuration's `[lockout]` table gives them. */
export interface LockoutPolicy {
  /** Counted failures that lock the user for the group; 0 = never lock (failures are still counted). */
  readonly maxFail: number;
  /** Seconds a lock lasts; 0 = until an administrator unlocks. */
  readonly unlockAfterSeconds: number;
}

/** The outcome of {@link applyFailure}. */
export interface FailureResult {
  /** Failures counted for this user and group. */
  readonly count: number;
  /** Whether the user is now locked for this group. */
  readonly locked: boolean;
  /** When the lock ends by itself; null = until an administrator unlocks (or not locked). */
  readonly lockedUntil: number | null;
}

/** Whether a user is locked for a group. */
export interface LockStatus {
  readonly locked: boolean;
  /** When the lock ends by itself; null = until an administrator unlocks (or not locked). */
  readonly until: number | null;
}

/** One failure record, as administrators see it. */
export interface FailureInfo {
  readonly user: string;
  readonly group: string;
  readonly count: number;
  readonly firstAt: number;
  readonly lastAt: number;
  /** When the lock began; null when not locked (an expired lock still shows until the next write). */
  readonly lockedAt: number | null;
  /** When the lock ends by itself; null = never (when `lockedAt` is set) or not locked. */
  readonly lockedUntil: number | null;
}

/** Whether a record's lock is in force at `now`. */
export function lockInForce(record: FailureRecord, now: number): boolean {
  return record.lockedAt !== null && (record.lockedUntil === null || now < record.lockedUntil);
}

/** Drops failure records whose lock has expired (their count starts again). */
export function pruneExpiredLocks(state: UserState, now: number): boolean {
  const kept = state.failures.filter((f) => f.lockedAt === null || lockInForce(f, now));
  const changed = kept.length !== state.failures.length;
  state.failures = kept;
  return changed;
}

/** The lock status of a group in a state read at `now`: its own lock, or a lock of {@link EVERY_GROUP}. */
export function lockStatus(state: UserState, group: string, now: number): LockStatus {
  const locks = state.failures.filter((f) => (f.group === group || f.group === EVERY_GROUP) && lockInForce(f, now));
  if (locks.length === 0) return { locked: false, until: null };
  const untils = locks.map((f) => f.lockedUntil);
  return { locked: true, until: untils.includes(null) ? null : Math.max(...(untils as number[])) };
}

/** Keeps at most {@link STATE_LIMITS.maxFailureGroups} records: evicts unlocked ones first, oldest first. */
function bound(state: UserState, now: number): void {
  while (state.failures.length > STATE_LIMITS.maxFailureGroups) {
    const order = [...state.failures].sort((a, b) => Number(lockInForce(a, now)) - Number(lockInForce(b, now)) || a.lastAt - b.lastAt);
    const victim = order[0];
    state.failures = state.failures.filter((f) => f !== victim);
  }
}

/**
 * Counts a wrong answer.
 *
 * @param state - the user's state (mutated)
 * @param group - the service group
 * @param tag - the answer's tag
 * @param now - Unix seconds
 * @param policy - lock-out settings
 */
export function applyFailure(state: UserState, group: string, tag: string, now: number, policy: LockoutPolicy): Mutation<FailureResult> {
  let changed = pruneExpiredLocks(state, now);
  let record = state.failures.find((f) => f.group === group);
  if (record === undefined) {
    record = { group, count: 0, lastTag: null, firstAt: now, lastAt: now, lockedAt: null, lockedUntil: null };
    state.failures.push(record);
  }
  const repeated = record.lastTag !== null && tagsEqual(record.lastTag, tag);
  if (!repeated) {
    changed = true;
    record.count += 1;
    record.lastTag = tag;
    record.lastAt = Math.max(record.lastAt, now);
  }
  if (record.lockedAt === null && policy.maxFail > 0 && record.count >= policy.maxFail) {
    record.lockedAt = now;
    record.lockedUntil = policy.unlockAfterSeconds > 0 ? now + policy.unlockAfterSeconds : null;
    changed = true;
  }
  bound(state, now);
  const locked = lockInForce(record, now);
  return { result: { count: record.count, locked, lockedUntil: locked ? record.lockedUntil : null }, changed };
}

/**
 * Forgets a group's failures (after a success) or, with no group, all of them (an administrator's
 * unlock).
 *
 * @returns how many records were removed
 */
export function applyReset(state: UserState, group: string | undefined): Mutation<number> {
  const kept = state.failures.filter((f) => group !== undefined && f.group !== group);
  const removed = state.failures.length - kept.length;
  state.failures = kept;
  return { result: removed, changed: removed > 0 };
}

/** The records of a state, for administrators. */
export function failureInfos(state: UserState): FailureInfo[] {
  return state.failures.map((f) => ({
    user: state.user,
    group: f.group,
    count: f.count,
    firstAt: f.firstAt,
    lastAt: f.lastAt,
    lockedAt: f.lockedAt,
    lockedUntil: f.lockedUntil,
  }));
}

/**
 * An administrator's lock of a group: from a clean record, so the lock has no end (a lock from
 * failures would keep its expiry), then one failure at max_fail 1 with no automatic unlock, so the
 * state's own rule locks. `tag` is a fresh random tag (no answer can repeat it).
 */
export function applyAdminLock(state: UserState, group: string, tag: string, now: number): void {
  applyReset(state, group);
  applyFailure(state, group, tag, now, { maxFail: 1, unlockAfterSeconds: 0 });
}
