/**
 * `otpctl user show USER`: the user's tokens (type, enabled, groups, state), failure counts and locks
 * per service group, open sessions, a pending S/KEY challenge and any malformed store line — as tables, or one JSON document.
 * Never a key, PIN, hash or answer.
 */
import type { Argv, CommandModule } from 'yargs';
import { summarizeToken, TOKEN_TABLE_HEADER, tokenRow } from '../../admin/describe.js';
import { readForAdmin } from '../../admin/edit-store.js';
import { requireKnownUser, validateUserName } from '../../admin/users.js';
import { EVERY_GROUP, openStateDir } from '../../state/index.js';
import type { CliDeps } from '../deps.js';
import type { GlobalArguments } from '../global-options.js';
import { ExitCodes, runCommand, type Output } from '../output.js';
import { resolveConfig } from '../../config/index.js';
import { formatTable, tableTime } from '../table.js';

export interface UserShowArguments extends GlobalArguments {
  user: string;
}

export async function userShow(out: Output, argv: UserShowArguments, deps: CliDeps): Promise<number> {
  const user = validateUserName(argv.user);
  const config = await resolveConfig(argv, deps);
  const file = await readForAdmin(config.store, [user]);
  requireKnownUser(file, user);
  const tokens = file.entries.filter((e) => e.user === user).map(summarizeToken);
  const problems = file.errors.filter((e) => e.user === user).map((e) => e.message);
  const state = await openStateDir(config.stateDir);
  const now = deps.now() / 1000;
  const failures = (await state.listFailures(user)).map((f) => {
    const locked = f.lockedAt !== null && (f.lockedUntil === null || f.lockedUntil > now);
    return { group: f.group, failures: f.count, locked, lockedUntil: locked ? f.lockedUntil : null, lastFailure: f.lastAt };
  });
  const sessions = await state.listSessions(user);
  const pending = await state.pendingChallenge(user, now);
  const challenge = pending === null ? null : { token: pending.token, challenge: pending.challenge, until: pending.until };
  const text = [
    `user ${user}`,
    '',
    formatTable(TOKEN_TABLE_HEADER, tokens.map(tokenRow)),
    '',
    formatTable(
      ['GROUP', 'FAILURES', 'LOCKED', 'LAST FAILURE'],
      failures.map((f) => [
        f.group === EVERY_GROUP ? '* (every group)' : f.group,
        String(f.failures),
        f.locked ? (f.lockedUntil === null ? 'yes, until unlocked' : `until ${tableTime(f.lockedUntil)}`) : 'no',
        tableTime(f.lastFailure),
      ]),
    ),
    '',
    formatTable(
      ['SESSION', 'GROUP', 'RHOST', 'TOKEN', 'LOGINS', 'LAST USED'],
      sessions.map((s) => [s.id, s.group, s.rhost ?? '-', s.token, String(s.logins), tableTime(s.lastUsedAt)]),
    ),
    ...(challenge === null ? [] : [`pending S/KEY challenge: ${challenge.challenge} (${challenge.token}) until ${tableTime(challenge.until)}`]),
    ...problems.map((p) => `problem: ${p}`),
  ].join('\n');
  await out.result(text, { user, tokens, failures, sessions, challenge, problems });
  return ExitCodes.OK;
}

export function userShowCommand(deps: CliDeps): CommandModule<GlobalArguments, UserShowArguments> {
  return {
    command: 'show <user>',
    describe: "show a user's tokens, failure counts, locks and sessions",
    builder: (yargs: Argv<GlobalArguments>) =>
      yargs
        .positional('user', { type: 'string', demandOption: true, describe: 'the login name' })
        .example('$0 user show alice', 'tables of tokens, lock-outs and sessions')
        .example('$0 user show alice --json', 'the same as one JSON document'),
    handler: (argv) => runCommand(deps, argv.json, (out) => userShow(out, argv, deps)),
  };
}
