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

/**
 * What a lone `-` on the command line becomes before yargs parses it (runCli). yargs turns a `-`
 * positional into an empty string and refuses `--key -`; a NUL cannot occur in a real argument, so
 * this stand-in is never something a person typed.
 */
export const STDIN_ARGUMENT = '\u0000-';

/** Whether an option or argument was given as `-` (read from standard input). */
export function isStdinArgument(value: string | undefined): boolean {
  return value === STDIN_ARGUMENT || value === '-';
}

/**
 * A secret given as `-` is read from standard input (without echo at a terminal, the first line from a
 * pipe), as oathtool reads a KEY of `-`: it then never appears in the process list. Standard input
 * gives one value per command.
 *
 * @param value - the option or argument as given
 * @param prompt - shown at a terminal, e.g. `Key: `
 * @returns `value`, or the line read when it is `-`
 */
export function valueOrStdin(deps: CliDeps, value: string, prompt: string): Promise<string>;
export function valueOrStdin(deps: CliDeps, value: string | undefined, prompt: string): Promise<string | undefined>;
export async function valueOrStdin(deps: CliDeps, value: string | undefined, prompt: string): Promise<string | undefined> {
  return isStdinArgument(value) ? deps.readSecret(prompt) : value;
}

/**
 * @param given - the options that may be `-`, by name
 * @throws InvalidInputError when more than one of them is `-` (standard input holds one value)
 */
export function oneFromStdin(given: Readonly<Record<string, string | undefined>>): void {
  const dashes = Object.keys(given).filter((name) => isStdinArgument(given[name]));
  if (dashes.length > 1) throw new InvalidInputError(dashes[1] ?? 'input', `only one value can come from standard input (${dashes.join(', ')} are all -)`);
}
