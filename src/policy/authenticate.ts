/**
 * The one authentication decision, used by the daemon and `otpctl verify`: the user's tokens → under
 * the user's lock (one per-user transaction, src/state/login.ts): lock-out → the candidates for the
 * service's group (S/KEY only with the pending challenge) → the attempt counted and staged on disk →
 * session → each candidate token → durable store update (re-verified on conflict) → the one state
 * write (the counted failure, or the success) → one audit line. Every path that is not an explicit
 * success is a Reject.
 */
import type { OtpdConfig } from '../config/index.js';
import { DurableError } from '../durable/errors.js';
import type { LoginTransaction } from '../state/index.js';
import { tokenLabel, type SkeyEntry, type TokenEntry } from '../store/index.js';
import { attemptText } from './attempt-tag.js';
import { candidatesFor } from './candidates.js';
import { checkEntry, skeyVerifyState, type CheckResult } from './check-entry.js';
import { accessFields, accessOf } from './service-group.js';
import { verifierSettings } from './verifier-settings.js';
import { skeyExhausted } from './verify/skey.js';
import type { AuthCode, AuthOutcome, AuthRequest, LoginParty, PolicyPorts } from './ports.js';
import type { FailureReason } from './verify/verdict.js';

/** How often a login re-verifies against a line that someone else changed meanwhile. */
const MAX_CONFLICT_RETRIES = 3;

/** Which failure a user hears about when several tokens refused: the most specific one. */
const FAILURE_RANK: readonly FailureReason[] = ['replayed', 'exhausted', 'bad-reinit', 'bad-password', 'wrong', 'malformed'];

interface Attempt {
  readonly entry: TokenEntry;
  readonly result: CheckResult;
}

/**
 * Verifies against one token and persists the accepted state; on a conflict (the line changed since
 * it was read: pam_oath, another process) verifies again against the fresh line, so one code is never
 * accepted twice.
 */
async function tryToken(entry: TokenEntry, request: AuthRequest, ports: PolicyPorts, config: OtpdConfig, now: number): Promise<Attempt> {
  const settings = verifierSettings(config);
  let current: TokenEntry | undefined = entry;
  for (let attempt = 0; current !== undefined && attempt <= MAX_CONFLICT_RETRIES; attempt++) {
    const result = await checkEntry(current, request.answer, ports.backend, now, settings);
    const state = result.state;
    if (state === undefined) return { entry: current, result };
    const outcome = await ports.store.updateToken(current, state);
    if (outcome.status === 'updated') return { entry: current, result };
    ports.explain(`${tokenLabel(current)}: the token changed in the store meanwhile; verifying again`);
    current = outcome.current;
  }
  return { entry, result: { ok: false, reason: 'replayed', note: 'the token changed on disk repeatedly while verifying' } };
}

function rejectCode(reason: FailureReason, lockedNow: boolean): AuthCode {
  if (reason === 'replayed') return 'AUTH_OTP_ALREADY_USED';
  if (reason === 'exhausted') return 'AUTH_SKEY_EXHAUSTED';
  return lockedNow ? 'AUTH_LOCKED_NOW' : 'AUTH_FAILED';
}

/**
 * @param request - user, service, rhost and the answer (the answer is never logged or stored)
 * @param ports - store/config access, state, backend, clock, audit and explain sinks
 * @returns Accept or Reject with its audit code; never throws for a user's mistake
 * @throws when the store or the state directory cannot be read or written (insecure mode, a lock
 *   held too long, I/O): the login is refused and the decision is still audited, as AUTH_STORE_ERROR
 *   (or AUTH_INTERNAL_ERROR for anything unexpected)
 */
export async function authenticate(request: AuthRequest, ports: PolicyPorts): Promise<AuthOutcome> {
  try {
    return await decide(request, ports);
  } catch (error) {
    // One audit line per decision, also for a refusal by error (the answer may even have been used up
    // already when the failure came after the store update).
    auditRefusal(ports, request, error);
  }
}

