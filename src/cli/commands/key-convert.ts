/**
 * `otpctl key convert KEY [--base32]`: hex to base32, or base32 to hex with --base32 (the two lines of
 * `oathtool -v`), so a key can move between users.oath (hex) and authenticator apps (base32).
 */
import type { Argv, CommandModule } from 'yargs';
import { formatBase32, formatHex, parseKey } from '../../encoding/key.js';
import type { CliDeps } from '../deps.js';
import type { GlobalArguments } from '../global-options.js';
import { ExitCodes, runCommand, type Output } from '../output.js';

export interface KeyConvertArguments extends GlobalArguments {
  key: string;
  base32: boolean;
}

export async function keyConvert(out: Output, argv: KeyConvertArguments): Promise<number> {
  const key = parseKey(argv.key, { base32: argv.base32 });
  const hex = formatHex(key);
  const base32 = formatBase32(key);
  await out.result(argv.base32 ? hex : base32, { hex, base32 });
  return ExitCodes.OK;
}

export function keyConvertCommand(deps: CliDeps): CommandModule<GlobalArguments, KeyConvertArguments> {
  return {
    command: 'convert <key>',
    describe: 'convert a key between hex and base32',
    builder: (yargs: Argv<GlobalArguments>) =>
      yargs
        .positional('key', { type: 'string', demandOption: true, describe: 'the key, hex unless --base32' })
        .option('base32', { type: 'boolean', default: false, describe: 'KEY is base32; print hex' })
        .example('$0 key convert 3132333435363738393031323334353637383930', 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ')
        .example('$0 key convert --base32 GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', '3132333435363738393031323334353637383930'),
    handler: (argv) => runCommand(deps, argv.json, (out) => keyConvert(out, argv)),
  };
}
