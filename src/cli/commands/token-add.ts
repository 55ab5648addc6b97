/**
 * `otpctl token add USER/NAME --type hotp|totp|skey|motp|password|backup [options]`: enrols a token
 * and prints what the user needs, once: the `otpauth://` URI and a QR code (OATH), the first S/KEY
 * challenge, the mOTP secret, or the backup codes. Secrets typed here (pass phrase, password, PIN) are
 * read without echo and never stored in the clear. Adding an S/KEY token under the name of an
 * existing one re-initialises it, as opiepasswd does, with a new seed. `--allow-reinit` lets an S/KEY
 * token be re-keyed remotely at login (RFC 2243 `init-hex:`/`init-word:`); it is off unless given.
 */
import { unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import QRCode from 'qrcode';
import type { Argv, CommandModule } from 'yargs';
import { enrolOath } from '../../admin/enrol-oath.js';
import { enrolBackup, enrolMotp, enrolPassword } from '../../admin/enrol-secret.js';
import { enrolSkey } from '../../admin/enrol-skey.js';
import { changeMeta } from '../../admin/meta-edit.js';
import { editStore, readForAdmin, requireCleanUser } from '../../admin/edit-store.js';
import { appSecret } from '../../admin/otpauth-uri.js';
import { findToken, insertLines, insertionPoint, parseTokenAddress, requireKnownUser, validateTokenName } from '../../admin/users.js';
import { InvalidInputError } from '../../errors.js';
import { formatMetaLine, type SkeyEntry, type UsersFile } from '../../store/index.js';
import { toBinary } from '../../store/index.js';
import type { SkeyAlgorithm } from '../../tokens/algorithms.js';
import type { CliDeps } from '../deps.js';
import type { GlobalArguments } from '../global-options.js';
import { isInteractive, isStdinArgument, oneFromStdin, readNewSecret, valueOrStdin } from '../interactive.js';
import { ExitCodes, runCommand, type Output } from '../output.js';
import { parseInteger } from '../parse.js';
import { resolveConfig } from '../../config/index.js';
import { parseGroups } from './token-groups.js';
import { withTokenAddOptions, type TokenAddArguments, type TokenType } from './token-add-options.js';
import { auditAdmin } from '../../admin/audit-admin.js';

export { TOKEN_TYPES, type TokenAddArguments, type TokenType } from './token-add-options.js';

/** What an enrolment adds and what it shows. */
interface Enrolled {
  readonly line: string;
  readonly text: string[];
  readonly json: Record<string, unknown>;
  /** OATH: the URI for `--qr-png` and the terminal QR code. */
  readonly uri?: string;
}

function skeyAlgorithm(argv: TokenAddArguments): SkeyAlgorithm {
  const flagged = (['md4', 'md5', 'sha1'] as const).filter((name) => argv[name]);
  if (flagged.length > 1) throw new InvalidInputError('algorithm', `choose one of --${flagged.join(', --')}`);
  return flagged[0] ?? 'md5';
}

async function enrol(argv: TokenAddArguments, deps: CliDeps, user: string, previous: SkeyEntry | undefined): Promise<Enrolled> {
  oneFromStdin({ key: argv.key, response: argv.response, secret: argv.secret, pin: argv.pin });
  if (argv.type === 'motp' && isStdinArgument(argv.secret) && argv.pin === undefined && !isInteractive(deps)) {
    throw new InvalidInputError('pin', 'standard input gave the secret (--secret -): give the PIN with --pin, or run at a terminal to be asked');
  }
  switch (argv.type) {
    case 'hotp':
    case 'totp': {
      const digits = parseInteger(argv.digits, 'digits', 6, 8);
      const period = parseInteger(argv.period, 'period', 1, 86_400);
      const counter = parseInteger(argv.counter, 'counter', 0, Number.MAX_SAFE_INTEGER);
      const key = await valueOrStdin(deps, argv.key, 'Key: ');
      const t = enrolOath({
        type: argv.type,
        user,
        key,
        base32: argv.base32,
        digits,
        algorithm: argv.algorithm,
        period,
        counter,
        issuer: argv.issuer ?? hostname(),
      });
      const secret = appSecret(t.key);
      return {
        line: t.line,
        uri: t.uri,
        text: [`secret (base32): ${secret}`, t.uri],
        json: { uri: t.uri, base32: secret, key: Buffer.from(t.key).toString('hex') },
      };
    }
    case 'skey': {
      const sequence = parseInteger(argv.seq, 'seq', 0, 9999);
      const t = await enrolSkey(
        { user, algorithm: skeyAlgorithm(argv), sequence, seed: argv.seed, response: await valueOrStdin(deps, argv.response, 'Response: '), previous },
        deps.backend(),
        () => readNewSecret(deps, 'Pass phrase', 'pass phrase'),
      );
      return {
        line: t.line,
        text: [`next challenge: ${t.challenge}`, `a paper list of responses: otpctl gen skey "${t.challenge}" -n 10`],
        json: { seed: t.seed, challenge: t.challenge, reinitialised: previous !== undefined },
      };
    }
    case 'motp': {
      const secret = await valueOrStdin(deps, argv.secret, 'Init secret: ');
      const pin = (await valueOrStdin(deps, argv.pin, 'PIN: ')) ?? (await readNewSecret(deps, 'PIN', 'pin'));
      const t = enrolMotp(user, secret, pin, parseInteger(argv.offset, 'offset', -12, 14));
      return { line: t.line, text: [`init secret (enter it in the mOTP app with the PIN): ${t.secret}`], json: { secret: t.secret } };
    }
    case 'password':
      return { line: await enrolPassword(user, await readNewSecret(deps, 'Password', 'password')), text: [], json: {} };
    case 'backup': {
      const t = await enrolBackup(user, parseInteger(argv.count, 'count', 1, 1000));
      return { line: t.line, text: ['backup codes (each works once; they are not shown again):', ...t.codes.map((c) => `  ${c}`)], json: { codes: t.codes } };
    }
  }
}

/** An S/KEY token of that name may be re-initialised; any other existing name is refused. */
function existingSkey(file: UsersFile, user: string, name: string, type: TokenType): SkeyEntry | undefined {
  const existing = findToken(file, user, name);
  if (existing === undefined) return undefined;
  if (existing.kind === 'skey' && type === 'skey') return existing;
  throw new InvalidInputError('token', `${user}/${name} already exists; delete it first with otpctl token del ${user}/${name}`);
}

async function writePng(file: string, uri: string): Promise<void> {
  const png = await QRCode.toBuffer(uri, { type: 'png', errorCorrectionLevel: 'M' });
  try {
    await writeFile(file, png, { flag: 'wx', mode: 0o600 }); // it holds the secret: never another's file
  } catch (err) {
    throw new InvalidInputError('qr-png', `cannot create ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'} (it must not exist yet)`, { cause: err });
  }
}

/**
 * @throws InvalidInputError naming `allow-reinit` when it is asked for a token that is not S/KEY
 */
function requireReinitType(argv: TokenAddArguments): void {
  if (argv['allow-reinit'] === true && argv.type !== 'skey') {
    throw new InvalidInputError('allow-reinit', `is only for skey tokens (RFC 2243 remote re-initialisation); a ${argv.type} token has none`);
  }
}

export async function tokenAdd(out: Output, argv: TokenAddArguments, deps: CliDeps): Promise<number> {
  const { user, name } = parseTokenAddress(argv.token);
  validateTokenName(name);
  requireReinitType(argv);
  const config = await resolveConfig(argv, deps);
  const groups = parseGroups(config, argv.groups === undefined ? [] : [argv.groups]);
  const seen = await readForAdmin(config.store, [user]);
  requireKnownUser(seen, user);
  requireCleanUser(seen, user);
  const enrolled = await enrol(argv, deps, user, existingSkey(seen, user, name, argv.type));
  const png = argv['qr-png'];
  if (png !== undefined) {
    if (enrolled.uri === undefined) throw new InvalidInputError('qr-png', 'is for hotp and totp tokens');
    await writePng(png, enrolled.uri);
  }
  let reinitialised = false;
  let allowReinit = argv['allow-reinit'] === true;
  try {
    await editStore(config.store, [user], ({ file, lines }) => {
      requireKnownUser(file, user);
      requireCleanUser(file, user);
      const previous = existingSkey(file, user, name, argv.type);
      if (previous !== undefined) {
        // Checked again under the lock: the seed must differ from the one on disk now.
        const seed = String(enrolled.json.seed);
        if (seed === previous.seed.toLowerCase()) {
          throw new InvalidInputError('seed', `${seed} is the token's current seed; re-initialising needs a new seed (RFC 2289)`);
        }
        lines[previous.line - 1] = enrolled.line;
        reinitialised = true;
        // A new chain keeps the token's remote re-initialisation setting (and its metadata line, byte
        // for byte) unless the flag was given.
        allowReinit = argv['allow-reinit'] ?? previous.meta.allowReinit;
        if (argv['allow-reinit'] !== undefined) changeMeta(lines, previous, { allowReinit });
        return;
      }
      const meta = formatMetaLine(toBinary(user), { name, enabled: true, groups, allowReinit });
      insertLines(lines, insertionPoint(lines, user), [meta, enrolled.line]);
    });
  } catch (err) {
    if (png !== undefined) await unlink(png).catch(() => undefined);
    throw err;
  }
  const skey = argv.type === 'skey';
  const reinitReason = skey ? `, reinit ${allowReinit ? 'on' : 'off'}` : '';
  await auditAdmin(config, {
    code: 'ADMIN_TOKEN_ADD',
    user,
    token: `${user}/${name}`,
    reason: `${argv.type} ${reinitialised ? 're-initialised' : 'added'}${reinitReason}`,
  });
  const head = `${reinitialised ? 're-initialised' : 'added'} ${user}/${name} (${argv.type})`;
  const reinitText = skey && allowReinit ? ['remote re-initialisation (RFC 2243 init-hex:/init-word:) is on'] : [];
  const qr = enrolled.uri !== undefined && argv.qr && !out.json ? [await QRCode.toString(enrolled.uri, { type: 'terminal', small: true })] : [];
  await out.result([head, ...enrolled.text, ...reinitText, ...qr].join('\n').trimEnd(), {
    token: `${user}/${name}`,
    type: argv.type,
    groups,
    added: true,
    reinitialised,
    ...enrolled.json,
    ...(skey ? { allowReinit } : {}),
  });
  return ExitCodes.OK;
}

export function tokenAddCommand(deps: CliDeps): CommandModule<GlobalArguments, TokenAddArguments> {
  return {
    command: 'add <token>',
    describe: 'enrol a token: HOTP/TOTP (QR code), S/KEY, mOTP, static password or backup codes',
    builder: (yargs: Argv<GlobalArguments>) => withTokenAddOptions(yargs),
    handler: (argv) => runCommand(deps, argv.json, (out) => tokenAdd(out, argv, deps)),
  };
}
