/**
 * Users and token addresses as otpctl sees the store.
 *
 * A user is known when the store has a token line for them or a declaration line
 * `#OTPD/USER USER` (written by `otpctl user add`; pam_oath and people read it as a comment). Tokens
 * are addressed as `USER/NAME` with the name from their `#OTPD/META` line, or, for a line without a
 * name (written by hand or another tool), by the label otpd prints: `USER/TYPE@LINE`.
 */
import { InvalidInputError } from '../errors.js';
import { splitFields, fromBinary, toBinary } from '../store/index.js';
import { META_TYPE, tokenLabel } from '../store/index.js';
import type { TokenEntry, UsersFile } from '../store/index.js';

/** The first field of a user declaration line. */
export const USER_TYPE = '#OTPD/USER';

/** Token names: what `#OTPD/META name=` accepts. */
export const TOKEN_NAME_PATTERN = /^[A-Za-z0-9._@-]{1,64}$/;

/** Longest user name accepted (bytes of UTF-8); longer names are not login names. */
const MAX_USER_BYTES = 256;

/**
 * Checks a user name for writing into a line: one field pam_oath reads back as the same name.
 *
 * @throws InvalidInputError naming `user`
 */
export function validateUserName(user: string): string {
  const bytes = Buffer.byteLength(user, 'utf8');
  if (bytes === 0 || bytes > MAX_USER_BYTES) throw new InvalidInputError('user', `must be 1 to ${MAX_USER_BYTES} bytes`);
  if (/[\s\u0000-\u001f\u007f/]/.test(user)) throw new InvalidInputError('user', 'must not contain blanks, control characters or "/"');
  if (user.startsWith('#')) throw new InvalidInputError('user', 'must not start with "#" (the line would be a comment)');
  if (user.includes('\uFFFD') || Buffer.from(user, 'utf8').toString('utf8') !== user) throw new InvalidInputError('user', 'is not valid Unicode');
  return user;
}

/**
 * Splits `USER/NAME` at the first `/` (user names cannot hold one; a label such as `HOTP/T30@4` can).
 *
 * @throws InvalidInputError naming `token`
 */
export function parseTokenAddress(address: string): { user: string; name: string } {
  const slash = address.indexOf('/');
  if (slash <= 0 || slash === address.length - 1) throw new InvalidInputError('token', `give USER/NAME, e.g. alice/phone, got "${address.slice(0, 80)}"`);
  return { user: validateUserName(address.slice(0, slash)), name: address.slice(slash + 1) };
}

/**
 * Checks a new token's name.
 *
 * @throws InvalidInputError naming `token name`
 */
export function validateTokenName(name: string): string {
  if (!TOKEN_NAME_PATTERN.test(name)) throw new InvalidInputError('token name', 'must be 1 to 64 of A-Z a-z 0-9 . _ @ -');
  return name;
}

/** The lines (0-based) that declare `user`. */
export function declarationLines(lines: readonly string[], user: string): number[] {
  const name = toBinary(user);
  const found: number[] = [];
  lines.forEach((raw, i) => {
    if (!raw.includes(USER_TYPE)) return;
    const fields = splitFields(raw);
    if (fields[0] === USER_TYPE && fields[1] === name) found.push(i);
  });
  return found;
}

/** Every user the file knows (declared or with a token or a malformed line), sorted. */
export function knownUsers(file: UsersFile): string[] {
  const users = new Set<string>();
  for (const line of file.lines) {
    if (!line.raw.includes(USER_TYPE)) continue;
    const fields = splitFields(line.raw);
    if (fields[0] === USER_TYPE && fields[1] !== undefined) users.add(fromBinary(fields[1]));
  }
  for (const entry of file.entries) users.add(entry.user);
  for (const error of file.errors) if (error.user !== undefined) users.add(error.user);
  return [...users].sort();
}

/** Whether `user` is known in a file parsed for that user. */
export function isKnownUser(file: UsersFile, user: string): boolean {
  return (
    file.entries.some((e) => e.user === user) ||
    file.errors.some((e) => e.user === user) ||
    declarationLines(
      file.lines.map((l) => l.raw),
      user,
    ).length > 0
  );
}

/**
 * @throws InvalidInputError naming `user` when the file does not know the user
 */
export function requireKnownUser(file: UsersFile, user: string): void {
  if (!isKnownUser(file, user)) throw new InvalidInputError('user', `${user} is not in ${file.path}; add it with: otpctl user add ${user}`);
}

/** The token `USER/NAME` (or `USER/TYPE@LINE`) among a user's entries. */
export function findToken(file: UsersFile, user: string, name: string): TokenEntry | undefined {
  const entries = file.entries.filter((e) => e.user === user);
  return entries.find((e) => e.meta.name === name) ?? entries.find((e) => e.meta.name === undefined && tokenLabel(e) === `${user}/${name}`);
}

/**
 * @throws InvalidInputError naming `token` (unknown user or token), after checking the user
 */
export function requireToken(file: UsersFile, user: string, name: string): TokenEntry {
  requireKnownUser(file, user);
  const entry = findToken(file, user, name);
  if (entry === undefined) {
    const names = file.entries.filter((e) => e.user === user).map((e) => tokenLabel(e).slice(user.length + 1));
    throw new InvalidInputError('token', `${user} has no token ${name} (tokens: ${names.join(', ') || 'none'}); see otpctl token list ${user}`);
  }
  return entry;
}

/** The 0-based lines of a token: its metadata line (when it has one) and its token line. */
export function tokenLines(entry: TokenEntry): number[] {
  return entry.meta.line === undefined ? [entry.line - 1] : [entry.meta.line - 1, entry.line - 1];
}

/**
 * Where a new line of `user` goes: after the user's last line (declaration, metadata or token), so a
 * user's lines stay together; at the end of the file for a user with none.
 */
export function insertionPoint(lines: readonly string[], user: string): number {
  const name = toBinary(user);
  for (let i = lines.length - 1; i >= 0; i--) {
    const fields = splitFields(lines[i] ?? '');
    if (fields[1] !== name) continue;
    // A metadata line belongs with the token line after it.
    return fields[0] === META_TYPE ? Math.min(lines.length, i + 2) : i + 1;
  }
  return lines.length;
}

/**
 * Inserts lines at `at`, terminating the line before them when it lacks its `\n`.
 */
export function insertLines(lines: string[], at: number, added: readonly string[]): void {
  const before = lines[at - 1];
  if (at > 0 && before !== undefined && !before.endsWith('\n')) lines[at - 1] = `${before}\n`;
  lines.splice(at, 0, ...added);
}
