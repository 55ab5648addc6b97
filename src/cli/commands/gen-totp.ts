/**
 * `otpctl gen totp KEY [CODE] [--now T] [-s STEP] [--t0 T0] [-w W] [-d] [-a] [--base32]`: what
 * `oathtool --totp=ALG -N @T -s STEPs` does. Without CODE, the codes for the time steps now ..= now+W;
 * with CODE, searches now-W ..= now+W and prints how many steps away the nearest match is (as oathtool does).
 */
import type { Argv, CommandModule } from 'yargs';
import type { OtpBackend } from '../../otp-backend/backend.js';
import { totpCounter } from '../../tokens/totp.js';
import type { CliDeps } from '../deps.js';
import type { GlobalArguments } from '../global-options.js';
import { findCounter, listCodes } from '../oath-codes.js';
import { toOathRequest, withOathOptions, type OathArguments, type OathRequest } from '../oath-options.js';
import { valueOrStdin } from '../interactive.js';
import { ExitCodes, runCommand, type Output } from '../output.js';
import { parseDurationSeconds, parseUnixSeconds } from '../parse.js';

export interface GenTotpArguments extends OathArguments, GlobalArguments {
  now?: string;
  step: string;
  t0: string;
}

/**
 * The match nearest to `current` in `first ..= last`, as liboath's TOTP validation picks it: it tries
 * steps current, current+1, current-1, current+2, current-2, … so on a tie the later step wins. Two
 * ascending searches (matches are rare, so the loop over earlier matches runs about once).
 */
async function findNearestCounter(
  backend: OtpBackend,
  request: OathRequest,
  code: number,
  first: number,
  current: number,
  last: number,
): Promise<number | null> {
  const later = await findCounter(backend, request, code, current, last);
  let earlier: number | null = null;
  for (let from = first; from < current;) {
    const found = await findCounter(backend, request, code, from, current - 1);
    if (found === null) break;
    earlier = found;
    from = found + 1;
  }
  if (earlier === null) return later;
  if (later === null) return earlier;
  return later - current <= current - earlier ? later : earlier;
}

/**
 * @param nowSeconds - the clock, used when `--now` is absent
 * @returns the exit code: 0, or 1 when CODE is given and not found
 */
export async function genTotp(out: Output, backend: OtpBackend, argv: GenTotpArguments, nowSeconds: number): Promise<number> {
  const request = toOathRequest(argv);
  const step = parseDurationSeconds(argv.step);
  const t0 = parseUnixSeconds(argv.t0, 't0');
  const time = argv.now === undefined ? nowSeconds : parseUnixSeconds(argv.now);
  const current = totpCounter(time, step, t0);
  if (request.code === undefined) {
    await listCodes(out, backend, request, current, current + request.window);
    return ExitCodes.OK;
  }
  const first = Math.max(0, current - request.window);
  const last = current + request.window;
  const counter = await findNearestCounter(backend, request, request.code, first, current, last);
  if (counter === null) {
    out.note(`code not found for time steps ${first} .. ${last}`);
    if (out.json) await out.result('', { match: false, first, last });
    return ExitCodes.NO_MATCH;
  }
  const offset = counter - current;
  await out.result(String(Math.abs(offset)), { match: true, counter, offset });
  return ExitCodes.OK;
}

export function genTotpCommand(deps: CliDeps): CommandModule<GlobalArguments, GenTotpArguments> {
  return {
    command: 'totp <key> [code]',
    describe: 'TOTP codes (RFC 6238), as oathtool --totp',
    builder: (yargs: Argv<GlobalArguments>) =>
      withOathOptions(yargs)
        .option('now', { alias: 'N', type: 'string', describe: 'UNIX time in seconds (or @SECONDS) instead of the clock' })
        .option('step', { alias: 's', type: 'string', default: '30', describe: 'time step: 30, 30s, 1m' })
        .option('t0', { alias: 'S', type: 'string', default: '0', describe: 'UNIX time of step 0 (RFC 6238 T0)' })
        .example('$0 gen totp 3132333435363738393031323334353637383930 --now 59 -d 8', 'RFC 6238 test vector: 94287082')
        .example('$0 gen totp --base32 JBSWY3DPEHPK3PXP 123456 -w 1', 'is this code valid now, give or take one step?') as Argv<GenTotpArguments>,
    handler: (argv) =>
      runCommand(deps, argv.json, async (out) =>
        genTotp(out, deps.backend(), { ...argv, key: await valueOrStdin(deps, argv.key, 'Key: ') }, Math.floor(deps.now() / 1000)),
      ),
  };
}
