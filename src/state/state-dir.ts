/**
 * otpd's state directory: lock-out counters, sessions and pending S/KEY challenges, one JSON file per
 * user, each updated atomically and durably under that user's lock. See docs/state.md.
 */
import { InvalidInputError } from '../errors.js';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { LOCK_DEFAULTS, type LockOptions } from '../durable/lock.js';
import { DEFAULT_STATE_DIR, prepareStateDir } from './directory.js';
import { StateError } from './errors.js';
import { LoginTransactionImpl, type LoginTransaction } from './login.js';
import { cloneUserState, type ChallengeHolder } from './record.js';
import {
  applyAdminLock,
  applyFailure,
  applyReset,
  EVERY_GROUP,
  failureInfos,
  lockStatus,
  pruneExpiredLocks,
  type FailureInfo,
  type FailureResult,
  type LockStatus,
  type LockoutPolicy,
} from './lockout.js';
import { checkField } from './names.js';
import type { UserState } from './record.js';
import { isTag, loadOrCreateSecret, makeAnswerTagger } from './secret.js';
import {
  applyCreateSession,
  applyDeleteSession,
  applyFindSession,
  pruneSessions,
  sessionViews,
  type Session,
  type SessionLimits,
  type SessionPolicy,
} from './sessions.js';
import { applyClaim, applyRelease, pendingOf, pruneChallenge, type ClaimResult, type PendingChallenge } from './challenge.js';
import { STATE_LOCK_FILE, StateLocks } from './state-lock.js';
import { UserFiles } from './user-file.js';
import { checkCount, checkFlag, checkTime } from './validate.js';

/** Options of {@link openStateDir}. */
export interface OpenStateDirOptions {
  /** Lock timing: the wait for a user's lock and the secret's (10 s); the secret's stale grace. */
  readonly lock?: LockOptions;
}

/** Options of the listing methods. */
export interface ListOptions {
  /**
   * Called for a user's file that cannot be read (corrupt, insecure); the listing then goes on with the
   * other users. Without it, such a file makes the listing throw.
   */
  readonly onError?: (error: StateError) => void;
}

/** An open state directory. Every method validates its arguments (InvalidInputError, TypeError). */
export interface StateDir {
  /** The state directory's absolute path. */
  readonly path: string;

  /**
   * The tag of an answer: HMAC-SHA256 under the installation's secret, 64 hex digits. The state only
   * ever stores tags, never answers.
   */
  answerTag(answer: string): string;

  /** Counts a wrong answer for (user, group); the same wrong answer as the last one counts once. */
  recordFailure(user: string, group: string, answerTag: string, now: number, policy: LockoutPolicy): Promise<FailureResult>;
  /** Whether the user is locked for the group at `now` (an expired lock is not). Reads without locking. */
  isLocked(user: string, group: string, now: number): Promise<LockStatus>;
  /** Forgets the group's failures after a success. Writes nothing when there are none. */
  resetFailures(user: string, group: string): Promise<void>;
  /** Administrator: forgets the failures and locks of one group, or of every group. @returns records removed */
  unlock(user: string, group?: string): Promise<number>;
  /**
   * Administrator: locks the user for `group` (or {@link EVERY_GROUP}) until an administrator unlocks,
   * whatever failures it had, in one update (no moment in which the user is unlocked).
   */
  adminLock(user: string, group: string, now: number): Promise<void>;
  /**
   * Administrator: unlocks one group in one update. When the user is locked for every group, each of
   * `groups` but `group` is first locked on its own and the every-group lock lifted (so only `group`
   * opens).
   * @returns the group's records cleared, and the groups left locked in its place
   */
  adminUnlockGroup(user: string, group: string, groups: readonly string[], now: number): Promise<{ cleared: number; stillLocked: string[] }>;
  /** Administrator: the failure records of a user, or of every user. */
  listFailures(user?: string, options?: ListOptions): Promise<FailureInfo[]>;

  /** Finds a live session for the answer and counts this login on it (atomically), or returns null. */
  findSession(user: string, group: string, answerTag: string, rhost: string | null, now: number, policy: SessionPolicy): Promise<Session | null>;
  /** Opens a session after an accepted login; `limits` (the group's) let later writes prune it. */
  createSession(user: string, group: string, answerTag: string, rhost: string | null, token: string, now: number, limits?: SessionLimits): Promise<Session>;
  /** Administrator: the sessions of a user, or of every user. */
  listSessions(user?: string, options?: ListOptions): Promise<Session[]>;
  /** Administrator: ends a session. @returns whether it existed */
  deleteSession(id: string): Promise<boolean>;

