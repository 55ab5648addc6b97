/**
 * `otpctl token change USER/NAME --allow-reinit|--no-allow-reinit`: whether an S/KEY token may be
 * re-keyed remotely at login by an RFC 2243 `init-hex:`/`init-word:` answer (its `#OTPD/META reinit=`,
 * docs/store.md). Off unless turned on: one disclosed response and a won race would otherwise hand the
 * token, for good, to a chain someone else chose (docs/verify.md).
 */
import type { Argv, CommandModule } from 'yargs';
import { summarizeToken } from '../../admin/describe.js';
import { editStore } from '../../admin/edit-store.js';
import { changeMeta } from '../../admin/meta-edit.js';
import { parseTokenAddress, requireToken } from '../../admin/users.js';
import { InvalidInputError } from '../../errors.js';
import type { TokenEntry } from '../../store/index.js';
import type { CliDeps } from '../deps.js';
import type { GlobalArguments } from '../global-options.js';
import { ExitCodes, runCommand, type Output } from '../output.js';
import { resolveConfig } from '../../config/index.js';
import { auditAdmin } from '../../admin/audit-admin.js';

const REINIT = 'remote re-initialisation (RFC 2243 init-hex:/init-word:)';

export interface TokenChangeArguments extends GlobalArguments {
  token: string;
  /** Undefined when neither `--allow-reinit` nor `--no-allow-reinit` was given. */
  'allow-reinit'?: boolean;
}

/**
 * @throws InvalidInputError naming `allow-reinit` when it is turned on for a token that is not S/KEY
 *   (turning it off is always allowed: it clears a hand-written `reinit=yes`)
 */
function requireSkey(entry: TokenEntry, address: string, allowReinit: boolean): void {
  if (allowReinit && entry.kind !== 'skey') {
    throw new InvalidInputError('allow-reinit', `${address} is a ${summarizeToken(entry).type} token; ${REINIT} is only for skey tokens`);
  }
}

/**
 * Changes a token's options on its metadata line; audited (ADMIN_TOKEN_CHANGE) when something changed.
 *
 * @returns {@link ExitCodes.OK}
 * @throws InvalidInputError naming `allow-reinit` when nothing is asked or the token is not S/KEY,
 *   or naming `token` for an unknown token
 */
export async function tokenChange(out: Output, argv: TokenChangeArguments, deps: CliDeps): Promise<number> {
  const allowReinit = argv['allow-reinit'];
  if (allowReinit === undefined) throw new InvalidInputError('allow-reinit', 'say what to change: --allow-reinit or --no-allow-reinit');
  const { user, name } = parseTokenAddress(argv.token);
  const address = `${user}/${name}`;
  const config = await resolveConfig(argv, deps);
  const { result: changed } = await editStore(config.store, [user], ({ file, lines }) => {
    const entry = requireToken(file, user, name);
    requireSkey(entry, address, allowReinit);
    return changeMeta(lines, entry, { allowReinit });
  });
  if (changed) await auditAdmin(config, { code: 'ADMIN_TOKEN_CHANGE', user, token: address, reason: `reinit ${allowReinit ? 'on' : 'off'}` });
  await out.result(`${address}: ${REINIT} ${changed ? 'is now' : 'was already'} ${allowReinit ? 'on' : 'off'}`, { token: address, allowReinit, changed });
  return ExitCodes.OK;
}

export function tokenChangeCommand(deps: CliDeps): CommandModule<GlobalArguments, TokenChangeArguments> {
  return {
    command: 'change <token>',
    describe: "change a token's options: whether an S/KEY token may be re-keyed at login",
    builder: (yargs: Argv<GlobalArguments>) =>
      yargs
        .positional('token', { type: 'string', demandOption: true, describe: 'USER/NAME' })
        .option('allow-reinit', {
          type: 'boolean',
          describe: 'skey: let an init-hex:/init-word: login answer re-key the token (--no-allow-reinit: refuse it, the default)',
        })
        .example('$0 token change alice/paper --allow-reinit', 'alice may re-key alice/paper remotely (RFC 2243)')
        .example(
          '$0 token change alice/paper --no-allow-reinit',
          'refuse init-hex:/init-word: again; otpctl token add re-keys it',
        ) as Argv<TokenChangeArguments>,
    handler: (argv) => runCommand(deps, argv.json, (out) => tokenChange(out, argv, deps)),
  };
}
