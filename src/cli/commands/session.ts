/**
 * `otpctl session list [USER]` and `otpctl session del ID`: the sessions of the state directory
 * (docs/state.md), which let a service group accept the same answer again for a while. Listing never
 * shows a session's answer tag; deleting one makes the next login with that answer check it afresh.
 */
import type { Argv, CommandModule } from 'yargs';
import { validateUserName } from '../../admin/users.js';
import { InvalidInputError } from '../../errors.js';
import { openStateDir } from '../../state/index.js';
import type { CliDeps } from '../deps.js';
import type { GlobalArguments } from '../global-options.js';
import { ExitCodes, runCommand, type Output } from '../output.js';
import { resolveConfig } from '../../config/index.js';
import { formatTable, tableTime } from '../table.js';

export interface SessionListArguments extends GlobalArguments {
  user?: string;
}

export interface SessionDelArguments extends GlobalArguments {
  id: string;
}

export async function sessionList(out: Output, argv: SessionListArguments, deps: CliDeps): Promise<number> {
  const user = argv.user === undefined ? undefined : validateUserName(argv.user);
  const config = await resolveConfig(argv, deps);
  const state = await openStateDir(config.stateDir);
  const problems: string[] = [];
  const sessions = await state.listSessions(user, { onError: (error) => problems.push(error.message) });
  const rows = sessions.map((s) => [s.id, s.user, s.group, s.rhost ?? '-', s.token, tableTime(s.createdAt), tableTime(s.lastUsedAt), String(s.logins)]);
  const text = [formatTable(['ID', 'USER', 'GROUP', 'RHOST', 'TOKEN', 'CREATED', 'LAST USED', 'LOGINS'], rows), ...problems.map((p) => `problem: ${p}`)].join(
    '\n',
  );
  await out.result(text, { sessions, problems });
  return ExitCodes.OK;
}

export async function sessionDel(out: Output, argv: SessionDelArguments, deps: CliDeps): Promise<number> {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(argv.id)) throw new InvalidInputError('id', 'is not a session id (see otpctl session list)');
  const config = await resolveConfig(argv, deps);
  const state = await openStateDir(config.stateDir);
  if (!(await state.deleteSession(argv.id))) throw new InvalidInputError('id', `no session ${argv.id} (see otpctl session list)`);
  await out.result(`deleted session ${argv.id}`, { id: argv.id, deleted: true });
  return ExitCodes.OK;
}

export function sessionListCommand(deps: CliDeps): CommandModule<GlobalArguments, SessionListArguments> {
  return {
    command: 'list [user]',
    describe: 'list open sessions (all, or one user’s)',
    builder: (yargs: Argv<GlobalArguments>) =>
      yargs
        .positional('user', { type: 'string', describe: 'only this user' })
        .example('$0 session list', 'every open session')
        .example('$0 session list alice --json', "alice's sessions for a script") as Argv<SessionListArguments>,
    handler: (argv) => runCommand(deps, argv.json, (out) => sessionList(out, argv, deps)),
  };
}

export function sessionDelCommand(deps: CliDeps): CommandModule<GlobalArguments, SessionDelArguments> {
  return {
    command: 'del <id>',
    describe: 'end a session',
    builder: (yargs: Argv<GlobalArguments>) =>
      yargs
        .positional('id', { type: 'string', demandOption: true, describe: 'the session id from otpctl session list' })
        .example('$0 session del 4HNlxH8ElQ_aRqzX5eS1zA', 'the next login must give a fresh one-time password'),
    handler: (argv) => runCommand(deps, argv.json, (out) => sessionDel(out, argv, deps)),
  };
}
