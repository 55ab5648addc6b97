/**
 * One user's state file: its JSON form, a strict reader and the writer. See docs/state.md.
 *
 * ```json
 * {"format":"otpd-state","version":1,"user":"alice",
 *  "failures":[{"group":"default","count":2,"lastTag":"9f…","firstAt":1763789427,"lastAt":1763789431,
 *               "lockedAt":null,"lockedUntil":null}],
 *  "sessions":[{"id":"Qm9…","group":"mail","tag":"3c…","rhost":"10.0.0.5","token":"phone",
 *               "createdAt":1763789427,"lastUsedAt":1763789500,"logins":3,
 *               "timeoutSeconds":3600,"unusedTimeoutSeconds":600}],
 *  "challenge":{"token":"skey","holder":"otpd","challenge":"otp-md5 98 ke1234","claimId":"…","issuedAt":1763789427,"until":1763789547}}
 * ```
 *
 * Anything else — bad JSON, a missing or mistyped field, another user's name, a newer version — makes
 * the file corrupt: that user's operations fail (closed) with an error naming the file; nothing is ever
 * rewritten from a half-understood file.
 */
import { NAME_LIMITS } from './names.js';
import { isTag } from './secret.js';

/** Format marker and version written into every file. */
export const STATE_FORMAT = Object.freeze({ format: 'otpd-state', version: 1 });

/** Size bounds of one user's state, frozen. */
export const STATE_LIMITS = Object.freeze({
  /** Sessions kept per user; the oldest is evicted beyond this. */
  maxSessions: 100,
  /** Service groups with a failure record per user; the least recently failed unlocked one is evicted. */
  maxFailureGroups: 64,
  /** A state file larger than this is refused as corrupt. */
  maxFileBytes: 1024 * 1024,
});

/** Failures of one user in one service group. */
export interface FailureRecord {
  group: string;
  /** Distinct wrong answers counted since the last success, unlock or lock expiry. */
  count: number;
  /** Tag of the last wrong answer counted (a repeat of it is not counted again). */
  lastTag: string | null;
  firstAt: number;
  lastAt: number;
  /** When the lock began; null while not locked. */
  lockedAt: number | null;
  /** When the lock ends by itself; null = never (an administrator must unlock), or not locked. */
  lockedUntil: number | null;
}

/** An open session: an accepted answer that may be accepted again. */
export interface SessionRecord {
  id: string;
  group: string;
  tag: string;
  rhost: string | null;
  /** Name of the token that accepted the answer. */
  token: string;
  createdAt: number;
  lastUsedAt: number;
  /** Logins served from the session (the login that opened it not included). */
  logins: number;
  /** Limits known when the session was opened, used to prune it on any later write; null = unknown. */
  timeoutSeconds: number | null;
  unusedTimeoutSeconds: number | null;
}

/** Who holds a pending challenge: a daemon conversation, or `otpctl challenge` for `otpctl verify`. */
export type ChallengeHolder = 'otpd' | 'otpctl';

/** The pending S/KEY challenge. */
export interface ChallengeRecord {
  token: string;
  /** Only `otpctl verify` may answer an `otpctl` hold; a daemon hold only by its own conversation. */
  holder: ChallengeHolder;
  challenge: string;
  claimId: string;
  issuedAt: number;
  until: number;
}

/** Everything kept for one user (a working copy; writers mutate it, then it is serialised). */
export interface UserState {
  user: string;
  failures: FailureRecord[];
  sessions: SessionRecord[];
  challenge: ChallengeRecord | null;
}

/** A fresh state for a user. */
export function emptyUserState(user: string): UserState {
  return { user, failures: [], sessions: [], challenge: null };
}

/** Whether the state holds nothing worth a file. */
export function isEmptyState(state: UserState): boolean {
  return state.failures.length === 0 && state.sessions.length === 0 && state.challenge === null;
}

/** A deep copy, field by field (several times faster than structuredClone for these small records). */
export function cloneUserState(state: UserState): UserState {
  return {
    user: state.user,
    failures: state.failures.map((f) => ({ ...f })),
    sessions: state.sessions.map((s) => ({ ...s })),
    challenge: state.challenge === null ? null : { ...state.challenge },
  };
}

/** The file's bytes. Key order is fixed so equal states serialise equally. */
export function serializeUserState(state: UserState): Buffer {
  const out = {
    format: STATE_FORMAT.format,
    version: STATE_FORMAT.version,
    user: state.user,
    failures: state.failures.map((f) => ({
      group: f.group,
      count: f.count,
      lastTag: f.lastTag,
      firstAt: f.firstAt,
      lastAt: f.lastAt,
      lockedAt: f.lockedAt,
      lockedUntil: f.lockedUntil,
    })),
    sessions: state.sessions.map((s) => ({
      id: s.id,
      group: s.group,
      tag: s.tag,
      rhost: s.rhost,
      token: s.token,
      createdAt: s.createdAt,
      lastUsedAt: s.lastUsedAt,
      logins: s.logins,
      timeoutSeconds: s.timeoutSeconds,
      unusedTimeoutSeconds: s.unusedTimeoutSeconds,
    })),
    challenge:
      state.challenge === null
        ? null
        : {
            token: state.challenge.token,
            holder: state.challenge.holder,
            challenge: state.challenge.challenge,
            claimId: state.challenge.claimId,
            issuedAt: state.challenge.issuedAt,
            until: state.challenge.until,
          },
  };
  return Buffer.from(`${JSON.stringify(out)}\n`, 'utf8');
}

