/**
 * Editing the service groups of otpd.conf (`[groups.NAME] services = [...]`) for `otpctl group`.
 *
 * The administrator owns that file and its comments, so otpctl edits it line by line instead of
 * re-serialising the TOML: a new group is appended as its own table; `services` is rewritten on its own
 * line(s) inside `[groups.NAME]` (other keys and comments stay); a deleted group loses its table and
 * its subtables (`[groups.NAME.session]`). Every result is parsed again with the configuration's own
 * parser and must say exactly what was asked, else nothing is written (a group written as an inline
 * table or dotted keys is left for a person to edit). The file is replaced under `FILE.lock` with the
 * same primitives as the store (durable replace, owner and mode kept); their failures are the
 * configuration's (code CONFIG_ERROR), not the store's.
 */
import { lstat, readFile } from 'node:fs/promises';
import { DEFAULT_GROUP, parseConfig, type OtpdConfig } from '../config/index.js';
import { InvalidInputError } from '../errors.js';
import { DurableError, type DurableErrors } from '../durable/errors.js';
import { acquireFileLock } from '../durable/lock.js';
import { replaceFileDurably } from '../durable/replace.js';
import { ErrorCodes } from '../errors.js';

const GROUP_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const SERVICE_NAME = /^[A-Za-z0-9._@+-]{1,128}$/;

/** @throws InvalidInputError naming `group` */
export function validateGroupName(name: string): string {
  if (!GROUP_NAME.test(name)) throw new InvalidInputError('group', 'must be 1 to 64 letters, digits, "_" or "-"');
  return name;
}

/** @throws InvalidInputError naming `services` */
export function validateServices(services: readonly string[]): string[] {
  const unique = [...new Set(services)];
  const bad = unique.find((s) => !SERVICE_NAME.test(s));
  if (bad !== undefined) throw new InvalidInputError('services', `"${bad.slice(0, 64)}" is not a PAM service name`);
  return unique;
}

const header = (line: string): boolean => /^\s*\[/.test(line);
/** `[groups.NAME]` or `[groups.NAME.sub]`, bare or quoted, with an optional comment (names are validated: no regular-expression syntax). */
const tableOf = (name: string, sub: boolean): RegExp =>
  new RegExp(`^\\s*\\[\\s*groups\\s*\\.\\s*(?:${name}|"${name}"|'${name}')\\s*${sub ? '\\.' : '\\]\\s*(?:#.*)?\\s*$'}`);

const servicesLine = (services: readonly string[]): string => `services = [${services.map((s) => JSON.stringify(s)).join(', ')}]\n`;

/** The lines of a file, each with its terminator. */
function splitKeep(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

/** Appends `[groups.NAME]` with its services. */
export function addGroupText(text: string, name: string, services: readonly string[]): string {
  const sep = text.length === 0 || text.endsWith('\n\n') ? '' : text.endsWith('\n') ? '\n' : '\n\n';
  return `${text}${sep}# added by otpctl group add\n[groups.${name}]\n${servicesLine(services)}`;
}

/** Sets `services` in `[groups.NAME]` (appending the table when the file has none, e.g. `default`). */
export function setServicesText(text: string, name: string, services: readonly string[]): string {
  const lines = splitKeep(text);
  const start = lines.findIndex((l) => tableOf(name, false).test(l));
  if (start < 0) return addGroupText(text, name, services);
  let end = lines.findIndex((l, i) => i > start && header(l));
  if (end < 0) end = lines.length;
  const at = lines.findIndex((l, i) => i > start && i < end && /^\s*services\s*=/.test(l));
  if (at < 0) {
    lines.splice(start + 1, 0, servicesLine(services));
    return lines.join('');
  }
  let last = at;
  while (last < end - 1 && !(lines[last] ?? '').includes(']')) last++;
  const comment = at === last ? /\]\s*(#.*)$/.exec((lines[at] ?? '').trimEnd())?.[1] : undefined;
  const replacement = servicesLine(services).replace(/\n$/, comment === undefined ? '\n' : `  ${comment}\n`);
  lines.splice(at, last - at + 1, replacement);
  return lines.join('');
}

/** Removes `[groups.NAME]` and its subtables (each up to the next other table). */
export function deleteGroupText(text: string, name: string): string {
  const lines = splitKeep(text);
  const kept: string[] = [];
  let inside = false;
  for (const line of lines) {
    if (header(line)) inside = tableOf(name, false).test(line) || tableOf(name, true).test(line);
    if (!inside) kept.push(line);
  }
  return kept.join('');
}

/** What the file primitives raise for the configuration file: a lock held too long, a failed write. */
const CONFIG_FILE_ERRORS: DurableErrors = Object.freeze({
  error: (reason: string, file: string, message: string, cause?: unknown) => new DurableError(ErrorCodes.CONFIG_ERROR, reason, file, message, { cause }),
});

/**
 * Reads the configuration file, applies `edit` to its text and writes the result when it parses and
 * `check` accepts it.
 *
 * @param check - returns a problem when the parsed result is not what was asked
 * @throws InvalidInputError (the file is left unchanged) or ConfigError from the parser; a
 *   DurableError (code CONFIG_ERROR) when the lock or the write fails
 */
export async function editConfigFile(file: string, edit: (text: string) => string, check: (config: OtpdConfig) => string | undefined): Promise<OtpdConfig> {
  const lock = await acquireFileLock(file, CONFIG_FILE_ERRORS);
  try {
    let stats;
    try {
      stats = await lstat(file);
    } catch {
      throw new InvalidInputError('config', `${file} does not exist; create it with: install -m 644 /dev/null ${file}`);
    }
    // Replacing a link would put a file in its place and leave the file it points to unchanged.
    if (!stats.isFile())
      throw new InvalidInputError('config', `${file} is not a regular file (a link?); edit the file it points to by hand, or give that file with --config`);
    const text = await readFile(file, 'utf8');
    const next = edit(text);
    const config = parseConfig(next, file);
    const problem = check(config);
    if (problem !== undefined) throw new InvalidInputError('config', `cannot edit ${file} safely (${problem}); edit it by hand`);
    if (next !== text) {
      await replaceFileDurably(file, Buffer.from(next, 'utf8'), stats, { errors: CONFIG_FILE_ERRORS, mode: stats.mode & 0o7777 }); // a config keeps its mode
    }
    return config;
  } finally {
    await lock.release();
  }
}

export { DEFAULT_GROUP };
