/**
 * `otpctl challenge USER [--service S]`: prints the user's S/KEY challenge (`otp-md5 498 bi0617 ext`)
 * and holds it, so no second challenge is issued until the next `otpctl verify` for that user or the
 * hold expires (RFC 2289 §10).
 */
import type { Argv, CommandModule } from 'yargs';
import { issueChallenge } from '../../policy/challenge.js';
import type { CliDeps } from '../deps.js';
import type { GlobalArguments } from '../global-options.js';
import { ExitCodes, runCommand, type Output } from '../output.js';
import { openPolicyContext } from '../policy-context.js';

export interface ChallengeArguments extends GlobalArguments {
  user: string;
  service: string;
}

const REFUSALS = Object.freeze({
  'no-skey-token': 'has no enabled S/KEY token for this service',
  exhausted: 'has an S/KEY token whose sequence is used up: re-initialise it',
  pending: 'already has a pending challenge (RFC 2289 §10); answer it or wait for it to expire',
  locked: 'is locked for this service group after too many failures',
  'store-error': 'has a malformed line in the store: run otpctl verify -d for the details',
});

export async function challenge(out: Output, argv: ChallengeArguments, deps: CliDeps): Promise<number> {
  const context = await openPolicyContext(argv, deps, { explain: false });
  try {
    const outcome = await issueChallenge(argv.user, argv.service, context.ports, 'otpctl');
    if (outcome.issued) {
      await out.result(outcome.challenge, { issued: true, challenge: outcome.challenge, token: outcome.token });
      return ExitCodes.OK;
    }
    const until = outcome.until === undefined ? '' : ` (until ${new Date(outcome.until * 1000).toISOString()})`;
    out.note(`${argv.user} ${REFUSALS[outcome.reason]}${until}`);
    if (out.json) await out.result('', { issued: false, reason: outcome.reason, until: outcome.until });
    return ExitCodes.NO_MATCH;
  } finally {
    await context.close();
  }
}

export function challengeCommand(deps: CliDeps): CommandModule<GlobalArguments, ChallengeArguments> {
  return {
    command: 'challenge <user>',
    describe: "print and hold the user's S/KEY challenge",
    builder: (yargs: Argv<GlobalArguments>) =>
      yargs
        .positional('user', { type: 'string', demandOption: true, describe: 'the login name' })
        .option('service', { type: 'string', default: 'login', describe: 'the PAM service name the rules apply to' })
        .example('$0 challenge alice', 'otp-md5 498 bi0617 ext'),
    handler: (argv) => runCommand(deps, argv.json, (out) => challenge(out, argv, deps)),
  };
}
