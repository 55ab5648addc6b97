/**
 * The options of `otpctl token add`, per token type (a type ignores the others' options), with the
 * examples its help shows.
 */
import type { Argv } from 'yargs';
import { DEFAULT_BACKUP_COUNT } from '../../admin/enrol-secret.js';
import { DEFAULT_SKEY_SEQUENCE } from '../../admin/enrol-skey.js';
import type { GlobalArguments } from '../global-options.js';

export const TOKEN_TYPES = Object.freeze(['hotp', 'totp', 'skey', 'motp', 'password', 'backup'] as const);
export type TokenType = (typeof TOKEN_TYPES)[number];

export interface TokenAddArguments extends GlobalArguments {
  token: string;
  type: TokenType;
  groups?: string;
  key?: string;
  base32: boolean;
  digits: string;
  algorithm: string;
  period: string;
  counter: string;
  issuer?: string;
  qr: boolean;
  'qr-png'?: string;
  md4: boolean;
  md5: boolean;
  sha1: boolean;
  seq: string;
  seed?: string;
  response?: string;
  /** Undefined when not given: a new token gets no, a re-enrolled one keeps what it had. */
  'allow-reinit'?: boolean;
  secret?: string;
  pin?: string;
  offset: string;
  count: string;
}

/** Declares USER/NAME, --type and every type's options on `token add`. */
export function withTokenAddOptions(yargs: Argv<GlobalArguments>): Argv<TokenAddArguments> {
  return yargs
    .positional('token', { type: 'string', demandOption: true, describe: 'USER/NAME, e.g. alice/phone' })
    .option('type', { alias: 't', choices: TOKEN_TYPES, demandOption: true, describe: 'the kind of token' })
    .option('groups', { alias: 'g', type: 'string', describe: 'service groups it serves, comma-separated (default: all)' })
    .option('key', {
      type: 'string',
      describe: 'hotp/totp: the key in hex, or base32 with --base32; - reads it from standard input (default: 20 random bytes)',
    })
    .option('base32', { type: 'boolean', default: false, describe: 'hotp/totp: --key is base32' })
    .option('digits', { alias: 'd', type: 'string', default: '6', describe: 'hotp/totp: code length 6, 7 or 8' })
    .option('algorithm', { alias: 'a', type: 'string', default: 'sha1', describe: 'hotp/totp: HMAC (users.oath knows only sha1)' })
    .option('period', { type: 'string', default: '30', describe: 'totp: time step, 30 or 60 seconds' })
    .option('counter', { alias: 'c', type: 'string', default: '0', describe: 'hotp: counter of the first code' })
    .option('issuer', { type: 'string', describe: 'hotp/totp: name shown in the app (default: host name)' })
    .option('qr', { type: 'boolean', default: true, describe: 'hotp/totp: print a QR code (--no-qr: only the URI)' })
    .option('qr-png', { type: 'string', describe: 'hotp/totp: also write the QR code to this new PNG file (mode 0600)' })
    .option('md4', { type: 'boolean', default: false, describe: 'skey: MD4' })
    .option('md5', { type: 'boolean', default: false, describe: 'skey: MD5 (the default)' })
    .option('sha1', { type: 'boolean', default: false, describe: 'skey: SHA-1' })
    .option('seq', {
      type: 'string',
      default: String(DEFAULT_SKEY_SEQUENCE),
      describe: 'skey: sequence number N of the first password (the first challenge is N-1)',
    })
    .option('seed', { type: 'string', describe: 'skey: 1-16 letters or digits (default: a fresh one; must change on re-init)' })
    .option('response', {
      type: 'string',
      describe: 'skey: the password for N (six words or hex) computed elsewhere, or - to read it from standard input; default: type the pass phrase',
    })
    .option('allow-reinit', {
      type: 'boolean',
      describe: 'skey: let an RFC 2243 init-hex:/init-word: login answer re-key the token (default: off; re-enrolling keeps the setting)',
    })
    .option('secret', {
      type: 'string',
      describe: 'motp: the init secret from the app, 16-32 hex digits, or - to read it from standard input (default: 16 random)',
    })
    .option('pin', { type: 'string', describe: 'motp: the PIN, or - to read it from standard input (default: asked without echo)' })
    .option('offset', { type: 'string', default: '0', describe: "motp: the phone's time zone offset in hours" })
    .option('count', { alias: 'n', type: 'string', default: String(DEFAULT_BACKUP_COUNT), describe: 'backup: how many codes' })
    .example('$0 token add alice/phone --type totp --issuer "Example Corp"', 'a TOTP key, its otpauth:// URI and a QR code to scan')
    .example('$0 token add alice/hw --type hotp --key 3132333435363738393031323334353637383930', 'an existing HOTP key')
    .example('$0 token add alice/hw --type totp --key - < seed.hex', 'an existing key from standard input, out of the process list')
    .example('$0 token add alice/paper --type skey --seq 499', 'S/KEY from a pass phrase typed twice (opiepasswd -c); print the list with otpctl gen skey -n')
    .example('$0 token add alice/paper --type skey --seed ab1234 --response "WORD WORD WORD WORD WORD WORD"', 'S/KEY from a response computed elsewhere')
    .example('$0 token add alice/paper --type skey --allow-reinit', 'S/KEY that its user may re-key at login (opiepasswd run remotely)')
    .example('$0 token add alice/mobile --type motp --offset 1', 'mOTP: prints the secret, asks the PIN')
    .example('$0 token add alice/pw --type password', 'a static password, typed twice')
    .example('$0 token add alice/spare --type backup --count 10', 'ten one-time backup codes, shown once') as Argv<TokenAddArguments>;
}
