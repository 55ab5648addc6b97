/**
 * `createCli(deps)` builds otpctl's yargs parser with every command. The process entry point
 * (otpctl.ts) passes the real stdio and clock; tests pass their own.
 */
import yargs, { type Argv } from 'yargs';
import { InvalidInputError } from '../errors.js';
import { genHotpCommand } from './commands/gen-hotp.js';
import { genMotpCommand } from './commands/gen-motp.js';
import { genSkeyCommand } from './commands/gen-skey.js';
import { genTotpCommand } from './commands/gen-totp.js';
import { keyConvertCommand } from './commands/key-convert.js';
import type { CliDeps } from './deps.js';
import type { GlobalArguments } from './global-options.js';
import { Output } from './output.js';

/**
 * @param deps - stdio, clock, pass-phrase reader and backend
 * @returns a parser; call `.parseAsync(args)` and read `process.exitCode`
 */
export function createCli(deps: CliDeps): Argv<GlobalArguments> {
  const cli = yargs()
    .scriptName('otpctl')
    .usage('$0 <command> [options]\n\nOne-time passwords for Linux logins: generate, convert and check codes.')
    .option('json', { type: 'boolean', default: false, global: true, describe: 'print one JSON document' })
    .command('gen', 'generate or validate one-time passwords', (gen) =>
      gen
        .command(genHotpCommand(deps))
        .command(genTotpCommand(deps))
        .command(genSkeyCommand(deps))
        .command(genMotpCommand(deps))
        .demandCommand(1, 'gen needs a token type: hotp, totp, skey or motp'),
    )
    .command('key', 'work with OATH keys', (key) =>
      key.command(keyConvertCommand(deps)).demandCommand(1, 'key needs a subcommand: convert'),
    )
    .demandCommand(1, 'give a command; see otpctl --help')
    .strict()
    .recommendCommands()
    .help()
    .alias('help', 'h')
    .version()
    .wrap(Math.min(100, process.stdout.columns ?? 100))
    .fail((message, error, parser) => {
      // Usage errors: one line naming what is wrong, exit 2 (oathtool and opiekey do the same).
      const json = parser.parsed !== false && parser.parsed.argv.json === true;
      new Output(deps, json).fail(error ?? new InvalidInputError('usage', message ?? 'invalid arguments'));
    });
  return cli as unknown as Argv<GlobalArguments>;
}
