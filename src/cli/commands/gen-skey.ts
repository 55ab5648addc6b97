/**
 * `otpctl gen skey [--md4|--md5|--sha1] SEQ SEED [-n COUNT] [--hex]`, or with the challenge as one
 * argument (`"otp-md5 499 bi0617 ext"`): the S/KEY response(s) for a pass phrase read without echo,
 * as opiekey and Heimdal's otpprint compute them.
 */
import type { Argv, CommandModule } from 'yargs';
import { InvalidInputError } from '../../errors.js';
import type { OtpBackend } from '../../otp-backend/backend.js';
import type { SkeyAlgorithm } from '../../tokens/algorithms.js';
import { parseSkeyChallenge, validateSequence } from '../../tokens/skey/challenge.js';
import { formatSkeyHex } from '../../tokens/skey/hex.js';
import { skeySecret, validatePassphrase, validateSeed } from '../../tokens/skey/secret.js';
import { toSixWords } from '../../tokens/skey/words.js';
import type { CliDeps } from '../deps.js';
import type { GlobalArguments } from '../global-options.js';
import { ExitCodes, runCommand, type Output } from '../output.js';
import { parseInteger } from '../parse.js';

/** The most responses one call prints: a long paper list, not a denial of service. */
const MAX_LIST = 10_000;

export interface GenSkeyArguments extends GlobalArguments {
  challenge: string[];
  md4: boolean;
  md5: boolean;
  sha1: boolean;
  count?: string;
  hex: boolean;
}

interface SkeyRequest {
  algorithm: SkeyAlgorithm;
  sequence: number;
  seed: string;
}

function flaggedAlgorithm(argv: GenSkeyArguments): SkeyAlgorithm | undefined {
  const flagged = (['md4', 'md5', 'sha1'] as const).filter((name) => argv[name]);
  if (flagged.length > 1) throw new InvalidInputError('algorithm', `choose one of --${flagged.join(', --')}`);
  return flagged[0];
}

/** Accepts `SEQ SEED`, or a challenge as one argument or as its separate words (`otp-md5 499 bi0617`). */
function toSkeyRequest(argv: GenSkeyArguments): SkeyRequest {
  const flagged = flaggedAlgorithm(argv);
  const words = argv.challenge.map(String);
  if (words[0]?.toLowerCase().startsWith('otp-')) {
    const challenge = parseSkeyChallenge(words.join(' '));
    if (flagged !== undefined && flagged !== challenge.algorithm) {
      throw new InvalidInputError('algorithm', `--${flagged} contradicts the challenge's otp-${challenge.algorithm}`);
    }
    return { algorithm: challenge.algorithm, sequence: challenge.sequence, seed: challenge.seed };
  }
  if (words.length !== 2) throw new InvalidInputError('challenge', 'give SEQ SEED, or a challenge like "otp-md5 499 bi0617"');
  const [sequence = '', seed = ''] = words;
  return { algorithm: flagged ?? 'md5', sequence: validateSequence(parseInteger(sequence, 'sequence', 0, Number.MAX_SAFE_INTEGER)), seed: validateSeed(seed) };
}

export async function genSkey(out: Output, backend: OtpBackend, argv: GenSkeyArguments, readPassphrase: () => Promise<string>): Promise<number> {
  const { algorithm, sequence, seed } = toSkeyRequest(argv);
  const count = argv.count === undefined ? undefined : parseInteger(argv.count, 'count', 1, Math.min(MAX_LIST, sequence + 1));
  const passphrase = await readPassphrase();
  validatePassphrase(passphrase);
  const secret = skeySecret(seed, passphrase);
  const format = (value: Uint8Array): string => (argv.hex ? formatSkeyHex(value, 'compact') : toSixWords(value));
  if (count === undefined) {
    const response = format(backend.skeyChain(algorithm, secret, sequence));
    await out.result(response, { algorithm, sequence, seed, response });
    return ExitCodes.OK;
  }
  const first = sequence - count + 1;
  const responses = backend.skeyList(algorithm, secret, first, count).map((value, i) => ({ sequence: first + i, response: format(value) }));
  await out.result(responses.map((r) => `${r.sequence}: ${r.response}`).join('\n'), { algorithm, seed, responses });
  return ExitCodes.OK;
}

export function genSkeyCommand(deps: CliDeps): CommandModule<GlobalArguments, GenSkeyArguments> {
  return {
    command: 'skey <challenge..>',
    describe: 'S/KEY responses (RFC 2289), as opiekey and otpprint; pass phrase read without echo',
    builder: (yargs: Argv<GlobalArguments>) =>
      yargs
        .positional('challenge', { type: 'string', array: true, describe: 'SEQ SEED, or a challenge "otp-md5 499 bi0617 ext"' })
        .option('md4', { type: 'boolean', default: false, describe: 'MD4 (S/KEY classic)' })
        .option('md5', { type: 'boolean', default: false, describe: 'MD5 (the default)' })
        .option('sha1', { type: 'boolean', default: false, describe: 'SHA-1 (RFC 2289 Appendix A byte order)' })
        .option('count', { alias: 'n', type: 'string', describe: 'print COUNT responses ending at SEQ, as "N: WORDS"' })
        .option('hex', { alias: 'x', type: 'boolean', default: false, describe: 'hex instead of six words' })
        .example('$0 gen skey 499 bi0617', 'the response to otp-md5 499 bi0617')
        .example('$0 gen skey "otp-sha1 99 alpha1 ext" -n 10', 'a paper list of ten responses') as Argv<GenSkeyArguments>,
    handler: (argv) => runCommand(deps, argv.json, (out) => genSkey(out, deps.backend(), argv, () => deps.readSecret('Pass phrase: '))),
  };
}
