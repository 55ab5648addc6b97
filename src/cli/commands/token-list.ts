/**
 * `otpctl token list [USER]`: every token (or a user's) with type, enabled, groups and state.
 */
import type { Argv, CommandModule } from 'yargs';
import { summarizeToken, TOKEN_TABLE_HEADER, tokenRow } from '../../admin/describe.js';
import { readForAdmin } from '../../admin/edit-store.js';
import { requireKnownUser, validateUserName } from '../../admin/users.js';
import type { CliDeps } from '../deps.js';
import type { GlobalArguments } from '../global-options.js';
import { ExitCodes, runCommand, type Output } from '../output.js';
import { resolveConfig } from '../../config/index.js';
import { formatTable } from '../table.js';

export interface TokenListArguments extends GlobalArguments {
  user?: string;
}

export async function tokenList(out: Output, argv: TokenListArguments, deps: CliDeps): Promise<number> {
  const user = argv.user === undefined ? undefined : validateUserName(argv.user);
  const { store } = await resolveConfig(argv, deps);
  const file = await readForAdmin(store, user === undefined ? undefined : [user]);
  if (user !== undefined) requireKnownUser(file, user);
  const tokens = file.entries.filter((e) => user === undefined || e.user === user).map(summarizeToken);
  const problems = file.errors.filter((e) => user === undefined || e.user === user).map((e) => e.message);
  const text = [formatTable(TOKEN_TABLE_HEADER, tokens.map(tokenRow)), ...problems.map((p) => `problem: ${p}`)].join('\n');
  await out.result(text, { tokens, problems });
  return ExitCodes.OK;
}

export function tokenListCommand(deps: CliDeps): CommandModule<GlobalArguments, TokenListArguments> {
  return {
    command: 'list [user]',
    describe: 'list tokens (all, or one user’s)',
    builder: (yargs: Argv<GlobalArguments>) =>
      yargs
        .positional('user', { type: 'string', describe: 'only this user' })
        .example('$0 token list', 'every token in the store')
        .example('$0 token list alice --json', "alice's tokens for a script") as Argv<TokenListArguments>,
    handler: (argv) => runCommand(deps, argv.json, (out) => tokenList(out, argv, deps)),
  };
}
