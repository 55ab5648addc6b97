/**
 * Static passwords and PINs: the one implementation of password hashing and checking in otpd.
 *
 * A PASSWORD field (users.oath token lines, `OTPD/STATIC` lines, and anything the verifier is given)
 * is one of, as in pam_oath:
 * - `-`: no password; only an empty password matches;
 * - `+`: checked by another module; anything matches;
 * - `$scrypt$ln=<log2 N>,r=<r>,p=<p>$<salt>$<hash>`: an scrypt hash (RFC 7914) in PHC string notation,
 *   salt and hash in unpadded standard base64, so the parameters travel with the hash (otpd only:
 *   pam_oath would compare this string literally);
 * - anything else: a plain password, compared byte for byte (pam_oath's strcmp).
 *
 * Every comparison is constant-time, and the parameters read from a field are bounded
 * ({@link SCRYPT_LIMITS}) so a crafted file cannot make a login allocate gigabytes. See docs/store.md.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7914 (scrypt)
 * @see https://github.com/P-H-C/phc-string-format/blob/master/phc-sf-spec.md
 */
import { createHash, randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { InvalidInputError } from '../errors.js';
import { unpaddedBase64 } from '../encoding/unpadded-base64.js';

/** A scrypt hash with its parameters. */
export interface ScryptHash {
  /** log2 of the CPU/memory cost N. */
  readonly ln: number;
  readonly r: number;
  readonly p: number;
  readonly salt: Uint8Array;
  readonly hash: Uint8Array;
}

/** A parsed PASSWORD field. Plain passwords are binary strings (the field's bytes, one char per byte). */
export type PasswordSpec =
  | { readonly kind: 'none' }
  | { readonly kind: 'any' }
  | { readonly kind: 'plain'; readonly value: string }
  | { readonly kind: 'scrypt'; readonly hash: ScryptHash };

/** Defaults for new hashes and the ranges accepted when reading, frozen. */
export const SCRYPT_LIMITS = Object.freeze({
  /** N = 2^15, r = 8, p = 1: 32 MiB and tens of milliseconds per check. */
  defaultLn: 15,
  defaultR: 8,
  defaultP: 1,
  /** Salt and hash lengths of new hashes. */
  saltBytes: 16,
  hashBytes: 32,
  minLn: 10,
  maxLn: 20,
  maxR: 32,
  maxP: 16,
  /** 128 · N · r · p must stay within this many bytes. */
  maxMemory: 256 * 1024 * 1024,
  minSaltBytes: 8,
  maxSaltBytes: 64,
  minHashBytes: 16,
  maxHashBytes: 64,
});

const PREFIX = '$scrypt$';
const FIELD = 'password hash';
const PARAMS_PATTERN = /^ln=([0-9]{1,2}),r=([0-9]{1,2}),p=([0-9]{1,2})$/;
const B64_PATTERN = /^[A-Za-z0-9+/]+$/;

/** Throws unless ln, r, p are within {@link SCRYPT_LIMITS}, including the memory bound. */
function checkParameters(ln: number, r: number, p: number): void {
  const L = SCRYPT_LIMITS;
  if (!Number.isSafeInteger(ln) || ln < L.minLn || ln > L.maxLn) {
    throw new InvalidInputError(FIELD, `ln must be ${L.minLn} to ${L.maxLn}, got ${ln}`);
  }
  if (!Number.isSafeInteger(r) || r < 1 || r > L.maxR) throw new InvalidInputError(FIELD, `r must be 1 to ${L.maxR}, got ${r}`);
  if (!Number.isSafeInteger(p) || p < 1 || p > L.maxP) throw new InvalidInputError(FIELD, `p must be 1 to ${L.maxP}, got ${p}`);
  if (128 * 2 ** ln * r * p > L.maxMemory) {
    throw new InvalidInputError(FIELD, `needs more than ${L.maxMemory} bytes of memory (128·N·r·p)`);
  }
}

function checkLength(what: string, length: number, min: number, max: number): void {
  if (length < min || length > max) throw new InvalidInputError(FIELD, `${what} must be ${min} to ${max} bytes, got ${length}`);
}

function decodeBase64(text: string, what: string, min: number, max: number): Uint8Array {
  if (!B64_PATTERN.test(text)) throw new InvalidInputError(FIELD, `${what} is not unpadded base64`);
  const bytes = Buffer.from(text, 'base64');
  checkLength(what, bytes.length, min, max);
  return new Uint8Array(bytes);
}

/**
 * Parses a PHC scrypt string, refusing parameters outside {@link SCRYPT_LIMITS}.
 *
 * @param text - `$scrypt$ln=…,r=…,p=…$salt$hash`
 * @returns the hash
 * @throws InvalidInputError (field `password hash`) naming the part that is wrong, never the text
 * @example
 * parseScryptHash('$scrypt$ln=10,r=8,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA').ln; // 10
 */
export function parseScryptHash(text: string): ScryptHash {
  const parts = text.split('$');
  if (parts.length !== 5 || parts[0] !== '' || parts[1] !== 'scrypt') {
    throw new InvalidInputError(FIELD, 'is not of the form $scrypt$ln=N,r=R,p=P$SALT$HASH');
  }
  const m = PARAMS_PATTERN.exec(parts[2] ?? '');
  if (m === null) throw new InvalidInputError(FIELD, 'parameters are not of the form ln=N,r=R,p=P');
  const [ln, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  checkParameters(ln, r, p);
  const L = SCRYPT_LIMITS;
  const salt = decodeBase64(parts[3] ?? '', 'salt', L.minSaltBytes, L.maxSaltBytes);
  const hash = decodeBase64(parts[4] ?? '', 'hash', L.minHashBytes, L.maxHashBytes);
  return { ln, r, p, salt, hash };
}

/**
 * Formats a scrypt hash as a PHC string.
 *
 * @param h - the hash and its parameters
 * @returns `$scrypt$ln=…,r=…,p=…$salt$hash`
 */
export function formatScryptHash(h: ScryptHash): string {
  return `${PREFIX}ln=${h.ln},r=${h.r},p=${h.p}$${unpaddedBase64(h.salt)}$${unpaddedBase64(h.hash)}`;
}

/**
 * scrypt of a UTF-8 secret with given parameters (node:crypto, on the thread pool). For callers that
 * compare one derivation with several stored hashes (backup codes share one salt: docs/store.md).
 *
 * @param password - the secret (UTF-8)
 * @param salt - the salt
 * @param ln - log2 of N; with r and p checked against {@link SCRYPT_LIMITS} by the caller's parser
 * @param length - bytes of output
 * @returns the derived bytes
 */
export function scryptDerive(password: string, salt: Uint8Array, ln: number, r: number, p: number, length: number): Promise<Buffer> {
  checkParameters(ln, r, p);
  return derive(password, salt, ln, r, p, length);
}

function derive(password: string, salt: Uint8Array, ln: number, r: number, p: number, length: number): Promise<Buffer> {
  const N = 2 ** ln;
  const options: ScryptOptions = { N, r, p, maxmem: 128 * N * r * p + 16 * 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scryptCallback(Buffer.from(password, 'utf8'), salt, length, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/**
 * Hashes a static password with scrypt (node:crypto, on the thread pool) and a fresh random salt.
 *
 * @param password - the password (UTF-8)
 * @param params - cost parameters; defaults from {@link SCRYPT_LIMITS}
 * @returns the PHC string to store (one whitespace-free field)
 * @throws InvalidInputError naming `password hash` for parameters outside {@link SCRYPT_LIMITS}
 * @example
 * await hashPassword('correct horse'); // '$scrypt$ln=15,r=8,p=1$…$…'
 */
export async function hashPassword(password: string, params: { ln?: number; r?: number; p?: number } = {}): Promise<string> {
  const ln = params.ln ?? SCRYPT_LIMITS.defaultLn;
  const r = params.r ?? SCRYPT_LIMITS.defaultR;
  const p = params.p ?? SCRYPT_LIMITS.defaultP;
  checkParameters(ln, r, p);
  const salt = randomBytes(SCRYPT_LIMITS.saltBytes);
  const hash = await derive(password, salt, ln, r, p, SCRYPT_LIMITS.hashBytes);
  return formatScryptHash({ ln, r, p, salt, hash });
}

/**
 * True when a PASSWORD field is (meant to be) a scrypt hash rather than a plain password or `-`/`+`.
 *
 * @example
 * isPasswordHash('$scrypt$ln=15,r=8,p=1$…$…'); // true
 */
export function isPasswordHash(field: string): boolean {
  return field.startsWith(PREFIX);
}

/**
 * Parses a PASSWORD field.
 *
 * @param field - binary string as found in the file
 * @returns the spec
 * @throws InvalidInputError when the field is empty (`password`) or starts with `$scrypt$` but is not
 *   a valid, in-bounds hash (`password hash`)
 */
export function parsePasswordField(field: string): PasswordSpec {
  if (field.length === 0) throw new InvalidInputError('password', 'is empty; use "-" for no password');
  if (field === '-') return { kind: 'none' };
  if (field === '+') return { kind: 'any' };
  if (isPasswordHash(field)) return { kind: 'scrypt', hash: parseScryptHash(field) };
  return { kind: 'plain', value: field };
}

/** Constant-time equality of byte strings of any lengths (compares their SHA-256 digests). */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db) && a.length === b.length;
}

/**
 * Checks a typed password against a PASSWORD field, in constant time.
 *
 * @param spec - the parsed field
 * @param typed - what the user typed (UTF-8); empty when nothing was typed
 * @returns true when it matches: `-` needs an empty password (as pam_oath), `+` takes anything
 */
export async function checkPassword(spec: PasswordSpec, typed: string): Promise<boolean> {
  switch (spec.kind) {
    case 'none':
      return typed.length === 0;
    case 'any':
      return true;
    case 'plain':
      return sameBytes(Buffer.from(spec.value, 'latin1'), Buffer.from(typed, 'utf8'));
    case 'scrypt': {
      const h = spec.hash;
      const got = await derive(typed, h.salt, h.ln, h.r, h.p, h.hash.length);
      return sameBytes(got, h.hash);
    }
  }
}

/**
 * True when a field that just matched should be replaced by a fresh {@link hashPassword}: a plain
 * password, or a hash weaker than the defaults (smaller N or r, shorter salt or hash).
 */
export function needsRehash(spec: PasswordSpec): boolean {
  if (spec.kind === 'plain') return true;
  if (spec.kind !== 'scrypt') return false;
  const h = spec.hash;
  const L = SCRYPT_LIMITS;
  return h.ln < L.defaultLn || h.r < L.defaultR || h.salt.length < L.saltBytes || h.hash.length < L.hashBytes;
}
