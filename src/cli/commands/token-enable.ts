/**
 * `otpctl token enable|disable USER/NAME`: a disabled token is never a candidate for a login (its line
 * stays, with its counter or sequence). Note: pam_oath ignores otpd's metadata, so a disabled OATH line
 * still works where pam_oath itself is configured.
 */
import type { Argv, CommandModule } from 'yargs';
import { editStore } from '../../admin/edit-store.js';
import { changeMeta } from '../../admin/meta-edit.js';
import { parseTokenAddress, requireToken } from '../../admin/users.js';
import type { CliDeps } from '../deps.js';
import type { GlobalArguments } from '../global-options.js';
import { ExitCodes, runCommand, type Output } from '../output.js';
import { resolveConfig } from '../../config/index.js';
import { auditAdmin } from '../../admin/audit-admin.js';

export interface TokenEnableArguments extends GlobalArguments {
  token: string;
}

export async function tokenEnable(out: Output, argv: TokenEnableArguments, deps: CliDeps, enabled: boolean): Promise<number> {
  const { user, name } = parseTokenAddress(argv.token);
  const config = await resolveConfig(argv, deps);
  const { result: changed } = await editStore(config.store, [user], ({ file, lines }) => changeMeta(lines, requireToken(file, user, name), { enabled }));
  if (changed) await auditAdmin(config, { code: 'ADMIN_TOKEN_CHANGE', user, token: `${user}/${name}`, reason: enabled ? 'enabled' : 'disabled' });
  await out.result(`${user}/${name} ${changed ? 'is now' : 'was already'} ${enabled ? 'enabled' : 'disabled'}`, { token: `${user}/${name}`, enabled, changed });
  return ExitCodes.OK;
}

function command(deps: CliDeps, enabled: boolean): CommandModule<GlobalArguments, TokenEnableArguments> {
  const verb = enabled ? 'enable' : 'disable';
  return {
    command: `${verb} <token>`,
    describe: enabled ? 'let a disabled token answer logins again' : 'keep a token but refuse it for every login',
    builder: (yargs: Argv<GlobalArguments>) =>
      yargs
        .positional('token', { type: 'string', demandOption: true, describe: 'USER/NAME' })
        .example(`$0 token ${verb} alice/paper`, enabled ? 'alice/paper works again' : 'alice/paper is refused until enabled'),
    handler: (argv) => runCommand(deps, argv.json, (out) => tokenEnable(out, argv, deps, enabled)),
  };
}

export const tokenEnableCommand = (deps: CliDeps): CommandModule<GlobalArguments, TokenEnableArguments> => command(deps, true);
export const tokenDisableCommand = (deps: CliDeps): CommandModule<GlobalArguments, TokenEnableArguments> => command(deps, false);
