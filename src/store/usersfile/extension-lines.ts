/**
 * otpd's own token lines. Their first field starts with `OTPD/`, a type liboath does not know, so
 * pam_oath skips them and copies them unchanged when it rewrites the file. Fields are separated like
 * OATH lines (spaces/tabs) and written with tabs.
 *
 * ```
 * OTPD/SKEY   USER PASSWORD ALGORITHM SEQUENCE SEED LAST [TIMESTAMP]
 * OTPD/MOTP   USER PASSWORD SECRET PIN OFFSET [LASTSLOT [TIMESTAMP]]
 * OTPD/STATIC USER HASH
 * OTPD/BACKUP USER PARAMS SALT HASHES [TIMESTAMP]
 * ```
 * See docs/store.md for the meaning of every field.
 */
import { formatHex } from '../../encoding/key.js';
import { parseSkeyAlgorithm } from '../../tokens/algorithms.js';
import { validateMotpOffset, validateMotpPin, validateMotpSecret } from '../../tokens/motp.js';
import { validateSequence, validateSeed } from '../../tokens/skey/index.js';
import { parseScryptHash } from '../../tokens/password.js';
import type { BackupEntry, BackupSlot, BackupState, EntryCommon, MotpEntry, MotpState, SkeyEntry, SkeyState, StaticEntry } from './entry.js';
import { LineProblem } from './entry.js';
import { readDecimal, readPassword, readTimestamp, validated } from './fields.js';
import { formatOathTimestamp } from './timestamp.js';
import { unpaddedBase64 } from '../../encoding/unpadded-base64.js';

/** The extension type names. */
export const EXTENSION_TYPES = Object.freeze({ skey: 'OTPD/SKEY', motp: 'OTPD/MOTP', static: 'OTPD/STATIC', backup: 'OTPD/BACKUP' } as const);

/** Backup codes per line: enough for a drawer, few enough to keep the line short. */
export const BACKUP_MAX_CODES = 100;
/** Marks a spent backup code's hash (kept, so a second use is reported as a replay). */
const BACKUP_USED_MARK = '!';

/** Bytes of an S/KEY value (64 bits). */
const SKEY_BYTES = 8;

function required(field: string | undefined, problem: string): string {
  if (field === undefined) throw new LineProblem(problem);
  return field;
}

/** Parses `OTPD/SKEY USER PASSWORD ALGORITHM SEQUENCE SEED LAST [TIMESTAMP]`. */
export function parseSkeyLine(common: EntryCommon): SkeyEntry {
  const [, , passwordField, algField, seqField, seedField, lastField, timeField, extra] = common.fields;
  const password = readPassword(passwordField, 'S/KEY');
  const algorithm = validated('S/KEY', () => parseSkeyAlgorithm(required(algField, 'S/KEY line has no algorithm'), 'algorithm'));
  const sequence = validated('S/KEY', () => validateSequence(readDecimal(required(seqField, 'S/KEY line has no sequence'), 'S/KEY sequence'), 'sequence'));
  const seed = validated('S/KEY', () => validateSeed(required(seedField, 'S/KEY line has no seed'), 'seed'));
  const lastText = required(lastField, 'S/KEY line has no last value');
  if (!/^[0-9a-fA-F]{16}$/.test(lastText)) throw new LineProblem('S/KEY last value is not 16 hex digits');
  const last = new Uint8Array(Buffer.from(lastText, 'hex'));
  const lastTime = readTimestamp(timeField, 'S/KEY');
  if (extra !== undefined) throw new LineProblem('S/KEY line has more than 8 fields');
  return { ...common, kind: 'skey', password, algorithm, sequence, seed, last, lastTime };
}

/** Parses `OTPD/MOTP USER PASSWORD SECRET PIN OFFSET [LASTSLOT [TIMESTAMP]]`. */
export function parseMotpLine(common: EntryCommon): MotpEntry {
  const [, , passwordField, secretField, pinField, offsetField, slotField, timeField, extra] = common.fields;
  const password = readPassword(passwordField, 'mOTP');
  const secret = validated('mOTP', () => validateMotpSecret(required(secretField, 'mOTP line has no secret'), 'secret'));
  const pin = validated('mOTP', () => validateMotpPin(required(pinField, 'mOTP line has no PIN'), 'PIN'));
  const offsetText = required(offsetField, 'mOTP line has no offset');
  if (!/^[+-]?[0-9]{1,2}$/.test(offsetText)) throw new LineProblem('mOTP offset is not a whole number of hours');
  const offsetHours = validated('mOTP', () => validateMotpOffset(Number(offsetText), 'offset'));
  const lastSlot = slotField === undefined || slotField === '-' ? undefined : readDecimal(slotField, 'mOTP last slot');
  const lastTime = readTimestamp(timeField, 'mOTP');
  if (extra !== undefined) throw new LineProblem('mOTP line has more than 8 fields');
  return { ...common, kind: 'motp', password, secret, pin, offsetHours, lastSlot, lastTime };
}

