/**
 * `otpctl token groups USER/NAME [GROUP…]`: the service groups a token serves (its `#OTPD/META` line);
 * no group: every service. Groups must exist in the configuration (docs/config.md).
 */
import type { Argv, CommandModule } from 'yargs';
import { editStore } from '../../admin/edit-store.js';
import { changeMeta } from '../../admin/meta-edit.js';
import { parseTokenAddress, requireToken } from '../../admin/users.js';
import type { OtpdConfig } from '../../config/index.js';
import { InvalidInputError } from '../../errors.js';
import type { CliDeps } from '../deps.js';
import type { GlobalArguments } from '../global-options.js';
import { ExitCodes, runCommand, type Output } from '../output.js';
import { resolveConfig } from '../../config/index.js';
import { auditAdmin } from '../../admin/audit-admin.js';

export interface TokenGroupsArguments extends GlobalArguments {
  token: string;
  groups: string[];
}

/**
 * Group names given as words or comma-separated lists, checked against the configuration.
 *
 * @throws InvalidInputError naming `groups` for a group the configuration does not define
 */
export function parseGroups(config: OtpdConfig, words: readonly string[]): string[] {
  const groups = [
    ...new Set(
      words
        .flatMap((w) => String(w).split(','))
        .map((g) => g.trim())
        .filter((g) => g.length > 0),
    ),
  ];
  const unknown = groups.filter((g) => config.groups[g] === undefined);
  if (unknown.length > 0) {
    throw new InvalidInputError(
      'groups',
      `${unknown.join(', ')}: not a group of the configuration (groups: ${Object.keys(config.groups).sort().join(', ')}); add one with otpctl group add`,
    );
  }
  return groups.sort();
}

export async function tokenGroups(out: Output, argv: TokenGroupsArguments, deps: CliDeps): Promise<number> {
  const { user, name } = parseTokenAddress(argv.token);
  const config = await resolveConfig(argv, deps);
  const groups = parseGroups(config, argv.groups);
  await editStore(config.store, [user], ({ file, lines }) => {
    changeMeta(lines, requireToken(file, user, name), { groups });
  });
  await auditAdmin(config, {
    code: 'ADMIN_TOKEN_CHANGE',
    user,
    token: `${user}/${name}`,
    reason: groups.length === 0 ? 'groups: all' : `groups: ${groups.join(',')}`,
  });
  await out.result(`${user}/${name} serves ${groups.length === 0 ? 'every service' : `the groups ${groups.join(', ')}`}`, { token: `${user}/${name}`, groups });
  return ExitCodes.OK;
}

export function tokenGroupsCommand(deps: CliDeps): CommandModule<GlobalArguments, TokenGroupsArguments> {
  return {
    command: 'groups <token> [groups..]',
    describe: 'set the service groups a token serves (none: every service)',
    builder: (yargs: Argv<GlobalArguments>) =>
      yargs
        .positional('token', { type: 'string', demandOption: true, describe: 'USER/NAME' })
        .positional('groups', { type: 'string', array: true, default: [], describe: 'group names from the configuration' })
        .example('$0 token groups alice/phone remote mail', 'only services of the groups remote and mail')
        .example('$0 token groups alice/phone', 'every service again'),
    handler: (argv) => runCommand(deps, argv.json, (out) => tokenGroups(out, argv, deps)),
  };
}
