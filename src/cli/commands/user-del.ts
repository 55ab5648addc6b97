/**
 * `otpctl user del USER [--yes]`: removes the user's lines from the store (declaration, metadata and
 * tokens) and the user's lock-outs, sessions and pending S/KEY challenge from the state directory. Asks first at a terminal;
 * without one it needs `--yes`.
 */
import type { Argv, CommandModule } from 'yargs';
import { editStore, readForAdmin } from '../../admin/edit-store.js';
import { USER_TYPE, requireKnownUser, validateUserName } from '../../admin/users.js';
import { META_TYPE, parseOathType } from '../../store/index.js';
import { splitFields, toBinary } from '../../store/index.js';
import { openStateDir } from '../../state/index.js';
import type { CliDeps } from '../deps.js';
import type { GlobalArguments } from '../global-options.js';
import { confirm } from '../interactive.js';
import { ExitCodes, runCommand, type Output } from '../output.js';
import { resolveConfig } from '../../config/index.js';
import { auditAdmin } from '../../admin/audit-admin.js';

export interface UserDelArguments extends GlobalArguments {
  user: string;
  yes: boolean;
}

/** Whether a line is one of the user's: declaration, metadata or token line (comments stay). */
function isUsersLine(raw: string, name: string): boolean {
  const [type, user] = splitFields(raw);
  if (user !== name || type === undefined) return false;
  return type === USER_TYPE || type === META_TYPE || type.startsWith('OTPD/') || parseOathType(type) !== undefined;
}

export async function userDel(out: Output, argv: UserDelArguments, deps: CliDeps): Promise<number> {
  const user = validateUserName(argv.user);
  const config = await resolveConfig(argv, deps);
  const seen = await readForAdmin(config.store, [user]);
  requireKnownUser(seen, user);
  const count = seen.entries.length;
  await confirm(deps, `Delete user ${user} and ${count} token${count === 1 ? '' : 's'} from ${config.store}?`, argv.yes);
  const name = toBinary(user);
  const { result: removed } = await editStore(config.store, [user], ({ file, lines }) => {
    requireKnownUser(file, user);
    const kept = lines.filter((raw) => !isUsersLine(raw, name));
    const removedLines = lines.length - kept.length;
    lines.splice(0, lines.length, ...kept);
    return removedLines;
  });
  const state = await openStateDir(config.stateDir);
  const sessions = await state.listSessions(user);
  for (const session of sessions) await state.deleteSession(session.id);
  await state.unlock(user);
  await state.releaseChallenge(user); // a pending S/KEY challenge of a token that no longer exists
  await auditAdmin(config, { code: 'ADMIN_USER_DEL', user, reason: 'deleted' });
  await out.result(`deleted user ${user}: ${removed} line(s) from the store, ${sessions.length} session(s)`, {
    user,
    deleted: true,
    lines: removed,
    sessions: sessions.length,
  });
  return ExitCodes.OK;
}

export function userDelCommand(deps: CliDeps): CommandModule<GlobalArguments, UserDelArguments> {
  return {
    command: 'del <user>',
    describe: 'delete a user: their tokens, lock-outs and sessions',
    builder: (yargs: Argv<GlobalArguments>) =>
      yargs
        .positional('user', { type: 'string', demandOption: true, describe: 'the login name' })
        .option('yes', { alias: 'y', type: 'boolean', default: false, describe: 'do not ask for confirmation (needed without a terminal)' })
        .example('$0 user del alice', 'asks, then removes alice')
        .example('$0 user del alice --yes', 'in a script'),
    handler: (argv) => runCommand(deps, argv.json, (out) => userDel(out, argv, deps)),
  };
}
