/**
 * Backup codes: one-time codes printed once at enrolment (`otpctl token add USER/NAME --type backup`)
 * for when the phone is lost. Each code is 10 characters of Crockford's base32 (50 random bits; no
 * i, l, o or u, so nothing reads as another character), printed as `abcde-fghij`; case, blanks and
 * dashes are ignored when typed, and i/l are read as 1, o as 0 (Crockford's rule).
 *
 * Cost: every code of a set is hashed with scrypt under **one** salt, so checking an answer takes one
 * scrypt derivation, compared in constant time with every stored hash, however many codes the set
 * holds. Sharing the salt within one set lets an attacker holding the file test one guess against all
 * of that set's codes at once (at most 100, under 7 bits); against 50 random bits behind scrypt that
 * changes nothing practical, while one salt per code would cost a login count × scrypt.
 * See docs/store.md (`OTPD/BACKUP`).
 */
import { randomBytes } from 'node:crypto';
import { scryptDerive } from '../../tokens/password.js';
import { bytesEqual } from './compare.js';
import { type Verdict, fail, succeed } from './verdict.js';

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

/** Which code matched (0-based, in the order printed). */
export interface BackupDetail {
  readonly index: number;
  /** Unused codes left after this one. */
  readonly left: number;
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
export async function hashBackupCodes(codes: readonly string[], params: { ln: number; r: number; p: number }, hashBytes = 16): Promise<{ salt: Uint8Array; hashes: Uint8Array[] }> {
  const salt = new Uint8Array(randomBytes(16));
  const hashes: Uint8Array[] = [];
  for (const code of codes) hashes.push(new Uint8Array(await scryptDerive(code, salt, params.ln, params.r, params.p, hashBytes)));
  return { salt, hashes };
}

/**
 * Checks an answer against a set of backup codes: one scrypt derivation, then a constant-time
 * comparison with every slot (none is skipped, so timing does not tell which code matched).
 *
 * @returns `ok` with the index to mark used; `replayed` for a code already used; `wrong`; `malformed`
 *   when the answer is not shaped like a backup code (no scrypt is spent on it)
 */
export async function verifyBackupCode(state: BackupCodesState, answer: string): Promise<Verdict<{ used: number }, BackupDetail>> {
  const code = normaliseBackupCode(answer);
  if (code === undefined) return fail('malformed');
  const first = state.slots[0];
  if (first === undefined) return fail('wrong');
  const derived = await scryptDerive(code, state.salt, state.ln, state.r, state.p, first.hash.length);
  let match = -1;
  state.slots.forEach((slot, index) => {
    if (bytesEqual(derived, slot.hash) && match < 0) match = index;
  });
  const matched = state.slots[match];
  if (matched === undefined) return fail('wrong');
  if (matched.used) return fail('replayed', 'this backup code was already used');
  const left = state.slots.filter((slot) => !slot.used).length - 1;
  return succeed({ used: match }, { index: match, left });
}
