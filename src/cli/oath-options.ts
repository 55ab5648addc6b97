/**
 * What `gen hotp` and `gen totp` share: their common options (oathtool's spellings), and turning the
 * parsed arguments into a validated key, digits, algorithm, window and optional code.
 */
import type { Argv } from 'yargs';
import { InvalidInputError } from '../errors.js';
import { parseKey } from '../encoding/key.js';
import { parseHmacAlgorithm, type HmacAlgorithm } from '../tokens/algorithms.js';
import { validateDigits } from '../tokens/hotp.js';
import { parseInteger } from './parse.js';

/** The largest window accepted: 10⁹ codes is minutes of native search, not hours. */
export const MAX_WINDOW = 1_000_000_000;

export interface OathArguments {
  key: string;
  code?: string;
  window: string;
  digits: string;
  algorithm: string;
  base32: boolean;
}

export interface OathRequest {
  readonly key: Uint8Array;
  readonly algorithm: HmacAlgorithm;
  readonly digits: number;
  readonly window: number;
  /** The code to look for, as a number; absent means "print the codes". */
  readonly code: number | undefined;
}

/** Adds KEY [CODE] and -w -d -a --base32 to a command. */
export function withOathOptions<T>(yargs: Argv<T>): Argv<T & OathArguments> {
  return yargs
    .positional('key', { type: 'string', describe: 'secret key, hex (or base32 with --base32); - reads it from standard input', demandOption: true })
    .positional('code', { type: 'string', describe: 'a code to look for in the window (validate mode)' })
    .option('window', { alias: 'w', type: 'string', default: '0', describe: 'how many more counters or steps to cover' })
    .option('digits', { alias: 'd', type: 'string', default: '6', describe: 'code length: 6, 7 or 8' })
    .option('algorithm', { alias: 'a', type: 'string', default: 'sha1', describe: 'HMAC: sha1, sha256 or sha512' })
    .option('base32', { type: 'boolean', default: false, describe: 'KEY is base32 (as Google Authenticator shows it)' }) as Argv<T & OathArguments>;
}

/**
 * @param code - the code as typed; must be exactly `digits` decimal digits
 * @throws InvalidInputError naming `code` (the code itself is not repeated back)
 */
export function parseCode(code: string, digits: number): number {
  if (!new RegExp(`^\\d{${digits}}$`).test(code)) throw new InvalidInputError('code', `must be exactly ${digits} digits`);
  return Number(code);
}

/** Validates everything; throws InvalidInputError naming the first bad field. */
export function toOathRequest(argv: OathArguments): OathRequest {
  const digits = validateDigits(parseInteger(argv.digits, 'digits', 0, 99));
  return {
    key: parseKey(argv.key, { base32: argv.base32 }),
    algorithm: parseHmacAlgorithm(argv.algorithm),
    digits,
    window: parseInteger(argv.window, 'window', 0, MAX_WINDOW),
    code: argv.code === undefined ? undefined : parseCode(argv.code, digits),
  };
}
