/**
 * `otpctl verify USER [ANSWER] [--service S | --client C] [--rhost HOST] [-d]`: one authentication
 * decision with the same rules as a login (store, lock-out, sessions, clients and access groups,
 * audit). `--client` names a client of `[clients]`; `--service` any PAM service (a client by its name). Prints `Accept` or
 * `Reject` as its last line and exits 0 or 1. Without ANSWER (or with `-`) the answer is read without
 * echo, so it does not show in `ps`.
 */
import type { Argv, CommandModule } from 'yargs';
import { escapeText } from '../../encoding/log-text.js';
import { InvalidInputError } from '../../errors.js';
import { authenticate } from '../../policy/authenticate.js';
import type { CliDeps } from '../deps.js';
import type { GlobalArguments } from '../global-options.js';
import { valueOrStdin } from '../interactive.js';
import { ExitCodes, runCommand, type Output } from '../output.js';
import { openPolicyContext } from '../policy-context.js';

/** Longest answer accepted: a pass phrase plus an RFC 2243 init response fits with room to spare. */
const MAX_ANSWER_CHARS = 1024;

export interface VerifyArguments extends GlobalArguments {
  user: string;
  answer?: string;
  /** Absent: `login` (the yargs default is left out so that --client can be told apart). */
  service?: string;
  client?: string;
  rhost?: string;
  debug: boolean;
}

export async function verify(out: Output, argv: VerifyArguments, deps: CliDeps): Promise<number> {
  if (argv.user.length === 0) throw new InvalidInputError('user', 'must not be empty');
  const answer = argv.answer === undefined ? await deps.readSecret('Answer: ') : await valueOrStdin(deps, argv.answer, 'Answer: ');
  if (answer.length === 0 || answer.length > MAX_ANSWER_CHARS) throw new InvalidInputError('answer', `must be 1 to ${MAX_ANSWER_CHARS} characters`);
  const context = await openPolicyContext(argv, deps, { explain: argv.debug });
  try {
    const clients = context.ports.config.clients;
    if (argv.client !== undefined && !Object.hasOwn(clients, argv.client)) {
      const known = Object.keys(clients);
      throw new InvalidInputError(
        'client',
        `${argv.client} is not a client ([clients.NAME] in otpd.conf)${known.length > 0 ? `; clients: ${known.join(', ')}` : ''}`,
      );
    }
    if (argv.client !== undefined && argv.service !== undefined) throw new InvalidInputError('client', 'give --client or --service, not both');
    const service = argv.client ?? argv.service ?? 'login';
    const outcome = await authenticate({ user: argv.user, service, rhost: argv.rhost, answer }, context.ports);
    const verdict = outcome.accepted ? 'Accept' : 'Reject';
    // Explain lines come escaped; the reason and warning may quote the store or state, escaped here.
    const lines = [...context.explain.lines.map((line) => `  ${line}`), `${outcome.code} ${escapeText(outcome.reason)}`];
    if (outcome.warning !== undefined) lines.push(`warning: ${escapeText(outcome.warning)}`);
    lines.push(verdict);
    const { accepted, code, token, session, reason, warning } = outcome;
    await out.result(lines.join('\n'), { verdict, accepted, code, token, session, reason, warning, explain: context.explain.lines });
    return outcome.accepted ? ExitCodes.OK : ExitCodes.NO_MATCH;
  } finally {
    await context.close();
  }
}

export function verifyCommand(deps: CliDeps): CommandModule<GlobalArguments, VerifyArguments> {
  return {
    command: 'verify <user> [answer]',
    describe: 'check an answer as a login would; prints Accept or Reject',
    builder: (yargs: Argv<GlobalArguments>) =>
      yargs
        .positional('user', { type: 'string', demandOption: true, describe: 'the login name' })
        .positional('answer', { type: 'string', describe: 'the one-time password (with its PIN or password prefix); "-" or absent: read without echo' })
        .option('service', { type: 'string', describe: 'the PAM service name the rules apply to (default: login)' })
        .option('client', { type: 'string', describe: 'the client the request comes from ([clients.NAME]); instead of --service' })
        .option('rhost', { type: 'string', describe: 'the remote host, for sessions' })
        .option('debug', { alias: 'd', type: 'boolean', default: false, describe: 'explain every step of the decision' })
        .example('$0 verify alice 287082 --service sshd', 'Accept, or Reject')
        .example('$0 verify alice --service openvpn -d', 'read the answer without echo and explain the decision') as Argv<VerifyArguments>,
    handler: (argv) =>
      runCommand(deps, argv.json, async (out) => {
        try {
          return await verify(out, argv, deps);
        } catch (error) {
          // Whatever went wrong, a script reading the last line must never see anything but Reject.
          out.fail(error);
          if (!argv.json) await out.write('Reject\n');
          return process.exitCode === undefined ? ExitCodes.INTERNAL : Number(process.exitCode);
        }
      }),
  };
}
