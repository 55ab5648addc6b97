/**
 * What otpctl asks a person at a terminal: a new secret typed twice without echo, and a yes/no
 * confirmation before a deletion. From a pipe the secret is the first line (as `otpctl gen skey` reads
 * a pass phrase) and a confirmation is refused, so a script must say `--yes`.
 */
import { InvalidInputError } from '../errors.js';
import type { CliDeps } from './deps.js';

/**
 * `interactive`: whether standard input is a terminal. Tests set it; the real process leaves it out
 * and standard input is asked.
 */
export type InteractiveDeps = CliDeps & { readonly interactive?: boolean };

/** Whether a person can answer prompts (standard input is a terminal). */
export function isInteractive(deps: InteractiveDeps): boolean {
  return deps.interactive ?? process.stdin.isTTY === true;
}

/**
 * Reads a new secret (a password, PIN or pass phrase): at a terminal twice without echo, and both must
 * match; from a pipe its first line, once.
 *
 * @param what - how the prompt names it, e.g. `Password`
 * @param field - the field named in errors
 * @throws InvalidInputError naming `field` when the two entries differ or nothing was given
 */
export async function readNewSecret(deps: InteractiveDeps, what: string, field: string): Promise<string> {
  const first = await deps.readSecret(`${what}: `);
  if (first.length === 0) throw new InvalidInputError(field, 'none given');
  if (!isInteractive(deps)) return first;
  const again = await deps.readSecret(`${what} again: `);
  if (again !== first) throw new InvalidInputError(field, 'the two entries differ; nothing was changed');
  return first;
}

/**
 * Asks before something that cannot be undone; `yes` (from `--yes`) skips the question.
 *
 * @throws InvalidInputError naming `yes` when no person can answer, or when the answer is not yes
 */
export async function confirm(deps: InteractiveDeps, question: string, yes: boolean): Promise<void> {
  if (yes) return;
  if (!isInteractive(deps)) throw new InvalidInputError('yes', `${question} Standard input is not a terminal, so nothing was changed; add --yes to confirm`);
  const answer = (await deps.readSecret(`${question} Type yes to confirm: `)).trim().toLowerCase();
  if (answer !== 'yes' && answer !== 'y') throw new InvalidInputError('yes', 'not confirmed; nothing was changed');
}