  /**
   * Claims the user's one pending S/KEY challenge; refused while another is pending or while the user
   * is locked for `group` (holding a challenge would only block the user's next attempt). One locked
   * read and write.
   */
  claimChallenge(
    user: string,
    group: string,
    token: string,
    challenge: string,
    now: number,
    ttlSeconds: number,
    holder?: ChallengeHolder,
  ): Promise<ClaimResult>;

  /**
   * One login's decision for a user: `body` runs with the user's lock held from the one read of the
   * state to its one write ({@link LoginTransaction}), so parallel logins of a user are decided one
   * after another and each is counted before it is verified.
   *
   * @throws StateError when the lock, the read, the count or the final write fails (the login must then
   *   be refused); the body's own errors pass unchanged, after a counted attempt was committed
   */
  login<T>(user: string, clock: () => number, body: (tx: LoginTransaction) => Promise<T>): Promise<T>;

  /**
   * Counts an attempt for a user name the store does not know, with the same lock, staged write and
   * durable commit as a known user's refused answer (one shared counter, `unknown-users.json`), so
   * the two take the same time and no file is made per unknown name.
   */
  unknownUserAttempt(now: number, answer: string): Promise<void>;
  /** The challenge pending at `now`, or null. Reads without locking. */
  pendingChallenge(user: string, now: number): Promise<PendingChallenge | null>;
  /** Releases the pending challenge after its verification (only that claim's, when `claimId` is given). */
  releaseChallenge(user: string, claimId?: string): Promise<boolean>;
}

/** A tag no answer can have: an administrator's lock is never "the same wrong answer again". */
function randomTag(): string {
  return randomBytes(32).toString('hex');
}

function checkTag(value: string): string {
  if (!isTag(value)) throw new InvalidInputError('answer tag', 'must be a tag made by answerTag() (64 lower-case hex digits)');
  return value;
}

function checkRhost(rhost: string | null): string | null {
  if (rhost === null || rhost === '') return null;
  checkField('rhost', rhost);
  return rhost;
}

function checkLockoutPolicy(policy: LockoutPolicy): LockoutPolicy {
  return { maxFail: checkCount('maxFail', policy.maxFail), unlockAfterSeconds: checkCount('unlockAfterSeconds', policy.unlockAfterSeconds) };
}

function checkLimits(limits: SessionLimits): SessionLimits {
  return {
    timeoutSeconds: checkCount('timeoutSeconds', limits.timeoutSeconds),
    unusedTimeoutSeconds: checkCount('unusedTimeoutSeconds', limits.unusedTimeoutSeconds),
  };
}

function checkSessionPolicy(policy: SessionPolicy): SessionPolicy {
  return { ...checkLimits(policy), maxLogins: checkCount('maxLogins', policy.maxLogins), matchRhost: checkFlag('matchRhost', policy.matchRhost) };
}

/** Drops whatever has expired at `now` (run by every write that knows the time). */
function pruneAll(state: UserState, now: number): boolean {
  const a = pruneExpiredLocks(state, now);
  const b = pruneSessions(state, now);
  const c = pruneChallenge(state, now);
  return a || b || c;
}

class StateDirImpl implements StateDir {
  readonly answerTag: (answer: string) => string;

  constructor(
    readonly path: string,
    private readonly files: UserFiles,
    /** The shared counter of unknown user names, in the state directory itself (not users/). */
    private readonly decoy: UserFiles,
    secret: Buffer,
  ) {
    this.answerTag = makeAnswerTagger(secret);
  }

