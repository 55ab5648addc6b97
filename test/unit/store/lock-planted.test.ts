/**
 * A `FILE.lock` that is not a writer's lock (a symbolic link to a FIFO, or a FIFO) cannot hang the
 * writer that waits for it: the holder is named without following the link or blocking on the read.
 */
import { execFileSync } from 'node:child_process';
import { symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { acquireStoreLock } from '../../../src/store/index.js';
import { StoreError, StoreErrorReasons } from '../../../src/store/errors.js';
import { tempDirForTest } from '../../support/temp-dir.js';

let dir = '';
let file = '';
beforeEach(() => {
  dir = tempDirForTest('otpd-lock-planted-');
  file = path.join(dir, 'users.oath');
  writeFileSync(file, '', { mode: 0o600 });
  execFileSync('mkfifo', [path.join(dir, 'fifo')]);
});

async function lockedWithin(ms: number): Promise<StoreError> {
  const wait = acquireStoreLock(file, { timeoutMs: 50, staleAfterMs: 3_600_000 }).then(
    async (lock) => {
      await lock.release();
      return new Error('the lock was taken');
    },
    (e: unknown) => e,
  );
  const hung = new Promise<Error>((resolve) => setTimeout(() => resolve(new Error(`still waiting after ${ms} ms`)), ms).unref());
  const err = await Promise.race([wait, hung]);
  expect(err).toBeInstanceOf(StoreError);
  expect((err as StoreError).reason).toBe(StoreErrorReasons.LOCKED);
  return err as StoreError;
}

describe('a planted lock', () => {
  it('a link to a FIFO is not followed when naming the holder', async () => {
    symlinkSync(path.join(dir, 'fifo'), `${file}.lock`);
    const err = await lockedWithin(3_000);
    expect(err.message).toContain('a symbolic link someone put there');
  });

  it('a FIFO is read without blocking', async () => {
    execFileSync('mkfifo', [`${file}.lock`]);
    await lockedWithin(3_000);
  });
});
