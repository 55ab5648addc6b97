/**
 * The verifier's view of static passwords and PINs: a thin adapter that maps
 * {@link checkPassword}'s answer to a {@link Verdict}-style result. Hashing, the stored forms and the
 * parameter bounds live in src/tokens/password.ts (the one implementation); see docs/store.md.
 */
import { checkPassword, needsRehash, parsePasswordField } from '../../tokens/password.js';
import { type VerifyFailure, fail } from './verdict.js';

export { SCRYPT_LIMITS, hashPassword, isPasswordHash } from '../../tokens/password.js';

/** How the stored password was checked (`external` is pam_oath's `+`). */
export type PasswordKind = 'scrypt' | 'plain' | 'none' | 'external';

/** An accepted password. `upgrade` asks the store to replace a plain or weaker hash by `hashPassword`'s. */
export interface PasswordSuccess {
  readonly ok: true;
  readonly reason: 'ok';
  readonly kind: PasswordKind;
  readonly upgrade: boolean;
}

export type PasswordVerdict = PasswordSuccess | VerifyFailure;

/**
 * Checks a typed password against a stored PASSWORD field (`-`, `+`, `$scrypt$…` or plain).
 *
 * @param stored - the stored field, as a binary string (the file's bytes)
 * @param typed - what the user typed (the password part of the answer)
 * @returns `ok` with how it was checked and whether the store should upgrade it, or `bad-password`
 * @throws InvalidInputError for an empty stored field or a malformed or out-of-bounds scrypt string
 *   (a store problem, never the user's)
 * @example
 * const v = await verifyPassword(await hashPassword('pw'), 'pw'); // { ok: true, kind: 'scrypt', upgrade: false }
 */
export async function verifyPassword(stored: string, typed: string): Promise<PasswordVerdict> {
  const spec = parsePasswordField(stored);
  if (!(await checkPassword(spec, typed))) return fail('bad-password');
  const kind: PasswordKind = spec.kind === 'any' ? 'external' : spec.kind;
  return Object.freeze({ ok: true as const, reason: 'ok' as const, kind, upgrade: needsRehash(spec) });
}