/** A problem found while reading; the caller adds the file name. */
export class StateFormatProblem extends Error {}

type Json = Record<string, unknown>;

function object(value: unknown, where: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new StateFormatProblem(`${where} is not an object`);
  return value as Json;
}
function str(o: Json, key: string, where: string): string {
  const v = o[key];
  if (typeof v !== 'string' || Buffer.byteLength(v, 'utf8') > NAME_LIMITS.maxFieldBytes * 2) throw new StateFormatProblem(`${where}.${key} is not a string`);
  return v;
}
function strOrNull(o: Json, key: string, where: string): string | null {
  return o[key] === null ? null : str(o, key, where);
}
function num(o: Json, key: string, where: string): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new StateFormatProblem(`${where}.${key} is not a number ≥ 0`);
  return v;
}
function int(o: Json, key: string, where: string): number {
  const v = num(o, key, where);
  if (!Number.isSafeInteger(v)) throw new StateFormatProblem(`${where}.${key} is not a whole number`);
  return v;
}
function numOrNull(o: Json, key: string, where: string): number | null {
  return o[key] === null ? null : num(o, key, where);
}
function tag(o: Json, key: string, where: string): string {
  const v = o[key];
  if (!isTag(v)) throw new StateFormatProblem(`${where}.${key} is not a tag (64 hex digits)`);
  return v;
}
function array(o: Json, key: string, max: number): unknown[] {
  const v = o[key];
  if (!Array.isArray(v)) throw new StateFormatProblem(`${key} is not an array`);
  if (v.length > max) throw new StateFormatProblem(`${key} has ${v.length} entries, at most ${max} allowed`);
  return v;
}

function readFailure(value: unknown, i: number): FailureRecord {
  const where = `failures[${i}]`;
  const o = object(value, where);
  const lastTag = o['lastTag'] === null ? null : tag(o, 'lastTag', where);
  const f: FailureRecord = {
    group: str(o, 'group', where),
    count: int(o, 'count', where),
    lastTag,
    firstAt: num(o, 'firstAt', where),
    lastAt: num(o, 'lastAt', where),
    lockedAt: numOrNull(o, 'lockedAt', where),
    lockedUntil: numOrNull(o, 'lockedUntil', where),
  };
  if (f.lockedAt === null && f.lockedUntil !== null) throw new StateFormatProblem(`${where} has lockedUntil without lockedAt`);
  return f;
}

function readSession(value: unknown, i: number): SessionRecord {
  const where = `sessions[${i}]`;
  const o = object(value, where);
  return {
    id: str(o, 'id', where),
    group: str(o, 'group', where),
    tag: tag(o, 'tag', where),
    rhost: strOrNull(o, 'rhost', where),
    token: str(o, 'token', where),
    createdAt: num(o, 'createdAt', where),
    lastUsedAt: num(o, 'lastUsedAt', where),
    logins: int(o, 'logins', where),
    timeoutSeconds: numOrNull(o, 'timeoutSeconds', where),
    unusedTimeoutSeconds: numOrNull(o, 'unusedTimeoutSeconds', where),
  };
}

function readChallenge(value: unknown): ChallengeRecord | null {
  if (value === null) return null;
  const where = 'challenge';
  const o = object(value, where);
  // Files written before holders were recorded hold daemon challenges (the stricter reading).
  const holder = o['holder'] === undefined ? 'otpd' : str(o, 'holder', where);
  if (holder !== 'otpd' && holder !== 'otpctl') throw new StateFormatProblem(`${where}.holder is not "otpd" or "otpctl"`);
  return {
    token: str(o, 'token', where),
    holder,
    challenge: str(o, 'challenge', where),
    claimId: str(o, 'claimId', where),
    issuedAt: num(o, 'issuedAt', where),
    until: num(o, 'until', where),
  };
}

/**
 * Reads a state file's bytes.
 *
 * @param bytes - the file
 * @param expectedUser - the user it must belong to; undefined accepts the name it records
 * @returns the state
 * @throws StateFormatProblem saying what is wrong (without the file name)
 */
export function parseUserState(bytes: Buffer, expectedUser: string | undefined): UserState {
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (err) {
    throw new StateFormatProblem(`not valid JSON in UTF-8 (${(err as Error).message})`);
  }
  const o = object(raw, 'the file');
  if (o['format'] !== STATE_FORMAT.format) throw new StateFormatProblem('not an otpd state file (no "format": "otpd-state")');
  if (o['version'] !== STATE_FORMAT.version) {
    throw new StateFormatProblem(`version ${JSON.stringify(o['version'])} is not ${STATE_FORMAT.version} (written by another otpd version?)`);
  }
  const user = str(o, 'user', 'the file');
  if (expectedUser !== undefined && user !== expectedUser) {
    throw new StateFormatProblem('records another user name than the one its file name encodes');
  }
  return {
    user,
    failures: array(o, 'failures', STATE_LIMITS.maxFailureGroups).map(readFailure),
    sessions: array(o, 'sessions', STATE_LIMITS.maxSessions).map(readSession),
    challenge: readChallenge(o['challenge']),
  };
}
