/**
 * Static passwords and PINs: new ones are hashed with scrypt (node:crypto, memory-hard) into a
 * self-describing string; plain pam_oath-style passwords are still accepted. Every comparison is
 * constant-time.
 *
 * Stored forms understood by {@link verifyPassword}:
 * - `scrypt$N$r$p$SALT$HASH`: N, r, p decimal; SALT and HASH standard base64 (`=` padding allowed);
 * - `-`: no password (pam_oath): only an empty password matches;
 * - `+`: checked elsewhere (pam_oath): anything matches, reported as `external`;
 * - anything else: a plain password, compared byte for byte (pam_oath's strcmp).
 *
 * @see https://www.rfc-editor.org/rfc/rfc7914 (scrypt)
 */
import { randomBytes, scrypt as scryptCallback, type ScryptOptions } from 'node:crypto';
import { InvalidInputError } from '../../errors.js';
import { bytesEqual, stringsEqual } from './compare.js';
import { type VerifyFailure, fail } from './verdict.js';

/** scrypt parameters written by {@link hashPassword}. */
export interface ScryptParameters {
  /** CPU/memory cost, a power of two. */
  readonly N: number;
  readonly r: number;
  readonly p: number;
  readonly saltBytes: number;
  readonly hashBytes: number;
}

/** N = 2^15, r = 8, p = 1 (32 MiB, tens of milliseconds), 16-byte salt, 32-byte hash. Frozen. */
export const DEFAULT_SCRYPT_PARAMETERS: Readonly<ScryptParameters> = Object.freeze({
  N: 2 ** 15,
  r: 8,
  p: 1,
  saltBytes: 16,
  hashBytes: 32,
});

/** Bounds on stored parameters, so a crafted store line cannot make a login cost gigabytes. Frozen. */
export const SCRYPT_LIMITS = Object.freeze({
  minN: 2 ** 10,
  maxN: 2 ** 20,
  maxR: 32,
  maxP: 16,
  /** 128 · N · r · p must stay under this many bytes. */
  maxMemory: 256 * 1024 * 1024,
  minSaltBytes: 8,
  maxSaltBytes: 64,
  minHashBytes: 16,
  maxHashBytes: 64,
});

const PREFIX = 'scrypt$';
const FIELD = 'password hash';

/** How the stored password was checked. */
export type PasswordKind = 'scrypt' | 'plain' | 'none' | 'external';

/** An accepted password. `upgrade` asks the store to replace a plain or weaker hash by {@link hashPassword}'s. */
export interface PasswordSuccess {
  readonly ok: true;
  readonly reason: 'ok';
  readonly kind: PasswordKind;
  readonly upgrade: boolean;
}

export type PasswordVerdict = PasswordSuccess | VerifyFailure;

function scryptAsync(password: Uint8Array, salt: Uint8Array, length: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scryptCallback(password, salt, length, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

function checkParameters(N: number, r: number, p: number): void {
  const powerOfTwo = Number.isSafeInteger(N) && N > 1 && (N & (N - 1)) === 0;
  if (!powerOfTwo || N < SCRYPT_LIMITS.minN || N > SCRYPT_LIMITS.maxN) {
    throw new InvalidInputError(FIELD, `N must be a power of two from ${SCRYPT_LIMITS.minN} to ${SCRYPT_LIMITS.maxN}`);
  }
  if (!Number.isSafeInteger(r) || r < 1 || r > SCRYPT_LIMITS.maxR) {
    throw new InvalidInputError(FIELD, `r must be an integer from 1 to ${SCRYPT_LIMITS.maxR}`);
  }
  if (!Number.isSafeInteger(p) || p < 1 || p > SCRYPT_LIMITS.maxP) {
    throw new InvalidInputError(FIELD, `p must be an integer from 1 to ${SCRYPT_LIMITS.maxP}`);
  }
  if (128 * N * r * p > SCRYPT_LIMITS.maxMemory) {
    throw new InvalidInputError(FIELD, `needs more than ${SCRYPT_LIMITS.maxMemory} bytes of memory`);
  }
}

function options(N: number, r: number, p: number): ScryptOptions {
  return { N, r, p, maxmem: 128 * N * r * p + 1024 * 1024 };
}

function decodeBase64(text: string, what: string, min: number, max: number): Buffer {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) throw new InvalidInputError(FIELD, `${what} is not base64`);
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length < min || bytes.length > max) {
    throw new InvalidInputError(FIELD, `${what} must be ${min} to ${max} bytes, got ${bytes.length}`);
  }
  return bytes;
}

interface ParsedHash {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  hash: Buffer;
}