async function decide(request: AuthRequest, ports: PolicyPorts): Promise<AuthOutcome> {
  const config = ports.config;
  const { client, group: access } = accessOf(config, request.service);
  const group = access.name;
  const finish = (outcome: AuthOutcome): AuthOutcome => {
    ports.audit({
      code: outcome.code,
      user: request.user,
      service: request.service,
      rhost: request.rhost,
      tty: request.tty,
      token: outcome.token,
      session: outcome.session,
      reason: outcome.reason,
      client: client.name,
      accessGroup: group,
    });
    return outcome;
  };
  ports.explain(`got access group '${group}' from client ${client.name}`);
  if (access.inheritsFrom.length > 1) ports.explain(`tokens of its parent groups are accepted here too: ${access.inheritsFrom.slice(1).join(', ')}`);
  if (!client.enabled) {
    ports.explain(`client ${client.name} is disabled: refused before anything is read`);
    return finish({ accepted: false, code: 'AUTH_CLIENT_DISABLED', reason: 'client disabled' });
  }

  // The store is read before the user's lock (an unknown name must not get a state file of its own);
  // a line that changes meanwhile is caught by the store update's conflict check and verified again.
  const { entries, problems } = await ports.store.readTokens(request.user);
  if (problems.length > 0) {
    for (const problem of problems) ports.explain(problem.message);
    return finish({ accepted: false, code: 'AUTH_STORE_ERROR', reason: problems[0]?.message ?? 'malformed store line' });
  }
  if (entries.length === 0) {
    ports.explain('no token lines for this user');
    // The same lock, staged write and commit as a known user's refusal: the same time, within noise.
    await ports.state.unknownUserAttempt(ports.now(), request.answer);
    return finish({ accepted: false, code: 'AUTH_USER_UNKNOWN', reason: 'unknown user' });
  }

  // The decision's outcome is audited once it is durable (a failed final write is audited instead, as
  // a store error, by authenticate()); its clock is read once the user's lock is held.
  const outcome = await ports.state.login(request.user, ports.now, async (tx): Promise<AuthOutcome> => {
    const now = tx.now;
    const lock = tx.lockStatus(group);
    if (lock.locked) {
      ports.explain(
        `user is locked for group ${group}${lock.until === null ? ' until an administrator unlocks' : ` until ${new Date(lock.until * 1000).toISOString()}`}`,
      );
      return { accepted: false, code: 'AUTH_USER_LOCKED', reason: 'locked' };
    }
    const skey = skeyRule(request, tx, ports);
    const enabled = candidatesFor(entries, access);
    const candidates = enabled.filter((e) => e.kind !== 'skey' || skey.allows(e));
    const skeyExcluded = candidates.length < enabled.length;
    ports.explain(`${entries.length} token(s), ${candidates.length} enabled for group ${group}: ${candidates.map(tokenLabel).join(', ') || 'none'}`);
    if (candidates.length === 0) {
      if (skey.pendingElsewhere) return { accepted: false, code: 'AUTH_SKEY_PENDING', reason: 'another login holds the S/KEY challenge' };
      // Not verified, so not counted: an answer given before any challenge (a first pass) cannot be one.
      if (skeyExcluded) return { accepted: false, code: 'AUTH_FAILED', reason: 'an S/KEY token answers only the challenge it was shown' };
      return { accepted: false, code: 'AUTH_TOKEN_MISSING', reason: `no enabled token for group ${group}` };
    }

    // Counted — and the count staged on disk — before anything is verified: if it cannot be recorded,
    // this throws and no token sees the answer.
    const failure = await tx.countAttempt(group, ports.state.answerTag(attemptText(candidates, request.answer, now)), access.lockout);
    const sessionPolicy = access.session;
    // The session's own tag (the answer alone, reusable while the session lives): only where sessions are on.
    const tag = sessionPolicy?.enabled === true ? ports.state.answerTag(request.answer) : undefined;
    if (tag !== undefined && sessionPolicy !== undefined) {
      const session = tx.findSession(group, tag, request.rhost ?? null, sessionPolicy);
      if (session !== null) {
        ports.explain(`answer matches live session ${session.id}`);
        tx.succeed(group);
        return { accepted: true, code: 'AUTH_OK_SESSION', token: session.token, session: session.id, reason: 'session' };
      }
    }

    const failures: Attempt[] = [];
    for (const candidate of candidates) {
      const attempt = await tryToken(candidate, request, ports, config, now);
      ports.explain(`${tokenLabel(attempt.entry)}: ${attempt.result.ok ? 'accepted' : 'refused'}: ${attempt.result.note}`);
      if (attempt.result.ok) {
        const token = tokenLabel(attempt.entry);
        const session = tx.succeed(group, tag !== undefined ? { answerTag: tag, rhost: request.rhost ?? null, token } : undefined);
        const warning = attempt.result.lowSequence ? 'few S/KEY challenges are left: re-initialise the token soon' : undefined;
        if (warning !== undefined) {
          ports.audit({
            code: 'AUTH_SKEY_LOW',
            user: request.user,
            service: request.service,
            token,
            reason: attempt.result.note,
            client: client.name,
            accessGroup: group,
          });
        }
        return {
          accepted: true,
          code: attempt.result.staticPassword ? 'AUTH_OK_STATIC' : attempt.result.reinitialised ? 'AUTH_SKEY_REINIT' : 'AUTH_OK_OTP',
          token,
          ...(session === undefined ? {} : { session: session.id }),
          ...(warning === undefined ? {} : { warning }),
          reason: attempt.result.note,
        };
      }
      failures.push(attempt);
    }

    const worst = FAILURE_RANK.find((reason) => failures.some((f) => !f.result.ok && f.result.reason === reason)) ?? 'wrong';
    ports.explain(`failure ${failure.count} of ${access.lockout.maxFail} for group ${group}${failure.locked ? '; the user is now locked' : ''}`);
    const decisive = failures.find((f) => !f.result.ok && f.result.reason === worst);
    return { accepted: false, code: rejectCode(worst, failure.locked), token: decisive && tokenLabel(decisive.entry), reason: worst };
  });
  return finish(outcome);
}

