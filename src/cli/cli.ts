/**
 * `createCli(deps)` builds otpctl's yargs parser with every command. The process entry point
 * (otpctl.ts) passes the real stdio and clock; tests pass their own.
 */
import yargs, { type Argv } from 'yargs';
import { InvalidInputError } from '../errors.js';
import { challengeCommand } from './commands/challenge.js';
import { genHotpCommand } from './commands/gen-hotp.js';
import { genMotpCommand } from './commands/gen-motp.js';
import { genSkeyCommand } from './commands/gen-skey.js';
import { genTotpCommand } from './commands/gen-totp.js';
import { keyConvertCommand } from './commands/key-convert.js';
import { verifyCommand } from './commands/verify.js';
import { groupCommands } from './commands/group.js';
import { sessionDelCommand, sessionListCommand } from './commands/session.js';
import { tokenAddCommand } from './commands/token-add.js';
import { tokenChangeCommand } from './commands/token-change.js';
import { tokenDelCommand } from './commands/token-del.js';
import { tokenDisableCommand, tokenEnableCommand } from './commands/token-enable.js';
import { tokenGroupsCommand } from './commands/token-groups.js';
import { tokenListCommand } from './commands/token-list.js';
import { tokenResyncCommand } from './commands/token-resync.js';
import { userAddCommand } from './commands/user-add.js';
import { userDelCommand } from './commands/user-del.js';
import { userListCommand } from './commands/user-list.js';
import { userLockCommand, userUnlockCommand } from './commands/user-lock.js';
import { userShowCommand } from './commands/user-show.js';
import type { CliDeps } from './deps.js';
import { withGlobalOptions, type GlobalArguments } from './global-options.js';
import { Output } from './output.js';
import { STDIN_ARGUMENT } from './interactive.js';

/**
 * @param deps - stdio, clock, pass-phrase reader and backend
 * @returns a parser whose usage errors reject `parseAsync` (runCli reports them)
 */
export function createCli(deps: CliDeps): Argv<GlobalArguments> {
  const cli = withGlobalOptions(yargs())
    .scriptName('otpctl')
    .usage('$0 <command> [options]\n\nOne-time passwords for Linux logins: manage users and tokens, generate, convert and check codes.')
    .command('gen', 'generate or validate one-time passwords', (gen) =>
      gen
        .command(genHotpCommand(deps))
        .command(genTotpCommand(deps))
        .command(genSkeyCommand(deps))
        .command(genMotpCommand(deps))
        .example('$0 gen totp --base32 JBSWY3DPEHPK3PXP', 'the current TOTP code of a base32 key')
        .demandCommand(1, 'gen needs a token type: hotp, totp, skey or motp'),
    )
    .command(verifyCommand(deps))
    .command(challengeCommand(deps))
    .command('key', 'work with OATH keys', (key) =>
      key
        .command(keyConvertCommand(deps))
        .example('$0 key convert --base32 JBSWY3DPEHPK3PXP', 'the hex key for users.oath')
        .demandCommand(1, 'key needs a subcommand: convert'),
    )
    .command('user', 'manage users: add, del, list, show, lock, unlock', (user) =>
      user
        .command(userAddCommand(deps))
        .command(userDelCommand(deps))
        .command(userListCommand(deps))
        .command(userShowCommand(deps))
        .command(userLockCommand(deps))
        .command(userUnlockCommand(deps))
        .example('$0 user list', 'every user with the number of tokens')
        .demandCommand(1, 'user needs a subcommand: add, del, list, show, lock or unlock'),
    )
    .command('token', 'manage tokens: add, del, list, enable, disable, groups, change, resync', (token) =>
      token
        .command(tokenAddCommand(deps))
        .command(tokenDelCommand(deps))
        .command(tokenListCommand(deps))
        .command(tokenEnableCommand(deps))
        .command(tokenDisableCommand(deps))
        .command(tokenGroupsCommand(deps))
        .command(tokenChangeCommand(deps))
        .command(tokenResyncCommand(deps))
        .example('$0 token list alice', "alice's tokens")
        .demandCommand(1, 'token needs a subcommand: add, del, list, enable, disable, groups, change or resync'),
    )
    .command('group', 'manage service groups in otpd.conf: add, del, list, show, services', (group) =>
      groupCommands(deps)
        .reduce((g, c) => g.command(c), group)
        .example('$0 group list', 'the groups and their services')
        .demandCommand(1, 'group needs a subcommand: add, del, list, show or services'),
    )
    .command('session', 'list or end sessions', (session) =>
      session
        .command(sessionListCommand(deps))
        .command(sessionDelCommand(deps))
        .example('$0 session list alice', "alice's open sessions")
        .demandCommand(1, 'session needs a subcommand: list or del'),
    )
    .example('$0 user add alice && $0 token add alice/phone --type totp', 'enrol a phone: scan the QR code printed')
    .example('$0 verify alice 123456 --service sshd', 'check a code as a login of sshd would')
    .example('$0 user show alice', "alice's tokens, lock-outs and sessions")
    .completion('completion', 'print a bash/zsh completion script: otpctl completion >> ~/.bashrc')
    .demandCommand(1, 'give a command; see otpctl --help')
    .strict()
    .help()
    .alias('help', 'h')
    .version()
    .wrap(Math.min(100, process.stdout.columns ?? 100))
    .fail((message, error) => {
      // Stop here (yargs would otherwise run the handler anyway); runCli reports it.
      // yargs lists every unknown word; after the first they are usually the command's own positionals
      // (a key), which must not be echoed: name only the first.
      const safe = (message ?? 'invalid arguments').replace(/^Unknown arguments: ([^,]+),[\s\S]*$/, 'Unknown argument: $1 (and the words after it)');
      throw error ?? new InvalidInputError('usage', safe);
    });
  return cli;
}

/**
 * Parses and runs one otpctl invocation; the outcome is in `process.exitCode`. Usage errors become one
 * line naming what is wrong and exit 2, as oathtool and opiekey do.
 */
export async function runCli(deps: CliDeps, args: readonly string[]): Promise<void> {
  try {
    await createCli(deps).parseAsync(args.map((arg) => (arg === '-' ? STDIN_ARGUMENT : arg)));
  } catch (error) {
    new Output(deps, args.includes('--json')).fail(error);
  }
}
