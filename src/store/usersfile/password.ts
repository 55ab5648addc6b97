/**
 * The PASSWORD field of a token line and hashed static passwords.
 *
 * As in pam_oath: `-` means no password (the answer is the OTP alone), `+` means the password is
 * checked by another module (any is accepted here), anything else is compared as plain text. otpd
 * adds one form: a scrypt hash in PHC string notation,
 * `$scrypt$ln=<log2 N>,r=<r>,p=<p>$<salt>$<hash>` (unpadded standard base64), so the parameters
 * travel with the hash. pam_oath compares that string literally, so a hashed password on an OATH line
 * is usable by otpd only; see docs/store.md.
 */
import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { InvalidInputError } from '../../errors.js';

/** A parsed PASSWORD field. Plain passwords are binary strings (the file's bytes). */
export type PasswordSpec =
  | { readonly kind: 'none' }
  | { readonly kind: 'any' }
  | { readonly kind: 'plain'; readonly value: string }
  | { readonly kind: 'scrypt'; readonly hash: ScryptHash };

/** A scrypt hash with its parameters. */
export interface ScryptHash {
  /** log2 of the CPU/memory cost N. */
  readonly ln: number;
  readonly r: number;
  readonly p: number;
  readonly salt: Uint8Array;
  readonly hash: Uint8Array;
}

/** Defaults for new hashes and the ranges accepted when reading, frozen. */
export const SCRYPT_LIMITS = Object.freeze({
  /** N = 2^15, r = 8: 32 MiB and roughly 0.1 s per check. */
  defaultLn: 15,
  defaultR: 8,
  defaultP: 1,
  minLn: 10,
  maxLn: 20,
  maxR: 32,
  maxP: 16,
  saltBytes: 16,
  hashBytes: 32,
  minSaltBytes: 8,
  minHashBytes: 16,
  maxHashBytes: 64,
});

const PHC_PATTERN = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

function b64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64').replace(/=+$/, '');
}

/**
 * Parses a PHC scrypt string.
 *
 * @param text - `$scrypt$ln=…,r=…,p=…$salt$hash`
 * @returns the hash
 * @throws InvalidInputError (field `password hash`) naming the part that is wrong, never the text
 */
export function parseScryptHash(text: string): ScryptHash {
  const m = PHC_PATTERN.exec(text);
  if (m === null) {
    throw new InvalidInputError('password hash', 'is not of the form $scrypt$ln=N,r=R,p=P$SALT$HASH');
  }
  const [ln, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const L = SCRYPT_LIMITS;
  if (ln < L.minLn || ln > L.maxLn) throw new InvalidInputError('password hash', `ln must be ${L.minLn} to ${L.maxLn}, got ${ln}`);
  if (r < 1 || r > L.maxR) throw new InvalidInputError('password hash', `r must be 1 to ${L.maxR}, got ${r}`);
  if (p < 1 || p > L.maxP) throw new InvalidInputError('password hash', `p must be 1 to ${L.maxP}, got ${p}`);
  const salt = Buffer.from(m[4] ?? '', 'base64');
  const hash = Buffer.from(m[5] ?? '', 'base64');
  if (salt.length < L.minSaltBytes) throw new InvalidInputError('password hash', `salt must be at least ${L.minSaltBytes} bytes`);
  if (hash.length < L.minHashBytes || hash.length > L.maxHashBytes) {
    throw new InvalidInputError('password hash', `hash must be ${L.minHashBytes} to ${L.maxHashBytes} bytes, got ${hash.length}`);
  }
  return { ln, r, p, salt: new Uint8Array(salt), hash: new Uint8Array(hash) };
}

/**
 * Formats a scrypt hash as a PHC string.
 *
 * @param h - the hash and its parameters
 * @returns `$scrypt$ln=…,r=…,p=…$salt$hash`
 */
export function formatScryptHash(h: ScryptHash): string {
  return `$scrypt$ln=${h.ln},r=${h.r},p=${h.p}$${b64(h.salt)}$${b64(h.hash)}`;
}

function derive(password: string, salt: Uint8Array, ln: number, r: number, p: number, length: number): Promise<Buffer> {
  const N = 2 ** ln;
  const options: ScryptOptions = { N, r, p, maxmem: 128 * N * r * p + 16 * 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scryptCallback(Buffer.from(password, 'utf8'), salt, length, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/**
 * Hashes a static password with scrypt (node:crypto), on the thread pool.
 *
 * @param password - the password (UTF-8)
 * @param params - cost parameters; defaults from {@link SCRYPT_LIMITS}
 * @returns the PHC string to store
 * @example
 * await hashPassword('correct horse'); // '$scrypt$ln=15,r=8,p=1$…$…'
 */
export async function hashPassword(
  password: string,
  params: { ln?: number; r?: number; p?: number } = {},
): Promise<string> {
  const ln = params.ln ?? SCRYPT_LIMITS.defaultLn;
  const r = params.r ?? SCRYPT_LIMITS.defaultR;
  const p = params.p ?? SCRYPT_LIMITS.defaultP;
  const salt = randomBytes(SCRYPT_LIMITS.saltBytes);
  const hash = await derive(password, salt, ln, r, p, SCRYPT_LIMITS.hashBytes);
  const text = formatScryptHash({ ln, r, p, salt, hash });
  parseScryptHash(text); // the parameters must be ones we read back
  return text;
}

/**
 * Parses a PASSWORD field.
 *
 * @param field - binary string as found in the file
 * @returns the spec
 * @throws InvalidInputError when the field starts with `$scrypt$` but is not a valid hash
 */
export function parsePasswordField(field: string): PasswordSpec {
  if (field === '-') return { kind: 'none' };
  if (field === '+') return { kind: 'any' };
  if (field.startsWith('$scrypt$')) return { kind: 'scrypt', hash: parseScryptHash(field) };
  return { kind: 'plain', value: field };
}

/**
 * Checks a typed password against a PASSWORD field, in constant time for equal lengths.
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
    case 'plain': {
      const a = Buffer.from(spec.value, 'latin1');
      const b = Buffer.from(typed, 'utf8');
      return a.length === b.length && timingSafeEqual(a, b);
    }
    case 'scrypt': {
      const h = spec.hash;
      const got = await derive(typed, h.salt, h.ln, h.r, h.p, h.hash.length);
      return timingSafeEqual(got, h.hash);
    }
  }
}