/**
 * RFC 2289 §10 (the race attack): an S/KEY token answers only for the login that holds the user's
 * pending challenge, and that claim ends with this decision. A daemon login without the claim gets no
 * S/KEY candidate (its other tokens still work); `otpctl verify` (claim undefined) may answer a
 * challenge `otpctl challenge` holds, or any S/KEY token when none is pending, never a daemon
 * conversation's. A used-up token stays a candidate: it is refused without any hashing.
 */
function skeyRule(request: AuthRequest, tx: LoginTransaction, ports: PolicyPorts): { allows(entry: SkeyEntry): boolean; readonly pendingElsewhere: boolean } {
  const pending = tx.pendingChallenge;
  const claim = request.challengeClaim === undefined ? (pending?.holder === 'otpctl' ? pending.claimId : undefined) : request.challengeClaim;
  const holds = claim !== undefined && claim !== null && tx.endClaim(claim);
  const free = !holds && pending === null && request.challengeClaim === undefined;
  const pendingElsewhere = !holds && pending !== null;
  if (pendingElsewhere)
    ports.explain(`another login holds the S/KEY challenge until ${new Date(pending.until * 1000).toISOString()}: S/KEY tokens are not tried`);
  return {
    pendingElsewhere,
    allows: (entry) => skeyExhausted(skeyVerifyState(entry)) || free || (holds && pending !== null && pending.token === tokenLabel(entry)),
  };
}

/**
 * Audits a login refused by an error (store, state or unexpected) as its one audit line, then rethrows.
 * Used wherever a step of a login can fail: the decision itself and the daemon's steps before it.
 */
export function auditRefusal(ports: PolicyPorts, request: LoginParty, error: unknown): never {
  const storeOrState = error instanceof DurableError;
  ports.explain(`refused: ${storeOrState ? `store or state error (${error.reason})` : 'unexpected error'}`);
  ports.audit({
    code: storeOrState ? 'AUTH_STORE_ERROR' : 'AUTH_INTERNAL_ERROR',
    user: request.user,
    service: request.service,
    rhost: request.rhost,
    tty: request.tty,
    reason: storeOrState ? `store or state error: ${error.reason}` : 'unexpected error',
    ...accessFields(ports.config, request.service),
  });
  throw error;
}
