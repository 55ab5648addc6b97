/**
 * The contract between a front end and the decision service: one {@link DecisionSession} per login.
 */
import type { ChallengeOutcome } from '../policy/challenge.js';
import type { AuthOutcome, AuthRequest, LoginParty } from '../policy/ports.js';

/**
 * What a front end asks of the decision for one login (one PAM conversation; later one RADIUS request
 * or one web form): whether the user is known, an S/KEY challenge, the decision itself, and what to
 * audit when the login ends without one. decision/service.ts makes them over src/policy.
 */
export interface DecisionSession {
  /** False when the store has no line for the user (audits AUTH_USER_UNKNOWN itself). May throw. */
  knowsUser(request: LoginParty): Promise<boolean>;
  /** Issues and holds the user's S/KEY challenge for the service (src/policy/challenge.ts). May throw. */
  issueChallenge(user: string, service: string): Promise<ChallengeOutcome>;
  /** The one decision (src/policy/authenticate.ts). Throws when the store or state is unusable. */
  authenticate(request: AuthRequest): Promise<AuthOutcome>;
  /** Gives up a held challenge whose answer never came (the client left, the time ran out). */
  releaseChallenge(user: string, claimId: string): Promise<void>;
  /**
   * The conversation ended after AUTH_START but before an answer reached the decision (audited as
   * AUTH_ABORTED, so an administrator sees every login attempt, finished or not). Never throws.
   */
  abandoned(request: LoginParty, why: string): void;
  /**
   * A decision was made but the client had gone before its verdict could be sent (the PAM module gave
   * up, usually at its timeout): the login did not happen, though an accepted code is used up. Audited
   * as AUTH_VERDICT_UNDELIVERED next to the decision's own line. Never throws.
   */
  undelivered(request: LoginParty, outcome: AuthOutcome, why: string): void;
  /** A secret-free line for the daemon's log (debug). */
  log(line: string): void;
}