/** Parses `OTPD/STATIC USER HASH`. */
export function parseStaticLine(common: EntryCommon): StaticEntry {
  const [, , hashField, extra] = common.fields;
  const password = readPassword(required(hashField, 'static password line has no hash'), 'static');
  if (password.kind !== 'scrypt') throw new LineProblem('static password must be a $scrypt$ hash (otpctl writes one)');
  if (extra !== undefined) throw new LineProblem('static password line has more than 3 fields');
  return { ...common, kind: 'static', password };
}

/** The rewritten S/KEY line after an accepted response. */
export function renderSkeyLine(entry: SkeyEntry, state: SkeyState): string {
  if (state.last.length !== SKEY_BYTES) throw new RangeError(`S/KEY value must be ${SKEY_BYTES} bytes`);
  validateSequence(state.sequence);
  const [type = '', user = '', passwd = '-', alg = '', , seed = ''] = entry.fields;
  const newSeed = state.seed ?? seed;
  if (state.seed !== undefined) validateSeed(newSeed);
  return `${type}\t${user}\t${passwd}\t${state.algorithm ?? alg}\t${state.sequence}\t${newSeed}\t${formatHex(state.last)}\t${formatOathTimestamp(state.time)}\n`;
}

/** The rewritten Mobile-OTP line after an accepted code. */
export function renderMotpLine(entry: MotpEntry, state: MotpState): string {
  if (!Number.isSafeInteger(state.lastSlot) || state.lastSlot < 0) throw new RangeError('mOTP slot must be a non-negative integer');
  const [type = '', user = '', passwd = '-', secret = '', pin = '', offset = ''] = entry.fields;
  return `${type}\t${user}\t${passwd}\t${secret}\t${pin}\t${offset}\t${state.lastSlot}\t${formatOathTimestamp(state.time)}\n`;
}

/** Parses `OTPD/BACKUP USER PARAMS SALT HASHES [TIMESTAMP]`. */
export function parseBackupLine(common: EntryCommon): BackupEntry {
  const [, , paramsField, saltField, hashesField, timeField, extra] = common.fields;
  const params = required(paramsField, 'backup line has no scrypt parameters');
  const salt = required(saltField, 'backup line has no salt');
  const hashes = required(hashesField, 'backup line has no code hashes').split(',');
  if (hashes.length > BACKUP_MAX_CODES) throw new LineProblem(`backup line has more than ${BACKUP_MAX_CODES} codes`);
  let scrypt: BackupEntry['scrypt'] | undefined;
  const slots = hashes.map((field): BackupSlot => {
    const used = field.startsWith(BACKUP_USED_MARK);
    // The password module's parser checks the parameters, salt and hash against its bounds.
    const parsed = validated('backup', () => parseScryptHash(`$scrypt$${params}$${salt}$${used ? field.slice(1) : field}`));
    scrypt ??= { ln: parsed.ln, r: parsed.r, p: parsed.p, salt: parsed.salt };
    return { hash: parsed.hash, used };
  });
  if (scrypt === undefined) throw new LineProblem('backup line has no code hashes');
  const lastTime = readTimestamp(timeField, 'backup');
  if (extra !== undefined) throw new LineProblem('backup line has more than 6 fields');
  return { ...common, kind: 'backup', scrypt, slots, lastTime };
}

/** The rewritten backup line after code `state.used` was accepted. */
export function renderBackupLine(entry: BackupEntry, state: BackupState): string {
  const [type = '', user = '', params = '', salt = '', hashes = ''] = entry.fields;
  const fields = hashes.split(',');
  const spent = fields[state.used];
  if (!Number.isSafeInteger(state.used) || spent === undefined) throw new RangeError(`backup code ${state.used} does not exist (line ${entry.line})`);
  if (spent.startsWith(BACKUP_USED_MARK)) throw new RangeError(`backup code ${state.used} was already used (line ${entry.line})`);
  fields[state.used] = `${BACKUP_USED_MARK}${spent}`;
  return `${type}\t${user}\t${params}\t${salt}\t${fields.join(',')}\t${formatOathTimestamp(state.time)}\n`;
}

/**
 * Formats a new backup line.
 *
 * @param user - binary string
 * @param hash - the scrypt parameters and salt, and one hash per code (unpadded base64 each)
 */
export function formatBackupLine(user: string, params: { ln: number; r: number; p: number }, salt: Uint8Array, hashes: readonly Uint8Array[]): string {
  return `${EXTENSION_TYPES.backup}\t${user}\tln=${params.ln},r=${params.r},p=${params.p}\t${unpaddedBase64(salt)}\t${hashes.map(unpaddedBase64).join(',')}\n`;
}
