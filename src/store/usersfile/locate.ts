/**
 * Finding a user's lines in a users file without parsing the others: by the index's table of second
 * fields when it has one, by searching the text for the name when few users are asked, else by one
 * scan of second fields. What {@link parseSelected} (./parse.ts) then parses for a limited read.
 */
import type { LineIndex } from './line-index.js';
import { fromBinary, splitFields, userOfField } from './lines.js';
import { META_TYPE } from './meta-line.js';

/** Lines by 0-based index; a {@link LineIndex} or a view with some lines replaced. @internal */
export interface LineSource {
  readonly count: number;
  raw(i: number): string;
}

/** Searching the text for a name beats scanning every line only for a few users per file version. */
const SEARCH_MAX_USERS = 4;

/** A name whose UTF-8 bytes read back as itself, and that no invalid byte sequence can decode to. */
function searchable(user: string): boolean {
  return user.length > 0 && !user.includes('\uFFFD') && fromBinary(toBinaryName(user)) === user;
}

function toBinaryName(user: string): string {
  return Buffer.from(user, 'utf8').toString('latin1');
}

/**
 * The 0-based lines whose second field names one of `users` (any type of line), ascending.
 * @internal
 */
export function linesOfUsers(index: LineIndex, users: ReadonlySet<string>): number[] {
  const found: number[] = [];
  const byUser = index.linesByUser();
  if (byUser !== undefined) {
    for (const user of users) found.push(...(byUser.get(user) ?? []));
    return users.size > 1 ? found.sort((a, b) => a - b) : found;
  }
  if (users.size <= SEARCH_MAX_USERS && [...users].every(searchable)) {
    const text = index.text;
    for (const user of users) {
      const name = toBinaryName(user);
      let from = 0;
      for (;;) {
        const at = text.indexOf(name, from);
        if (at < 0) break;
        from = at + 1;
        if (!index.boundary(at - 1) || !index.boundary(at + name.length)) continue;
        const line = index.lineAt(at);
        if (index.secondField(line) === name) found.push(line);
        from = index.starts[line + 1] ?? text.length; // one hit per line
      }
    }
    return users.size > 1 ? [...new Set(found)].sort((a, b) => a - b) : found;
  }
  for (let i = 0; i < index.count; i++) {
    const field = index.secondField(i);
    if (field !== undefined && users.has(userOfField(field))) found.push(i);
  }
  return found;
}

/**
 * The lines of each of `users`, found in one pass.
 * @internal
 */
export function locateUsers(index: LineIndex, users: ReadonlySet<string>): Map<string, number[]> {
  const map = new Map<string, number[]>([...users].map((u) => [u, []]));
  for (const i of linesOfUsers(index, users)) {
    const field = index.secondField(i);
    if (field !== undefined) map.get(userOfField(field))?.push(i);
  }
  return map;
}

/**
 * The lines to run through the parser for some users: theirs, plus the line after each of their
 * metadata lines (it decides whether the metadata is well placed). Ascending.
 * @internal
 */
export function withMetaSuccessors(source: LineSource, lines: readonly number[]): number[] {
  const out: number[] = [];
  lines.forEach((i, k) => {
    if (out[out.length - 1] !== i) out.push(i);
    if (i + 1 < source.count && lines[k + 1] !== i + 1 && splitFields(source.raw(i))[0] === META_TYPE) out.push(i + 1);
  });
  return out;
}
