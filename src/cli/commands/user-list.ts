/**
 * `otpctl user list`: every user in the store with the number of tokens and of malformed lines.
 */
import type { Argv, CommandModule } from 'yargs';
import { readForAdmin } from '../../admin/edit-store.js';
import { knownUsers } from '../../admin/users.js';
import type { CliDeps } from '../deps.js';
import type { GlobalArguments } from '../global-options.js';
import { ExitCodes, runCommand, type Output } from '../output.js';
import { resolveConfig } from '../../config/index.js';
import { formatTable } from '../table.js';

export async function userList(out: Output, argv: GlobalArguments, deps: CliDeps): Promise<number> {
  const { store } = await resolveConfig(argv, deps);
  const file = await readForAdmin(store);
  const users = knownUsers(file).map((user) => ({
    user,
    tokens: file.entries.filter((e) => e.user === user).length,
    problems: file.errors.filter((e) => e.user === user).length,
  }));
  const table = formatTable(
    ['USER', 'TOKENS', 'PROBLEMS'],
    users.map((u) => [u.user, String(u.tokens), String(u.problems)]),
  );
  await out.result(table, { users });
  return ExitCodes.OK;
}

export function userListCommand(deps: CliDeps): CommandModule<GlobalArguments, GlobalArguments> {
  return {
    command: 'list',
    describe: 'list the users in the store',
    builder: (yargs: Argv<GlobalArguments>) => yargs.example('$0 user list --json', 'for scripts'),
    handler: (argv) => runCommand(deps, argv.json, (out) => userList(out, argv, deps)),
  };
}
