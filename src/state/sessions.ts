/**
 * Session rules on one user's state (pure; the caller holds the user's lock and writes the result).
 *
 * A session lets an accepted answer be accepted again in the same service group — imapproxy's and
 * OTPme's answer to webmail, whose IMAP server re-sends the same password on every request. A session
 * lives until `timeoutSeconds` after it was opened and, when `unusedTimeoutSeconds` is not 0, until
 * that long after its last use; it serves at most `maxLogins` logins (0 = unlimited), not counting the
 * login that opened it; with `matchRhost` only the same remote host may use it. Each hit is counted
 * under the user's lock, so concurrent requests can never exceed `maxLogins`.
 */
import { randomBytes } from 'node:crypto';
import { tagsEqual } from './secret.js';
import { STATE_LIMITS, type SessionRecord, type UserState } from './record.js';
import type { Mutation } from './user-file.js';

/** Session settings of a service group, as the configuration's `[groups.NAME.session]` gives them. */
export interface SessionPolicy {
  /** Seconds a session lasts after the login that opened it. */
  readonly timeoutSeconds: number;
  /** Seconds a session survives unused; 0 = no idle limit. */
  readonly unusedTimeoutSeconds: number;
  /** Logins a session may serve; 0 = unlimited. */
  readonly maxLogins: number;
  /** Only the remote host that opened the session may use it. */
  readonly matchRhost: boolean;
}

/** The limits a session is opened with, kept so any later write can prune it. */
export type SessionLimits = Pick<SessionPolicy, 'timeoutSeconds' | 'unusedTimeoutSeconds'>;

/** A session as callers see it (never its answer tag). */
export interface Session {
  /** Random, printable (base64url, 22 characters). */
  readonly id: string;
  readonly user: string;
  readonly group: string;
  readonly rhost: string | null;
  /** Name of the token that accepted the answer that opened the session. */
  readonly token: string;
  readonly createdAt: number;
  readonly lastUsedAt: number;
  /** Logins served from the session so far (the opening login not included). */
  readonly logins: number;
}

/** A fresh random session id. */
export function newSessionId(): string {
  return randomBytes(16).toString('base64url');
}

function view(user: string, s: SessionRecord): Session {
  return { id: s.id, user, group: s.group, rhost: s.rhost, token: s.token, createdAt: s.createdAt, lastUsedAt: s.lastUsedAt, logins: s.logins };
}

function expiredBy(s: SessionRecord, limits: SessionLimits, now: number): boolean {
  if (now >= s.createdAt + limits.timeoutSeconds) return true;
  return limits.unusedTimeoutSeconds > 0 && now >= s.lastUsedAt + limits.unusedTimeoutSeconds;
}

/** Drops sessions that the limits they were opened with say are over. */
export function pruneSessions(state: UserState, now: number): boolean {
  const kept = state.sessions.filter((s) => {
    if (s.timeoutSeconds === null) return true;
    return !expiredBy(s, { timeoutSeconds: s.timeoutSeconds, unusedTimeoutSeconds: s.unusedTimeoutSeconds ?? 0 }, now);
  });
  const changed = kept.length !== state.sessions.length;
  state.sessions = kept;
  return changed;
}

/**
 * Finds a live session for the answer and, if there is one, counts this login on it.
 *
 * @param state - the user's state (mutated)
 * @returns the session after counting the login, or null
 */
export function applyFindSession(
  state: UserState,
  group: string,
  tag: string,
  rhost: string | null,
  now: number,
  policy: SessionPolicy,
): Mutation<Session | null> {
  let changed = pruneSessions(state, now);
  const kept = state.sessions.filter((s) => {
    if (s.group !== group) return true;
    if (expiredBy(s, policy, now)) return false;
    return policy.maxLogins === 0 || s.logins < policy.maxLogins;
  });
  if (kept.length !== state.sessions.length) changed = true;
  state.sessions = kept;
  let found: SessionRecord | undefined;
  for (const s of state.sessions) {
    // Compare every tag (no early exit), then the cheap public fields.
    const same = tagsEqual(s.tag, tag);
    if (same && s.group === group && (!policy.matchRhost || s.rhost === rhost) && (found === undefined || s.createdAt >= found.createdAt)) found = s;
  }
  if (found === undefined) return { result: null, changed };
  found.logins += 1;
  found.lastUsedAt = Math.max(found.lastUsedAt, now);
  return { result: view(state.user, found), changed: true };
}

/**
 * Opens a session after a login accepted an answer. Beyond {@link STATE_LIMITS.maxSessions} the
 * oldest sessions are evicted.
 *
 * @param state - the user's state (mutated)
 * @param limits - the group's limits, kept to prune the session on later writes; omitted: the session
 *   is pruned only by {@link applyFindSession} of its group (or evicted)
 */
export function applyCreateSession(
  state: UserState,
  group: string,
  tag: string,
  rhost: string | null,
  token: string,
  now: number,
  limits: SessionLimits | undefined,
): Mutation<Session> {
  pruneSessions(state, now);
  const record: SessionRecord = {
    id: newSessionId(),
    group,
    tag,
    rhost,
    token,
    createdAt: now,
    lastUsedAt: now,
    logins: 0,
    timeoutSeconds: limits?.timeoutSeconds ?? null,
    unusedTimeoutSeconds: limits?.unusedTimeoutSeconds ?? null,
  };
  state.sessions.push(record);
  while (state.sessions.length > STATE_LIMITS.maxSessions) {
    let oldest = 0;
    state.sessions.forEach((s, i) => {
      const o = state.sessions[oldest];
      if (o !== undefined && s.createdAt < o.createdAt) oldest = i;
    });
    state.sessions.splice(oldest, 1);
  }
  return { result: view(state.user, record), changed: true };
}

/** Removes a session by id. */
export function applyDeleteSession(state: UserState, id: string): Mutation<boolean> {
  const kept = state.sessions.filter((s) => s.id !== id);
  const changed = kept.length !== state.sessions.length;
  state.sessions = kept;
  return { result: changed, changed };
}

/** The sessions of a state, for administrators. */
export function sessionViews(state: UserState): Session[] {
  return state.sessions.map((s) => view(state.user, s));
}
