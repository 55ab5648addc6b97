/**
 * Checking an answer against a set of backup codes (the codes themselves: src/tokens/backup-codes.ts).
 *
 * Cost: every code of a set is hashed with scrypt under **one** salt, so checking an answer takes one
 * scrypt derivation, compared in constant time with every stored hash, however many codes the set
 * holds. Sharing the salt within one set lets an attacker holding the file test one guess against all
 * of that set's codes at once (at most 100, under 7 bits); against 50 random bits behind scrypt that
 * changes nothing practical, while one salt per code would cost a login count × scrypt.
 * See docs/store.md (`OTPD/BACKUP`).
 */
import { scryptDerive } from '../../tokens/password.js';
import { normaliseBackupCode, type BackupCodesState } from '../../tokens/backup-codes.js';
import { bytesEqual } from './compare.js';
import { type Verdict, fail, succeed } from './verdict.js';

/** Which code matched (0-based, in the order printed). */
export interface BackupDetail {
  readonly index: number;
  /** Unused codes left after this one. */
  readonly left: number;
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
