/**
 * Reading a whole users file: every line is kept with its exact bytes; token lines become entries;
 * a line that cannot be used becomes a {@link StoreLineError} for the user it names, and that user's
 * other tokens and every other user keep working.
 *
 * A malformed `#OTPD/META` line also makes the token line it describes unusable: the metadata may have
 * disabled the token or limited its services, so using the token without it would fail open.
 */
import { StoreLineError } from '../errors.js';
import type { EntryCommon, TokenEntry, TokenMeta } from './entry.js';
import { LineProblem } from './entry.js';
import { EXTENSION_TYPES, parseMotpLine, parseSkeyLine, parseStaticLine } from './extension-lines.js';
import { fromBinary, splitFields, splitLines, type RawLine } from './lines.js';
import { DEFAULT_META, META_TYPE, parseMetaLine } from './meta-line.js';
import { parseOathLine } from './oath-line.js';
import { parseOathType } from './oath-type.js';

/** A parsed users file. */
export interface UsersFile {
  /** The path used in error messages. */
  readonly path: string;
  /** Every line, in order; joined they are the file's bytes. */
  readonly lines: readonly RawLine[];
  /** Usable token lines, in file order. */
  readonly entries: readonly TokenEntry[];
  /** Lines that could not be used, in file order. */
  readonly errors: readonly StoreLineError[];
}

type PendingMeta = { readonly user: string; readonly line: number; readonly meta: TokenMeta | undefined };

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
    default:
      throw new LineProblem(`unknown otpd token type (known: ${Object.values(EXTENSION_TYPES).join(', ')})`);
  }
}

/**
 * Parses users-file content.
 *
 * @param content - the file's bytes
 * @param path - the file name for error messages
 * @returns lines, entries and per-line errors; never throws for bad content
 * @example
 * const file = parseUsersFile(Buffer.from('HOTP alice - 00112233 0\n'), '/etc/users.oath');
 * file.entries[0]?.kind; // 'oath'
 */
export function parseUsersFile(content: Uint8Array, path: string): UsersFile {
  const lines = splitLines(content);
  const entries: TokenEntry[] = [];
  const errors: StoreLineError[] = [];
  let pending: PendingMeta | undefined;

  const fail = (line: number, user: string | undefined, problem: string): void => {
    errors.push(new StoreLineError(path, line, user, problem));
  };

  for (const { number, raw } of lines) {
    const fields = splitFields(raw);
    const type = fields[0];
    const userField = fields[1];
    const user = userField === undefined ? undefined : fromBinary(userField);
    const meta = pending;
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
        pending = { user, line: number, meta: parseMetaLine(fields, number) };
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
    if (meta !== undefined && meta.user === user && meta.meta === undefined) {
      fail(number, user, `token is unusable: its metadata line ${meta.line} is malformed`);
      continue;
    }
    const common: EntryCommon = {
      line: number,
      raw,
      user,
      fields,
      meta: meta !== undefined && meta.meta !== undefined ? meta.meta : DEFAULT_META,
    };
    try {
      const entry = parseTokenLine(type, common);
      const name = entry.meta.name;
      if (name !== undefined && entries.some((e) => e.user === user && e.meta.name === name)) {
        fail(meta?.line ?? number, user, 'token name is already used by another token of this user');
        continue;
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
  return { path, lines, entries, errors };
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

