/**
 * `otpctl user lock USER [--group G]` and `otpctl user unlock USER [--group G]`: an administrator's
 * lock-out in the state directory (docs/state.md), for every service group of the configuration or
 * one. A lock set here lasts until `user unlock` (it does not expire with `unlock_after`); unlocking
 * also clears the failure counts. Both are audited (ADMIN_LOCK, ADMIN_UNLOCK).
 */
import { randomBytes } from 'node:crypto';
import type { Argv, CommandModule } from 'yargs';
import { readForAdmin } from '../../admin/edit-store.js';
import { requireKnownUser, validateUserName } from '../../admin/users.js';
import type { OtpdConfig } from '../../config/index.js';
import { InvalidInputError } from '../../errors.js';
import { openStateDir } from '../../state/index.js';
import type { CliDeps } from '../deps.js';
import type { GlobalArguments } from '../global-options.js';
import { ExitCodes, runCommand, type Output } from '../output.js';
import { resolveConfig } from '../policy-context.js';
import { auditAdmin } from '../admin-audit.js';

export interface UserLockArguments extends GlobalArguments {
  user: string;
  group?: string;
}

function groupsOf(config: OtpdConfig, group: string | undefined): string[] {
  if (group === undefined) return Object.keys(config.groups).sort();
  if (config.groups[group] === undefined) throw new InvalidInputError('group', `${group} is not a group of the configuration (groups: ${Object.keys(config.groups).sort().join(', ')})`);
  return [group];
}

export async function userLock(out: Output, argv: UserLockArguments, deps: CliDeps): Promise<number> {
  const user = validateUserName(argv.user);
  const config = await resolveConfig(argv, deps);
  requireKnownUser(await readForAdmin(config.store, [user]), user);
  const groups = groupsOf(config, argv.group);
  const state = await openStateDir(config.stateDir);
  const now = deps.now() / 1000;
  for (const group of groups) {
    // Start from a clean record so the lock has no end (a lock from failures would keep its expiry),
    // then one failure at max_fail 1 with no automatic unlock: the state directory's own rule locks.
    await state.unlock(user, group);
    await state.recordFailure(user, group, randomBytes(32).toString('hex'), now, { maxFail: 1, unlockAfterSeconds: 0 });
  }
  await auditAdmin(config, { code: 'ADMIN_LOCK', user, reason: argv.group === undefined ? 'all groups' : `group ${argv.group}` });
  await out.result(`locked ${user} for ${groups.join(', ')} until otpctl user unlock ${user}`, { user, locked: groups });
  return ExitCodes.OK;
}

export async function userUnlock(out: Output, argv: UserLockArguments, deps: CliDeps): Promise<number> {
  const user = validateUserName(argv.user);
  const config = await resolveConfig(argv, deps);
  if (argv.group !== undefined) groupsOf(config, argv.group);
  const state = await openStateDir(config.stateDir);
  const cleared = await state.unlock(user, argv.group);
  await auditAdmin(config, { code: 'ADMIN_UNLOCK', user, reason: argv.group === undefined ? 'all groups' : `group ${argv.group}` });
  await out.result(`unlocked ${user}${argv.group === undefined ? '' : ` for ${argv.group}`}: ${cleared} failure record(s) cleared`, { user, unlocked: true, cleared });
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