function parseScrypt(stored: string): ParsedHash {
  const parts = stored.split('$');
  if (parts.length !== 6) throw new InvalidInputError(FIELD, 'must be scrypt$N$r$p$salt$hash');
  const [, n, r, p, salt, hash] = parts as [string, string, string, string, string, string];
  for (const number of [n, r, p]) {
    if (!/^[1-9][0-9]{0,9}$/.test(number)) throw new InvalidInputError(FIELD, 'N, r and p must be decimal integers');
  }
  const parsed = { N: Number(n), r: Number(r), p: Number(p) };
  checkParameters(parsed.N, parsed.r, parsed.p);
  return {
    ...parsed,
    salt: decodeBase64(salt, 'the salt', SCRYPT_LIMITS.minSaltBytes, SCRYPT_LIMITS.maxSaltBytes),
    hash: decodeBase64(hash, 'the hash', SCRYPT_LIMITS.minHashBytes, SCRYPT_LIMITS.maxHashBytes),
  };
}

/**
 * Hashes a password with scrypt and a fresh random salt.
 *
 * @param password - the password (any string; UTF-8)
 * @param parameters - {@link DEFAULT_SCRYPT_PARAMETERS} unless given
 * @returns `scrypt$N$r$p$SALT$HASH` (base64), safe to store in one whitespace-free field
 * @throws InvalidInputError naming `password hash` for parameters outside {@link SCRYPT_LIMITS}
 * @see https://www.rfc-editor.org/rfc/rfc7914#section-2
 * @example
 * await hashPassword('correct horse'); // 'scrypt$32768$8$1$…$…'
 */
export async function hashPassword(password: string, parameters: ScryptParameters = DEFAULT_SCRYPT_PARAMETERS): Promise<string> {
  const { N, r, p, saltBytes, hashBytes } = parameters;
  checkParameters(N, r, p);
  if (saltBytes < SCRYPT_LIMITS.minSaltBytes || saltBytes > SCRYPT_LIMITS.maxSaltBytes) {
    throw new InvalidInputError(FIELD, `salt must be ${SCRYPT_LIMITS.minSaltBytes} to ${SCRYPT_LIMITS.maxSaltBytes} bytes`);
  }
  if (hashBytes < SCRYPT_LIMITS.minHashBytes || hashBytes > SCRYPT_LIMITS.maxHashBytes) {
    throw new InvalidInputError(FIELD, `hash must be ${SCRYPT_LIMITS.minHashBytes} to ${SCRYPT_LIMITS.maxHashBytes} bytes`);
  }
  const salt = randomBytes(saltBytes);
  const hash = await scryptAsync(Buffer.from(password, 'utf8'), salt, hashBytes, options(N, r, p));
  return `${PREFIX}${N}$${r}$${p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/**
 * True when `stored` is a hash written by {@link hashPassword} (rather than a plain password or `-`/`+`).
 *
 * @example
 * isPasswordHash('scrypt$32768$8$1$c2FsdHNhbHQ=$…'); // true
 */
export function isPasswordHash(stored: string): boolean {
  return stored.startsWith(PREFIX);
}

/**
 * Checks a typed password against the stored form (see the module notes for the forms).
 *
 * @param stored - the stored password field
 * @param typed - what the user typed (the password part of the answer)
 * @returns `ok` with how it was checked and whether the store should upgrade it, or `bad-password`
 * @throws InvalidInputError naming `password hash` for an empty stored field or a malformed or
 *   out-of-bounds scrypt string (a store problem, never the user's)
 * @example
 * const v = await verifyPassword(await hashPassword('pw'), 'pw'); // { ok: true, kind: 'scrypt', upgrade: false }
 */
export async function verifyPassword(stored: string, typed: string): Promise<PasswordVerdict> {
  if (stored.length === 0) throw new InvalidInputError(FIELD, 'is empty; use "-" for no password');
  if (stored === '-') return typed.length === 0 ? ok('none', false) : fail('bad-password');
  if (stored === '+') return ok('external', false);
  if (!isPasswordHash(stored)) return stringsEqual(stored, typed) ? ok('plain', true) : fail('bad-password');

  const { N, r, p, salt, hash } = parseScrypt(stored);
  const computed = await scryptAsync(Buffer.from(typed, 'utf8'), salt, hash.length, options(N, r, p));
  if (!bytesEqual(computed, hash)) return fail('bad-password');
  const d = DEFAULT_SCRYPT_PARAMETERS;
  const weaker = N < d.N || r < d.r || salt.length < d.saltBytes || hash.length < d.hashBytes;
  return ok('scrypt', weaker);
}

function ok(kind: PasswordKind, upgrade: boolean): PasswordSuccess {
  return Object.freeze({ ok: true as const, reason: 'ok' as const, kind, upgrade });
}
