/**
 * `otpctl token resync USER/NAME CODE1 CODE2 [--window N]`: brings a drifted token back in step from
 * two consecutive codes. HOTP: searches N counters after the stored one (default 10 000) and stores the
 * counter of CODE2. TOTP: searches ± N steps around now and stores the token's clock skew (its
 * `#OTPD/META skew=`), which the verifier then applies; both codes count as used.
 */
import type { Argv, CommandModule } from 'yargs';
import { editStore, readForAdmin, requireCleanUser } from '../../admin/edit-store.js';
import { changeMeta } from '../../admin/meta-edit.js';
import { findHotpPair, findTotpPair } from '../../admin/resync.js';
import { parseTokenAddress, requireToken } from '../../admin/users.js';
import { InvalidInputError } from '../../errors.js';
import { MAX_SKEW_STEPS, renderUpdate, type OathEntry } from '../../store/index.js';
import { totpCounter } from '../../tokens/totp.js';
import type { CliDeps } from '../deps.js';
import type { GlobalArguments } from '../global-options.js';
import { parseCode } from '../oath-options.js';
import { ExitCodes, runCommand, type Output } from '../output.js';
import { parseInteger } from '../parse.js';
import { resolveConfig } from '../../config/index.js';
import { auditAdmin } from '../../admin/audit-admin.js';

/** Default search: ten thousand counters, or steps each way (about 3.5 days of 30-second steps). */
export const DEFAULT_RESYNC_WINDOW = 10_000;

export interface TokenResyncArguments extends GlobalArguments {
  token: string;
  code1: string;
  code2: string;
  window: string;
}

export async function tokenResync(out: Output, argv: TokenResyncArguments, deps: CliDeps): Promise<number> {
  const { user, name } = parseTokenAddress(argv.token);
  const config = await resolveConfig(argv, deps);
  const { store } = config;
  const file = await readForAdmin(store, [user]);
  requireCleanUser(file, user);
  const entry = requireToken(file, user, name);
  if (entry.kind !== 'oath') throw new InvalidInputError('token', `${user}/${name} is not an HOTP or TOTP token; only those can be resynchronised`);
  const window = parseInteger(argv.window, 'window', 1, 100_000_000);
  const digits = entry.type.digits;
  const search = {
    backend: deps.backend(),
    entry,
    code1: Number(parseCode(String(argv.code1), digits)),
    code2: Number(parseCode(String(argv.code2), digits)),
    progress: (done: number, total: number) => out.note(`searched ${done} of ${total}`),
  };
  const nowSeconds = Math.floor(deps.now() / 1000);
  const time = new Date(nowSeconds * 1000);
  const totp = entry.type.stepSeconds !== 0;
  const nowStep = totp ? totpCounter(nowSeconds, entry.type.stepSeconds, 0) : 0;
  const found = totp ? await findTotpPair(search, nowStep, window) : await findHotpPair(search, window);
  if (found === null) {
    throw new InvalidInputError(
      'codes',
      `the two codes are not consecutive codes of ${user}/${name} within ${totp ? `± ${window} steps of now` : `${window} counters after ${entry.counter}`}; try a larger --window`,
    );
  }
  const skew = found - nowStep;
  if (totp && Math.abs(skew) > MAX_SKEW_STEPS) throw new InvalidInputError('codes', `the token's clock is more than ${MAX_SKEW_STEPS} steps off`);
  await editStore(store, [user], ({ file: fresh, lines }) => {
    const current = requireToken(fresh, user, name) as OathEntry;
    // The search used the line as read before the lock; a login may have moved it since.
    if (current.raw !== entry.raw)
      throw new InvalidInputError('token', `${user}/${name} changed while searching (a login?); nothing was changed, run resync again with two new codes`);
    const state = { kind: 'oath' as const, counter: totp ? current.counter : found, lastOtp: String(argv.code2), time };
    lines[current.line - 1] = renderUpdate(current, state);
    if (totp) changeMeta(lines, current, { skew });
  });
  await auditAdmin(config, {
    code: 'ADMIN_TOKEN_CHANGE',
    user,
    token: `${user}/${name}`,
    reason: totp ? `resynchronised: skew ${skew}` : `resynchronised: counter ${found}`,
  });
  const text = totp
    ? `${user}/${name} resynchronised: its clock is ${skew} step(s) off (${skew * entry.type.stepSeconds} s)`
    : `${user}/${name} resynchronised at counter ${found}`;
  await out.result(text, totp ? { token: `${user}/${name}`, skew, skewSeconds: skew * entry.type.stepSeconds } : { token: `${user}/${name}`, counter: found });
  return ExitCodes.OK;
}

export function tokenResyncCommand(deps: CliDeps): CommandModule<GlobalArguments, TokenResyncArguments> {
  return {
    command: 'resync <token> <code1> <code2>',
    describe: 'bring a drifted HOTP counter or TOTP clock back in step from two consecutive codes',
    builder: (yargs: Argv<GlobalArguments>) =>
      yargs
        .positional('token', { type: 'string', demandOption: true, describe: 'USER/NAME of an HOTP or TOTP token' })
        .positional('code1', { type: 'string', demandOption: true, describe: 'a code shown by the token' })
        .positional('code2', { type: 'string', demandOption: true, describe: 'the next code it shows' })
        .option('window', { alias: 'w', type: 'string', default: String(DEFAULT_RESYNC_WINDOW), describe: 'HOTP: counters to search; TOTP: steps each way' })
        .example('$0 token resync alice/hw 123456 654321', 'HOTP: find the pair in the next 10 000 counters')
        .example('$0 token resync alice/phone 123456 654321 -w 2880', 'TOTP: find the skew within ±1 day of 30-second steps'),
    handler: (argv) => runCommand(deps, argv.json, (out) => tokenResync(out, argv, deps)),
  };
}
