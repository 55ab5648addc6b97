/**
 * File names for users. Any user name (PAM passes whatever the client typed) must map to one plain
 * file name inside the users directory: never `.`, `..`, a name with `/` or NUL, nor one over the
 * 255-byte limit of Linux file systems, and two different names never share a file.
 *
 * Encoding: the UTF-8 bytes of the name; `A-Z a-z 0-9 _ -` are kept, `.` too except as the first
 * character, every other byte becomes `%XX` (upper-case hex). The result is injective, so it needs no
 * decoding table; each file also records the user's name, which is checked when it is read. Names
 * whose encoding would exceed {@link NAME_LIMITS.maxEncodedChars} use `~` + SHA-256 of the name.
 */
import { createHash } from 'node:crypto';
import { InvalidInputError } from '../errors.js';

/** Limits on names, frozen. */
export const NAME_LIMITS = Object.freeze({
  /** Longest user name accepted, in UTF-8 bytes. */
  maxUserBytes: 1024,
  /** Longest service group, remote host, token name or challenge, in UTF-8 bytes. */
  maxFieldBytes: 1024,
  /** Encoded names longer than this are replaced by a hash (255 minus room for `.json.lock`). */
  maxEncodedChars: 200,
});

/** Suffix of a user's state file. */
export const STATE_FILE_SUFFIX = '.json';

const KEEP = /^[A-Za-z0-9_-]$/;

/**
 * Checks a string the state keeps (user, group, rhost, token name, challenge): well-formed Unicode
 * (a lone surrogate would collapse into U+FFFD and alias another name) and within the size limit.
 *
 * @param field - what it is, for the message
 * @param value - the string
 * @param allowEmpty - whether "" is acceptable
 * @throws InvalidInputError naming the field
 * @internal
 */
export function checkField(field: string, value: string, allowEmpty = false): void {
  if (typeof value !== 'string') throw new InvalidInputError(field, `must be a string, got ${typeof value}`);
  if (!allowEmpty && value.length === 0) throw new InvalidInputError(field, 'must not be empty');
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.toString('utf8') !== value) throw new InvalidInputError(field, 'is not well-formed Unicode (lone surrogate)');
  const max = field === 'user' ? NAME_LIMITS.maxUserBytes : NAME_LIMITS.maxFieldBytes;
  if (bytes.length > max) throw new InvalidInputError(field, `is ${bytes.length} bytes long, at most ${max} allowed`);
}

/**
 * The file name (without directory) holding a user's state.
 *
 * @param user - any non-empty, well-formed user name
 * @returns a safe file name ending in `.json`
 * @throws InvalidInputError for an empty, malformed or oversized name
 * @example
 * userFileName('alice');      // 'alice.json'
 * userFileName('../etc/x');   // '%2E.%2Fetc%2Fx.json'
 */
export function userFileName(user: string): string {
  checkField('user', user);
  let out = '';
  for (const byte of Buffer.from(user, 'utf8')) {
    const ch = String.fromCharCode(byte);
    if (KEEP.test(ch) || (ch === '.' && out.length > 0)) out += ch;
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  if (out.length > NAME_LIMITS.maxEncodedChars) out = `~${createHash('sha256').update(user, 'utf8').digest('hex')}`;
  return `${out}${STATE_FILE_SUFFIX}`;
}
