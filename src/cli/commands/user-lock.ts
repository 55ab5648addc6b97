/**
 * `otpctl user lock USER [--group G]` and `otpctl user unlock USER [--group G]`: an administrator's
 * lock-out in the state directory (docs/state.md), for every service group — also groups the
 * configuration gains later — or one. A lock set here lasts until `user unlock` (it does not expire
 * with `unlock_after`); unlocking also clears the failure counts. Unlocking one group of a user locked
 * for every group leaves the user locked for each other group configured now. Both are audited
 * (ADMIN_LOCK, ADMIN_UNLOCK).
 */
import type { Argv, CommandModule } from 'yargs';
import { readForAdmin } from '../../admin/edit-store.js';
import { requireKnownUser, validateUserName } from '../../admin/users.js';
import type { OtpdConfig } from '../../config/index.js';
import { InvalidInputError } from '../../errors.js';
import { EVERY_GROUP, openStateDir } from '../../state/index.js';
import type { CliDeps } from '../deps.js';
import type { GlobalArguments } from '../global-options.js';
import { ExitCodes, runCommand, type Output } from '../output.js';
import { resolveConfig } from '../../config/index.js';
import { auditAdmin } from '../../admin/audit-admin.js';

export interface UserLockArguments extends GlobalArguments {
  user: string;
  group?: string;
}

function checkGroup(config: OtpdConfig, group: string): string {
  if (config.groups[group] === undefined)
    throw new InvalidInputError('group', `${group} is not a group of the configuration (groups: ${Object.keys(config.groups).sort().join(', ')})`);
  return group;
}

export async function userLock(out: Output, argv: UserLockArguments, deps: CliDeps): Promise<number> {
  const user = validateUserName(argv.user);
  const config = await resolveConfig(argv, deps);
  requireKnownUser(await readForAdmin(config.store, [user]), user);
  const group = argv.group === undefined ? EVERY_GROUP : checkGroup(config, argv.group);
  const state = await openStateDir(config.stateDir);
  await state.adminLock(user, group, deps.now() / 1000);
  await auditAdmin(config, { code: 'ADMIN_LOCK', user, reason: argv.group === undefined ? 'all groups' : `group ${argv.group}` });
  const what = argv.group === undefined ? 'every service group (also groups added later)' : argv.group;
  await out.result(`locked ${user} for ${what} until otpctl user unlock ${user}`, { user, locked: [group] });
  return ExitCodes.OK;
}

export async function userUnlock(out: Output, argv: UserLockArguments, deps: CliDeps): Promise<number> {
  const user = validateUserName(argv.user);
  const config = await resolveConfig(argv, deps);
  const state = await openStateDir(config.stateDir);
  const now = deps.now() / 1000;
  let narrowed: string[] = [];
  let cleared: number;
  if (argv.group === undefined) cleared = await state.unlock(user);
  else {
    // Locked for every group: every other group stays locked, each on its own, in the same update.
    const group = checkGroup(config, argv.group);
    ({ cleared, stillLocked: narrowed } = await state.adminUnlockGroup(user, group, Object.keys(config.groups).sort(), now));
  }
  await auditAdmin(config, { code: 'ADMIN_UNLOCK', user, reason: argv.group === undefined ? 'all groups' : `group ${argv.group}` });
  const still = narrowed.length === 0 ? '' : `; still locked for ${narrowed.join(', ')} (no longer for groups added later)`;
  await out.result(`unlocked ${user}${argv.group === undefined ? '' : ` for ${argv.group}`}: ${cleared} failure record(s) cleared${still}`, {
    user,
    unlocked: true,
    cleared,
    stillLocked: narrowed,
  });
  return ExitCodes.OK;
}

function builder(yargs: Argv<GlobalArguments>, verb: 'lock' | 'unlock'): Argv<UserLockArguments> {
  return yargs
    .positional('user', { type: 'string', demandOption: true, describe: 'the login name' })
    .option('group', { alias: 'g', type: 'string', describe: 'only this service group (default: every group)' })
    .example(`$0 user ${verb} alice`, verb === 'lock' ? 'refuse every login of alice until unlocked' : 'let alice log in again, failure counts cleared')
    .example(`$0 user ${verb} alice --group remote`, `only for the services of group remote`) as Argv<UserLockArguments>;
}

export function userLockCommand(deps: CliDeps): CommandModule<GlobalArguments, UserLockArguments> {
  return {
    command: 'lock <user>',
    describe: 'lock a user out until unlocked',
    builder: (yargs: Argv<GlobalArguments>) => builder(yargs, 'lock'),
    handler: (argv) => runCommand(deps, argv.json, (out) => userLock(out, argv, deps)),
  };
}

export function userUnlockCommand(deps: CliDeps): CommandModule<GlobalArguments, UserLockArguments> {
  return {
    command: 'unlock <user>',
    describe: 'end a lock-out and clear the failure counts',
    builder: (yargs: Argv<GlobalArguments>) => builder(yargs, 'unlock'),
    handler: (argv) => runCommand(deps, argv.json, (out) => userUnlock(out, argv, deps)),
  };
}
