/**
 * `otpctl user add USER`: declares a user in the store (a `#OTPD/USER` line), so tokens can be added
 * to it. A user that already has token lines (pam_oath's) is known without one.
 */
import type { Argv, CommandModule } from 'yargs';
import { editStore } from '../../admin/edit-store.js';
import { USER_TYPE, insertLines, insertionPoint, isKnownUser, validateUserName } from '../../admin/users.js';
import { InvalidInputError } from '../../errors.js';
import { toBinary } from '../../store/index.js';
import type { CliDeps } from '../deps.js';
import type { GlobalArguments } from '../global-options.js';
import { ExitCodes, runCommand, type Output } from '../output.js';
import { resolveConfig } from '../../config/index.js';
import { auditAdmin } from '../../admin/audit-admin.js';

export interface UserAddArguments extends GlobalArguments {
  user: string;
}

/** @throws InvalidInputError when the user exists; StoreError when the store cannot be used */
export async function userAdd(out: Output, argv: UserAddArguments, deps: CliDeps): Promise<number> {
  const user = validateUserName(argv.user);
  const config = await resolveConfig(argv, deps);
  const { store } = config;
  await editStore(store, [user], ({ file, lines }) => {
    if (isKnownUser(file, user)) throw new InvalidInputError('user', `${user} is already in ${store}`);
    insertLines(lines, insertionPoint(lines, user), [`${USER_TYPE}\t${toBinary(user)}\n`]);
  });
  await auditAdmin(config, { code: 'ADMIN_USER_ADD', user, reason: 'added' });
  await out.result(`added user ${user}; next: otpctl token add ${user}/NAME --type totp`, { user, added: true });
  return ExitCodes.OK;
}

export function userAddCommand(deps: CliDeps): CommandModule<GlobalArguments, UserAddArguments> {
  return {
    command: 'add <user>',
    describe: 'add a user to the store',
    builder: (yargs: Argv<GlobalArguments>) =>
      yargs
        .positional('user', { type: 'string', demandOption: true, describe: 'the login name' })
        .example('$0 user add alice', 'declare alice; then give her tokens with otpctl token add alice/phone --type totp'),
    handler: (argv) => runCommand(deps, argv.json, (out) => userAdd(out, argv, deps)),
  };
}
