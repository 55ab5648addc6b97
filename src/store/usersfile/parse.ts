/**
 * Reading a whole users file: every line is kept with its exact bytes; token lines become entries;
 * a line that cannot be used becomes a {@link StoreLineError} for the user it names, and that user's
 * other tokens and every other user keep working.
 *
 * A malformed `#OTPD/META` line also makes the token line it describes unusable: the metadata may have
 * disabled the token or limited its services, so using the token without it would fail open.
 *
 * A parse can be limited to some users (`{ users }`): only their lines (and the line after each of their
 * `#OTPD/META` lines) are split and validated; every other line is only located (./locate.ts: its second field is
 * compared, or the user's name is searched for in the text), never turned into an object. For the asked
 * users the entries and errors are exactly those of a full parse.
 */
import { StoreLineError } from '../errors.js';
import type { EntryCommon, TokenEntry, TokenMeta } from './entry.js';
import { LineProblem } from './entry.js';
import { EXTENSION_TYPES, parseBackupLine, parseMotpLine, parseSkeyLine, parseStaticLine } from './extension-lines.js';
import { LineIndex } from './line-index.js';
import { fromBinary, splitFields, type RawLine } from './lines.js';
import { linesOfUsers, withMetaSuccessors, type LineSource } from './locate.js';
import { DEFAULT_META, META_TYPE, parseMetaLine } from './meta-line.js';
import { parseOathLine } from './oath-line.js';
import { parseOathType } from './oath-type.js';

/** A parsed users file. */
export interface UsersFile {
  /** The path used in error messages. */
  readonly path: string;
  /** Every line, in order; joined they are the file's bytes (built on first access). */
  readonly lines: readonly RawLine[];
  /** Usable token lines, in file order (only those of `users` when the parse was limited). */
  readonly entries: readonly TokenEntry[];
  /** Lines that could not be used, in file order (only those of `users` when the parse was limited). */
  readonly errors: readonly StoreLineError[];
  /** The users the parse was limited to; absent for a full parse. */
  readonly users?: ReadonlySet<string>;
}

/** Options of {@link parseUsersFile}. */
export interface ParseOptions {
  /** Parse and validate only these users' lines (default: every line). */
  readonly users?: Iterable<string> | undefined;
}

type PendingMeta = { readonly user: string; readonly line: number; readonly meta: TokenMeta | undefined };

/** The line index behind each parsed file, so updates can splice instead of re-joining every line. */
const indexes = new WeakMap<UsersFile, () => LineIndex>();

/** Whether a first field starts a token line (one that names a user and holds a token). */
function isTokenType(type: string): boolean {
  return parseOathType(type) !== undefined || type.startsWith('OTPD/');
}

function parseTokenLine(type: string, common: EntryCommon): TokenEntry {
  const oath = parseOathType(type);
  if (oath !== undefined) return parseOathLine(oath, common);
  switch (type) {
    case EXTENSION_TYPES.skey:
      return parseSkeyLine(common);
    case EXTENSION_TYPES.motp:
      return parseMotpLine(common);
    case EXTENSION_TYPES.static:
      return parseStaticLine(common);
    case EXTENSION_TYPES.backup:
      return parseBackupLine(common);
    default:
      throw new LineProblem(`unknown otpd token type (known: ${Object.values(EXTENSION_TYPES).join(', ')})`);
  }
}

/**
 * Runs the line parser over `selected` lines (ascending); when `users` is given, keeps only what
 * concerns them. With every line selected this is the full parse.
 * @internal
 */
export function parseSelected(
  source: LineSource,
  selected: Iterable<number>,
  path: string,
  users: ReadonlySet<string> | undefined,
): { entries: TokenEntry[]; errors: StoreLineError[] } {
  const entries: TokenEntry[] = [];
  const errors: StoreLineError[] = [];
  const names = new Map<string, Set<string>>();
  let pending: PendingMeta | undefined;

  const fail = (line: number, user: string | undefined, problem: string): void => {
    if (users !== undefined && (user === undefined || !users.has(user))) return;
    errors.push(new StoreLineError(path, line, user, problem));
  };

  for (const i of selected) {
    const number = i + 1;
    const raw = source.raw(i);
    const fields = splitFields(raw);
    const type = fields[0];
    const userField = fields[1];
    const user = userField === undefined ? undefined : fromBinary(userField);
    // A pending metadata line is followed by this line only if it is the very next one.
    const meta = pending !== undefined && pending.line === i ? pending : undefined;
    if (pending !== undefined && meta === undefined) {
      fail(pending.line, pending.user, `metadata line is not directly followed by a token line of the same user`);
    }
    pending = undefined;

    const tokenLine = type !== undefined && isTokenType(type);
    if (meta !== undefined && !(tokenLine && user === meta.user)) {
      fail(meta.line, meta.user, `metadata line is not directly followed by a token line of the same user`);
    }

    if (type === META_TYPE) {
      if (user === undefined) {
        fail(number, undefined, 'metadata line names no user');
        continue;
      }
      try {
        pending = { user, line: number, meta: parseMetaLine(fields, number, raw) };
      } catch (err) {
        if (!(err instanceof LineProblem)) throw err;
        fail(number, user, err.message);
        pending = { user, line: number, meta: undefined };
      }
      continue;
    }
    if (!tokenLine || type === undefined) continue;
    if (user === undefined) {
      fail(number, undefined, `${type.startsWith('OTPD/') ? 'token' : 'HOTP'} line names no user`);
      continue;
    }
    if (users !== undefined && !users.has(user)) continue; // a meta line's successor of another user
    if (meta !== undefined && meta.user === user && meta.meta === undefined) {
      fail(number, user, `token is unusable: its metadata line ${meta.line} is malformed`);
      continue;
    }
    const common: EntryCommon = {
      line: number,
      raw,
      user,
      fields,
      // Metadata of another user is misplaced (an error for that user), never applied to this token.
      meta: meta !== undefined && meta.user === user && meta.meta !== undefined ? meta.meta : DEFAULT_META,
    };
    try {
      const entry = parseTokenLine(type, common);
      const name = entry.meta.name;
      if (name !== undefined) {
        let used = names.get(user);
        if (used === undefined) names.set(user, (used = new Set()));
        if (used.has(name)) {
          fail(meta?.line ?? number, user, 'token name is already used by another token of this user');
          continue;
        }
        used.add(name);
      }
      entries.push(entry);
    } catch (err) {
      if (!(err instanceof LineProblem)) throw err;
      fail(number, user, err.message);
    }
  }
  if (pending !== undefined) {
    fail(pending.line, pending.user, 'metadata line is not directly followed by a token line of the same user');
  }
  return { entries, errors };
}

