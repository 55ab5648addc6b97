/**
 * Throw-away directories under os.tmpdir() for tests: made by mkdtemp (so mode 0700, the running
 * user's, named PREFIX plus six random characters) and removed with everything in them when the test,
 * or the test file, is done. Tests that change a directory's mode restore what removal needs in an
 * afterEach: those run before the removal.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, onTestFinished } from 'vitest';

const make = (prefix: string): string => mkdtempSync(path.join(os.tmpdir(), prefix));
const remove = (dir: string): void => rmSync(dir, { recursive: true, force: true });

/**
 * A fresh directory for the running test, removed when it finishes (after its afterEach hooks).
 * Call it from a test, a beforeEach, or a function they call.
 *
 * @param prefix - the start of the directory's name, e.g. `'otpd-dw-'`
 * @returns the directory's absolute path
 * @throws outside a test (vitest's onTestFinished needs one)
 * @example
 * beforeEach(() => (file = path.join(tempDirForTest('otpd-dw-'), 'users.oath')));
 */
export function tempDirForTest(prefix: string): string {
  const dir = make(prefix);
  onTestFinished(() => remove(dir));
  return dir;
}

/**
 * A directory shared by the tests of one file, removed after them all. Call it at a file's top level
 * (or in a describe's body, for that describe), where afterAll may be registered.
 *
 * @param prefix - the start of the directory's name, e.g. `'otpd-config-'`
 * @returns the directory's absolute path
 * @example
 * const dir = tempDirForFile('otpd-config-');
 */
export function tempDirForFile(prefix: string): string {
  const dir = make(prefix);
  afterAll(() => remove(dir));
  return dir;
}
