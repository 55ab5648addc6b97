/**
 * `otpctl gen motp SECRET PIN [--now T] [--offset HOURS]`: the Mobile-OTP code for a time, as the
 * phone app shows it.
 */
import type { Argv, CommandModule } from 'yargs';
import { motpCode, motpSlot, validateMotpPin, validateMotpSecret } from '../../tokens/motp.js';
import type { CliDeps } from '../deps.js';
import type { GlobalArguments } from '../global-options.js';
import { oneFromStdin, valueOrStdin } from '../interactive.js';
import { ExitCodes, runCommand, type Output } from '../output.js';
import { parseInteger, parseUnixSeconds } from '../parse.js';

export interface GenMotpArguments extends GlobalArguments {
  secret: string;
  pin: string;
  now?: string;
  offset: string;
}

export async function genMotp(out: Output, argv: GenMotpArguments, nowSeconds: number): Promise<number> {
  const secret = validateMotpSecret(argv.secret);
  const pin = validateMotpPin(argv.pin);
  const offsetHours = parseInteger(argv.offset, 'offset', -24, 24);
  const time = argv.now === undefined ? nowSeconds : parseUnixSeconds(argv.now);
  const code = motpCode(secret, pin, time, offsetHours);
  await out.result(code, { code, slot: motpSlot(time, offsetHours) });
  return ExitCodes.OK;
}

export function genMotpCommand(deps: CliDeps): CommandModule<GlobalArguments, GenMotpArguments> {
  return {
    command: 'motp <secret> <pin>',
    describe: 'Mobile-OTP code (md5 of 10-second slot, secret and PIN)',
    builder: (yargs: Argv<GlobalArguments>) =>
      yargs
        .positional('secret', { type: 'string', demandOption: true, describe: '16 to 32 hex characters, as the app shows (- reads it from standard input)' })
        .positional('pin', { type: 'string', demandOption: true, describe: 'the PIN typed into the app (- reads it from standard input)' })
        .option('now', { alias: 'N', type: 'string', describe: 'UNIX time in seconds instead of the clock' })
        .option('offset', { type: 'string', default: '0', describe: "the phone's time-zone offset in hours" })
        .example('$0 gen motp 1234567890abcdef 1234 --now 1700000000', 'prints 660af9') as Argv<GenMotpArguments>,
    handler: (argv) =>
      runCommand(deps, argv.json, async (out) => {
        oneFromStdin({ secret: argv.secret, pin: argv.pin });
        const secret = await valueOrStdin(deps, argv.secret, 'Secret: ');
        const pin = await valueOrStdin(deps, argv.pin, 'PIN: ');
        return genMotp(out, { ...argv, secret, pin }, Math.floor(deps.now() / 1000));
      }),
  };
}