/**
 * A {@link UsersFile} over a line index; `lines` are split on first access.
 * @internal
 */
export function usersFileOf(
  index: LineIndex | (() => LineIndex),
  path: string,
  entries: readonly TokenEntry[],
  errors: readonly StoreLineError[],
  users: ReadonlySet<string> | undefined,
): UsersFile {
  let made: LineIndex | undefined = typeof index === 'function' ? undefined : index;
  const lineIndex = (): LineIndex => (made ??= (index as () => LineIndex)());
  const file: UsersFile = {
    path,
    get lines(): readonly RawLine[] {
      return lineIndex().lines();
    },
    entries,
    errors,
    ...(users === undefined ? {} : { users }),
  };
  indexes.set(file, lineIndex);
  return file;
}

/**
 * The line index behind a parsed file (rebuilt from its lines for a file not made here).
 * @internal
 */
export function lineIndexOf(file: UsersFile): LineIndex {
  return indexes.get(file)?.() ?? new LineIndex(file.lines.map((l) => l.raw).join(''));
}

/**
 * Parses an already indexed content (shared between readers of one file version).
 * `located`: the lines of some users, found once for several readers ({@link locateUsers}).
 * @internal
 */
export function parseIndexed(index: LineIndex, path: string, options: ParseOptions = {}, located?: ReadonlyMap<string, readonly number[]>): UsersFile {
  if (options.users === undefined) {
    const all = {
      [Symbol.iterator]: function* () {
        for (let i = 0; i < index.count; i++) yield i;
      },
    };
    const { entries, errors } = parseSelected(index, all, path, undefined);
    return usersFileOf(index, path, entries, errors, undefined);
  }
  const users = new Set(options.users);
  let lines: number[];
  if (located !== undefined && [...users].every((u) => located.has(u))) {
    lines = [...users].flatMap((u) => located.get(u) ?? []);
    if (users.size > 1) lines = [...new Set(lines)].sort((a, b) => a - b);
  } else lines = users.size === 0 ? [] : linesOfUsers(index, users);
  const selected = withMetaSuccessors(index, lines);
  const { entries, errors } = parseSelected(index, selected, path, users);
  return usersFileOf(index, path, entries, errors, users);
}

/**
 * Parses users-file content.
 *
 * @param content - the file's bytes
 * @param path - the file name for error messages
 * @param options - `users`: parse and validate only these users' lines; entries and errors are then
 *   only theirs, and exactly what a full parse gives for them
 * @returns lines, entries and per-line errors; never throws for bad content
 * @example
 * const file = parseUsersFile(Buffer.from('HOTP alice - 00112233 0\n'), '/etc/users.oath');
 * file.entries[0]?.kind; // 'oath'
 * parseUsersFile(content, '/etc/users.oath', { users: ['alice'] }); // alice's lines only
 */
export function parseUsersFile(content: Uint8Array, path: string, options: ParseOptions = {}): UsersFile {
  return parseIndexed(LineIndex.of(content), path, options);
}

/**
 * The usable tokens of a user, in file order (pam_oath tries OATH lines in this order too).
 *
 * @param file - a parsed file
 * @param user - the user name
 * @returns the entries, possibly none
 */
export function tokensOf(file: UsersFile, user: string): TokenEntry[] {
  return file.entries.filter((e) => e.user === user);
}

/**
 * The errors of lines that concern a user.
 *
 * @param file - a parsed file
 * @param user - the user name
 * @returns the errors, possibly none
 */
export function errorsOf(file: UsersFile, user: string): StoreLineError[] {
  return file.errors.filter((e) => e.user === user);
}

/**
 * The file's bytes rebuilt from its lines (identical to what was parsed).
 *
 * @param lines - lines as kept by {@link parseUsersFile}
 * @returns the bytes
 */
export function joinLines(lines: readonly RawLine[]): Buffer {
  return Buffer.from(lines.map((l) => l.raw).join(''), 'latin1');
}
