/**
 * The installation's tag secret: 32 random bytes in `<state dir>/secret` (64 hex digits and a newline,
 * mode 0600), created once and never overwritten. Answer tags are HMAC-SHA256 under this key, so the
 * state directory never holds an answer, a code or a password, and a tag is worthless without the key.
 *
 * Creation happens under the lock `secret.lock` and goes through the durable replacement
 * (src/durable/), after checking (under the lock) that no secret exists: two processes starting at once both
 * end up with the one secret the first wrote.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { acquireFileLock, type LockOptions } from '../durable/lock.js';
import { replaceFileDurably } from '../durable/replace.js';
import { checkStatePath } from './directory.js';
import { STATE_ERRORS, StateError, StateErrorReasons } from './errors.js';

/** Name of the secret file in the state directory. */
export const SECRET_FILE = 'secret';

/** Bytes of key. */
const SECRET_BYTES = 32;
const SECRET_TEXT = /^[0-9a-f]{64}\n$/;
const TAG_TEXT = /^[0-9a-f]{64}$/;

/** Reads the secret; undefined when the file does not exist. */
async function readSecret(file: string): Promise<Buffer | undefined> {
  let text: string;
  try {
    const handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      text = await handle.readFile('latin1');
    } finally {
      await handle.close();
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    if ((err as NodeJS.ErrnoException).code === 'ELOOP') await checkStatePath(file, 'file'); // says "symbolic link"
    throw new StateError(StateErrorReasons.IO, file, `${file}: cannot read the tag secret: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, { cause: err });
  }
  await checkStatePath(file, 'file');
  if (!SECRET_TEXT.test(text)) {
    throw new StateError(
      StateErrorReasons.CORRUPT,
      file,
      `${file}: the tag secret is not 64 lower-case hex digits and a newline; otpd never overwrites it. ` +
        `Remove it to have a new one made (open sessions and the "same wrong answer" memory are then forgotten).`,
    );
  }
  return Buffer.from(text.slice(0, 64), 'hex');
}

/**
 * Loads the secret, creating it if the state directory has none.
 *
 * @param root - the state directory (already checked)
 * @param lock - lock timing
 * @returns the 32-byte key
 * @throws StateError (reason `corrupt`, `insecure`, `locked` or `io`)
 * @internal
 */
export async function loadOrCreateSecret(root: string, lock: LockOptions = {}): Promise<Buffer> {
  const file = path.join(root, SECRET_FILE);
  const found = await readSecret(file);
  if (found !== undefined) return found;
  const held = await acquireFileLock(file, STATE_ERRORS, lock);
  try {
    const raced = await readSecret(file);
    if (raced !== undefined) return raced;
    const key = randomBytes(SECRET_BYTES);
    const owner = { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
    await replaceFileDurably(file, Buffer.from(`${key.toString('hex')}\n`, 'latin1'), owner, { errors: STATE_ERRORS });
    return key;
  } finally {
    await held.release();
  }
}

/**
 * Makes the tag function for a key.
 *
 * @param key - the installation's secret
 * @returns answer → 64 lower-case hex digits of HMAC-SHA256(key, UTF-8 of answer)
 * @internal
 */
export function makeAnswerTagger(key: Buffer): (answer: string) => string {
  const copy = Buffer.from(key);
  return (answer: string): string => {
    if (typeof answer !== 'string') throw new TypeError(`answer: must be a string, got ${typeof answer}`);
    return createHmac('sha256', copy).update(answer, 'utf8').digest('hex');
  };
}

/**
 * Compares two tags in constant time (for tags of the expected form).
 *
 * @returns true when both are well-formed and equal
 * @internal
 */
export function tagsEqual(a: string, b: string): boolean {
  if (!TAG_TEXT.test(a) || !TAG_TEXT.test(b)) return false;
  return timingSafeEqual(Buffer.from(a, 'latin1'), Buffer.from(b, 'latin1'));
}

/** Whether a string is a well-formed tag. @internal */
export function isTag(value: unknown): value is string {
  return typeof value === 'string' && TAG_TEXT.test(value);
}
