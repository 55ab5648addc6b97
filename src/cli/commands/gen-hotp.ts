/**
 * `otpctl gen hotp KEY [CODE] [-c COUNTER] [-w WINDOW] [-d DIGITS] [-a ALG] [--base32]`: what
 * `oathtool --hotp` does. Without CODE, the codes for COUNTER ..= COUNTER+WINDOW; with CODE, the first
 * counter in that range whose code matches (exit 1 when none does). oathtool prints the offset from
 * COUNTER instead; `--json` gives both.
 */
import type { Argv, CommandModule } from 'yargs';
import { BACKEND_LIMITS } from '../../bounds.js';
import type { OtpBackend } from '../../otp-backend/backend.js';
import type { CliDeps } from '../deps.js';
import { findCounter, listCodes } from '../oath-codes.js';
import { toOathRequest, withOathOptions, type OathArguments } from '../oath-options.js';
import { valueOrStdin } from '../interactive.js';
import { ExitCodes, runCommand, type Output } from '../output.js';
import { parseInteger } from '../parse.js';
import type { GlobalArguments } from '../global-options.js';
import { InvalidInputError } from '../../errors.js';

export interface GenHotpArguments extends OathArguments, GlobalArguments {
  counter: string;
}

/**
 * @returns the exit code: 0, or 1 when CODE is given and not found
 * @throws InvalidInputError for any bad argument
 */
export async function genHotp(out: Output, backend: OtpBackend, argv: GenHotpArguments): Promise<number> {
  const request = toOathRequest(argv);
  const first = parseInteger(argv.counter, 'counter', 0, BACKEND_LIMITS.maxCounter);
  const last = first + request.window;
  if (!Number.isSafeInteger(last)) throw new InvalidInputError('window', `counter + window exceeds ${BACKEND_LIMITS.maxCounter}`);
  if (request.code === undefined) {
    await listCodes(out, backend, request, first, last);
    return ExitCodes.OK;
  }
  const counter = await findCounter(backend, request, request.code, first, last);
  if (counter === null) {
    out.note(`code not found for counters ${first} .. ${last}`);
    if (out.json) await out.result('', { match: false, first, last });
    return ExitCodes.NO_MATCH;
  }
  // On purpose unlike oathtool, which prints the offset from COUNTER (README); --json gives both.
  await out.result(String(counter), { match: true, counter, offset: counter - first });
  return ExitCodes.OK;
}

export function genHotpCommand(deps: CliDeps): CommandModule<GlobalArguments, GenHotpArguments> {
  return {
    command: 'hotp <key> [code]',
    describe: 'HOTP codes (RFC 4226), as oathtool --hotp',
    builder: (yargs: Argv<GlobalArguments>) =>
      withOathOptions(yargs)
        .option('counter', { alias: 'c', type: 'string', default: '0', describe: 'first counter' })
        .example('$0 gen hotp 3132333435363738393031323334353637383930 -c 0 -w 2', 'three codes, counters 0 to 2')
        .example('$0 gen hotp KEY 254676 -w 10000000', 'which counter produced this code?')
        .example('$0 gen hotp - < keyfile', 'the key from standard input (KEY -, as oathtool), out of the process list'),
    handler: (argv) => runCommand(deps, argv.json, async (out) => genHotp(out, deps.backend(), { ...argv, key: await valueOrStdin(deps, argv.key, 'Key: ') })),
  };
}
