/**
 * Backup codes: one-time codes printed once at enrolment (`otpctl token add USER/NAME --type backup`)
 * for when the phone is lost. Each code is 10 characters of Crockford's base32 (50 random bits; no
 * i, l, o or u, so nothing reads as another character), printed as `abcde-fghij`; case, blanks and
 * dashes are ignored when typed, and i/l are read as 1, o as 0 (Crockford's rule).
 *
 * Every code of a set is hashed with scrypt under **one** salt (why: src/policy/verify/backup.ts,
 * which checks an answer). See docs/store.md (`OTPD/BACKUP`).
 */
import { randomBytes } from 'node:crypto';
import { scryptDerive } from './password.js';

/** Base32 characters per code; 5 bits each. */
export const BACKUP_CODE_CHARS = 10;
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const CODE_PATTERN = new RegExp(`^[0-9a-hjkmnp-tv-z]{${BACKUP_CODE_CHARS}}$`);

/** A set of backup codes as the store keeps it. */
export interface BackupCodesState {
  readonly ln: number;
  readonly r: number;
  readonly p: number;
  readonly salt: Uint8Array;
  readonly slots: readonly { readonly hash: Uint8Array; readonly used: boolean }[];
}

/**
 * The form of a code that is hashed: lower case without blanks or dashes.
 *
 * @returns the normalised code, or undefined when the answer cannot be a backup code
 */
export function normaliseBackupCode(answer: string): string | undefined {
  const code = answer.replace(/[\s-]/g, '').toLowerCase().replace(/[il]/g, '1').replace(/o/g, '0');
  return CODE_PATTERN.test(code) ? code : undefined;
}

/**
 * Fresh random codes, normalised (use {@link formatBackupCode} to print them).
 *
 * @param count - how many
 */
export function generateBackupCodes(count: number): string[] {
  return Array.from({ length: count }, () => {
    const bytes = randomBytes(BACKUP_CODE_CHARS);
    // 256 is a multiple of 32, so `byte % 32` is uniform.
    return Array.from(bytes, (byte) => ALPHABET[byte % 32] ?? '').join('');
  });
}

/** `abcdefghij` → `abcde-fghij`, easier to read off paper. */
export function formatBackupCode(code: string): string {
  return `${code.slice(0, 5)}-${code.slice(5)}`;
}

/**
 * Hashes normalised codes for the store under one new salt.
 *
 * @returns the salt and one hash per code, in order
 */
export async function hashBackupCodes(
  codes: readonly string[],
  params: { ln: number; r: number; p: number },
  hashBytes = 16,
): Promise<{ salt: Uint8Array; hashes: Uint8Array[] }> {
  const salt = new Uint8Array(randomBytes(16));
  const hashes: Uint8Array[] = [];
  for (const code of codes) hashes.push(new Uint8Array(await scryptDerive(code, salt, params.ln, params.r, params.p, hashBytes)));
  return { salt, hashes };
}
