/**
 * `otpctl token del USER/NAME [--yes]`: removes a token's line and its metadata line. Asks first at a
 * terminal; without one it needs `--yes`.
 */
import type { Argv, CommandModule } from 'yargs';
import { editStore, readForAdmin } from '../../admin/edit-store.js';
import { parseTokenAddress, requireToken, tokenLines } from '../../admin/users.js';
import type { CliDeps } from '../deps.js';
import type { GlobalArguments } from '../global-options.js';
import { confirm } from '../interactive.js';
import { ExitCodes, runCommand, type Output } from '../output.js';
import { resolveConfig } from '../../config/index.js';
import { auditAdmin } from '../../admin/audit-admin.js';

export interface TokenDelArguments extends GlobalArguments {
  token: string;
  yes: boolean;
}

export async function tokenDel(out: Output, argv: TokenDelArguments, deps: CliDeps): Promise<number> {
  const { user, name } = parseTokenAddress(argv.token);
  const config = await resolveConfig(argv, deps);
  const { store } = config;
  requireToken(await readForAdmin(store, [user]), user, name);
  await confirm(deps, `Delete token ${user}/${name} from ${store}?`, argv.yes);
  await editStore(store, [user], ({ file, lines }) => {
    const doomed = tokenLines(requireToken(file, user, name));
    for (const i of doomed.sort((a, b) => b - a)) lines.splice(i, 1);
  });
  await auditAdmin(config, { code: 'ADMIN_TOKEN_DEL', user, token: `${user}/${name}`, reason: 'deleted' });
  await out.result(`deleted ${user}/${name}`, { token: `${user}/${name}`, deleted: true });
  return ExitCodes.OK;
}

export function tokenDelCommand(deps: CliDeps): CommandModule<GlobalArguments, TokenDelArguments> {
  return {
    command: 'del <token>',
    describe: 'delete a token',
    builder: (yargs: Argv<GlobalArguments>) =>
      yargs
        .positional('token', { type: 'string', demandOption: true, describe: 'USER/NAME (or USER/TYPE@LINE for a line without a name)' })
        .option('yes', { alias: 'y', type: 'boolean', default: false, describe: 'do not ask for confirmation (needed without a terminal)' })
        .example('$0 token del alice/phone', 'asks, then deletes')
        .example('$0 token del bob/HOTP@12 --yes', 'a hand-written line without a name, in a script'),
    handler: (argv) => runCommand(deps, argv.json, (out) => tokenDel(out, argv, deps)),
  };
}