  async #states(user: string | undefined, options: ListOptions): Promise<UserState[]> {
    if (user !== undefined) return [await this.files.read(user)];
    const out: UserState[] = [];
    for (const file of await this.files.list()) {
      try {
        const state = await this.files.readListed(file);
        if (state !== undefined) out.push(state);
      } catch (err) {
        if (!(err instanceof StateError) || options.onError === undefined) throw err;
        options.onError(err);
      }
    }
    return out;
  }

  async recordFailure(user: string, group: string, answerTag: string, now: number, policy: LockoutPolicy): Promise<FailureResult> {
    checkField('group', group);
    checkTag(answerTag);
    checkTime('now', now);
    const p = checkLockoutPolicy(policy);
    return this.files.update(user, (state) => {
      const pruned = pruneAll(state, now);
      const m = applyFailure(state, group, answerTag, now, p);
      return { result: m.result, changed: m.changed || pruned };
    });
  }

  async isLocked(user: string, group: string, now: number): Promise<LockStatus> {
    checkField('group', group);
    checkTime('now', now);
    return lockStatus(await this.files.read(user), group, now);
  }

  async resetFailures(user: string, group: string): Promise<void> {
    checkField('group', group);
    // Most successes find nothing to reset: check without the lock first, so they write nothing.
    const current = await this.files.read(user);
    if (!current.failures.some((f) => f.group === group)) return;
    await this.files.update(user, (state) => applyReset(state, group));
  }

  async unlock(user: string, group?: string): Promise<number> {
    if (group !== undefined) checkField('group', group);
    return this.files.update(user, (state) => applyReset(state, group));
  }

  async adminLock(user: string, group: string, now: number): Promise<void> {
    checkField('group', group);
    checkTime('now', now);
    await this.files.update(user, (state) => {
      pruneAll(state, now);
      applyAdminLock(state, group, randomTag(), now);
      return { result: undefined, changed: true };
    });
  }

  async adminUnlockGroup(user: string, group: string, groups: readonly string[], now: number): Promise<{ cleared: number; stillLocked: string[] }> {
    checkField('group', group);
    for (const other of groups) checkField('group', other);
    checkTime('now', now);
    return this.files.update(user, (state) => {
      const pruned = pruneAll(state, now);
      let stillLocked: string[] = [];
      let narrowed = false;
      if (lockStatus(state, EVERY_GROUP, now).locked) {
        stillLocked = groups.filter((g) => g !== group);
        for (const other of stillLocked) applyAdminLock(state, other, randomTag(), now);
        narrowed = applyReset(state, EVERY_GROUP).changed;
      }
      const reset = applyReset(state, group);
      return { result: { cleared: reset.result, stillLocked }, changed: pruned || narrowed || reset.changed || stillLocked.length > 0 };
    });
  }

  async listFailures(user?: string, options: ListOptions = {}): Promise<FailureInfo[]> {
    return (await this.#states(user, options)).flatMap(failureInfos);
  }

  async findSession(user: string, group: string, answerTag: string, rhost: string | null, now: number, policy: SessionPolicy): Promise<Session | null> {
    checkField('group', group);
    checkTag(answerTag);
    const host = checkRhost(rhost);
    checkTime('now', now);
    const p = checkSessionPolicy(policy);
    return this.files.update(user, (state) => {
      const pruned = pruneAll(state, now);
      const m = applyFindSession(state, group, answerTag, host, now, p);
      return { result: m.result, changed: m.changed || pruned };
    });
  }

  async createSession(
    user: string,
    group: string,
    answerTag: string,
    rhost: string | null,
    token: string,
    now: number,
    limits?: SessionLimits,
  ): Promise<Session> {
    checkField('group', group);
    checkTag(answerTag);
    const host = checkRhost(rhost);
    checkField('token', token);
    checkTime('now', now);
    const l = limits === undefined ? undefined : checkLimits(limits);
    return this.files.update(user, (state) => {
      pruneAll(state, now);
      return applyCreateSession(state, group, answerTag, host, token, now, l);
    });
  }

  async listSessions(user?: string, options: ListOptions = {}): Promise<Session[]> {
    return (await this.#states(user, options)).flatMap(sessionViews);
  }

  async deleteSession(id: string): Promise<boolean> {
    checkField('session id', id);
    // Find the owner without locks (ignoring unreadable files), then delete under the owner's lock.
    const owners = (await this.#states(undefined, { onError: () => undefined })).filter((s) => s.sessions.some((x) => x.id === id));
    let deleted = false;
    for (const owner of owners) {
      if (await this.files.update(owner.user, (state) => applyDeleteSession(state, id))) deleted = true;
    }
    return deleted;
  }

  async claimChallenge(
    user: string,
    group: string,
    token: string,
    challenge: string,
    now: number,
    ttlSeconds: number,
    holder: ChallengeHolder = 'otpd',
  ): Promise<ClaimResult> {
    checkField('group', group);
    checkField('token', token);
    checkField('challenge', challenge);
    checkTime('now', now);
    checkTime('ttlSeconds', ttlSeconds);
    if (ttlSeconds <= 0) throw new InvalidInputError('ttlSeconds', `must be more than 0, got ${ttlSeconds}`);
    if (holder !== 'otpd' && holder !== 'otpctl') throw new InvalidInputError('holder', 'must be otpd or otpctl');
    return this.files.update(user, (state) => {
      const pruned = pruneAll(state, now);
      const lock = lockStatus(state, group, now);
      if (lock.locked) return { result: { ok: false, reason: 'locked', until: lock.until }, changed: pruned };
      const m = applyClaim(state, token, challenge, now, ttlSeconds, holder);
      return { result: m.result, changed: m.changed || pruned };
    });
  }

  async login<T>(user: string, clock: () => number, body: (tx: LoginTransaction) => Promise<T>): Promise<T> {
    return this.files.transact(user, async (file) => {
      // Read under the lock: a login that waited for another is judged at the time it is decided.
      const tx = new LoginTransactionImpl(file, checkTime('now', clock()));
      return tx.end(await body(tx));
    });
  }

  async unknownUserAttempt(now: number, answer: string): Promise<void> {
    checkTime('now', now);
    await this.decoy.transact(UNKNOWN_USERS, async (file) => {
      const next = cloneUserState(file.state);
      // Tagged as a TOTP user's attempt would be (answer and 30-s step), so the decoy writes exactly
      // when a known user's repeat rule would.
      const tag = this.answerTag(`attempt\u0000unknown=totp:${Math.floor(now / 30)}\u0000\u0000${answer}`);
      applyFailure(next, UNKNOWN_USERS_GROUP, tag, now, { maxFail: 0, unlockAfterSeconds: 0 });
      await file.stage(next);
      return { result: undefined, write: next };
    });
  }

  async pendingChallenge(user: string, now: number): Promise<PendingChallenge | null> {
    checkTime('now', now);
    return pendingOf(await this.files.read(user), now);
  }

  async releaseChallenge(user: string, claimId?: string): Promise<boolean> {
    if (claimId !== undefined) checkField('claimId', claimId);
    return this.files.update(user, (state) => applyRelease(state, claimId));
  }
}

/** The record name of the unknown-user counter: its file is `unknown-users.json` beside `users/`. */
const UNKNOWN_USERS = 'unknown-users';
const UNKNOWN_USERS_GROUP = 'unknown';

/**
 * The secret's lock file (`secret.lock`, the store's kind, taken only to create the secret) counts as
 * a dead writer's after this long when no process has it open. Users' locks cannot go stale.
 */
export const STATE_LOCK_STALE_AFTER_MS = 1_000;

/**
 * Opens (creating if needed) a state directory: checks it is safe, creates `users/` and the tag secret
 * on first use.
 *
 * @param dir - the directory; default `/var/lib/otpd`
 * @param options - lock timing
 * @returns the state directory's API
 * @throws StateError (reason `insecure` with the command that fixes it, `corrupt` for a bad secret,
 *   `locked`, `io`)
 * @example
 * const state = await openStateDir('/var/lib/otpd');
 * const tag = state.answerTag(answer);
 * if ((await state.isLocked('alice', 'default', now)).locked) return reject('AUTH_USER_LOCKED');
 */
export async function openStateDir(dir: string = DEFAULT_STATE_DIR, options: OpenStateDirOptions = {}): Promise<StateDir> {
  if (typeof dir !== 'string' || dir.length === 0) throw new InvalidInputError('state directory', 'must be a non-empty path');
  // secret.lock: only otpd writes here, and it holds a lock file open for as long as the file exists,
  // so one no process has open is dead at once (the store's 30 s grace is for pam_oath's gap).
  const lock = { staleAfterMs: STATE_LOCK_STALE_AFTER_MS, ...options.lock };
  const { root, users } = await prepareStateDir(dir);
  const secret = await loadOrCreateSecret(root, lock);
  const locks = new StateLocks(path.join(root, STATE_LOCK_FILE), lock.timeoutMs ?? LOCK_DEFAULTS.timeoutMs);
  return new StateDirImpl(root, new UserFiles(users, locks), new UserFiles(root, locks), secret);
}
