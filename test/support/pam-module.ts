/**
 * The built PAM module (pam/build/pam_otpd.so, made by `npm run build:pam`, which `npm test` runs
 * first) and the PAM lines tests put in front of real programs: either written by the test, or taken
 * from a shipped snippet in packaging/pam.d/ so that what the package tells administrators to install
 * is exactly what the test proves.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './shared-data.js';

export const builtModulePath = path.join(repoRoot, 'pam', 'build', 'pam_otpd.so');

/** The module's installed name in a snippet: libpam looks it up in the multiarch security directory. */
const SHIPPED_MODULE = 'pam_otpd.so';

/** The built module's path; throws when it has not been built, so tests fail instead of skipping. */
export function requireBuiltModule(): string {
  if (!existsSync(builtModulePath)) throw new Error(`${builtModulePath} is missing: run npm run build:pam (npm test does)`);
  return builtModulePath;
}

/**
 * One `auth` line for the built module talking to a test daemon.
 *
 * @param control - the control field: `required`, `[user_unknown=ignore default=die]`, …
 * @param socket - the test daemon's socket
 * @param args - further module arguments (`timeout=2`, `try_first_pass`, …)
 * @example
 * otpdAuthLine('required', daemon.socket, ['timeout=2']);
 * // 'auth required /…/pam/build/pam_otpd.so socket=/tmp/…/otpd.sock timeout=2'
 */
export function otpdAuthLine(control: string, socket: string, args: readonly string[] = []): string {
  return ['auth', control, requireBuiltModule(), `socket=${socket}`, ...args].join(' ');
}

/** The lines of a PAM file that are not blank or comments. */
export function activePamLines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && !l.startsWith('#'));
}

/**
 * The active lines of packaging/pam.d/NAME, rewritten to run in a test: every pam_otpd.so becomes the
 * built module, with `socket=` pointing at the test daemon (replacing a `socket=` the snippet may set).
 *
 * @throws when the snippet is missing or uses pam_otpd.so nowhere
 */
export function snippetForTest(name: string, socket: string): string[] {
  const file = path.join(repoRoot, 'packaging', 'pam.d', name);
  const lines = activePamLines(readFileSync(file, 'utf8'));
  const module = requireBuiltModule();
  let uses = 0;
  const rewritten = lines.map((line) => {
    const words = line.split(/\s+/);
    // The control field may be a bracketed list with blanks inside; the module is the first word naming it.
    const at = words.findIndex((w) => w === SHIPPED_MODULE || w.endsWith(`/${SHIPPED_MODULE}`));
    if (at < 0) return line;
    uses++;
    const args = words.slice(at + 1).filter((w) => !w.startsWith('socket='));
    return [...words.slice(0, at), module, `socket=${socket}`, ...args].join(' ');
  });
  if (uses === 0) throw new Error(`${file}: no line uses ${SHIPPED_MODULE}`);
  return rewritten;
}
