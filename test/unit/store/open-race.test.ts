/**
 * What is checked is what is read: the store's name is swapped right after the permission check looked
 * at it (lstat), before the file is opened — for a symbolic link, or for a file others can write. The
 * read must refuse with the ordinary message, never read what the name points to now.
 */
import { chmodSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { tempDirForTest } from '../../support/temp-dir.js';

// The swap happens inside lstatSync, right after the real call returned: the moment between the
// check and the open that an attacker would aim for.
const hook = vi.hoisted(() => ({ path: undefined as string | undefined, swap: undefined as (() => void) | undefined }));
vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  const lstatSync = ((p: Parameters<typeof real.lstatSync>[0], ...rest: unknown[]) => {
    const result = (real.lstatSync as (...a: unknown[]) => unknown)(p, ...rest);
    if (hook.swap !== undefined && String(p) === hook.path) {
      const swap = hook.swap;
      hook.swap = undefined;
      swap();
    }
    return result;
  }) as typeof real.lstatSync;
  return { ...real, lstatSync, default: { ...real, lstatSync } };
});

const { readStore, StoreError, StoreErrorReasons, checkStorePermissions } = await import('../../../src/store/index.js');

let dir = '';
let file = '';
const KEY = '3132333435363738393031323334353637383930';
beforeEach(() => {
  dir = tempDirForTest('otpd-open-race-');
  file = path.join(dir, 'users.oath');
  writeFileSync(file, `HOTP\talice\t-\t${KEY}\n`, { mode: 0o600 });
});
afterEach(() => {
  hook.swap = undefined;
});

/** After the next lstat of the store: its name becomes a link to another (root-only) file. */
function swapForLink(): string {
  const other = path.join(dir, 'other.oath');
  writeFileSync(other, `HOTP\tmallory\t-\t${KEY}\n`, { mode: 0o600 });
  hook.path = file;
  hook.swap = () => {
    symlinkSync(other, `${file}.swap`);
    renameSync(`${file}.swap`, file);
  };
  return other;
}

/** After the next lstat of the store: its name becomes a file that group and others can write. */
function swapForWritable(): void {
  hook.path = file;
  hook.swap = () => {
    writeFileSync(`${file}.swap`, `HOTP\tmallory\t-\t${KEY}\n`);
    chmodSync(`${file}.swap`, 0o666);
    renameSync(`${file}.swap`, file);
  };
}

async function refusal(promise: Promise<unknown>): Promise<InstanceType<typeof StoreError>> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'the swapped store was read').toBeInstanceOf(StoreError);
  return err as InstanceType<typeof StoreError>;
}

describe('the store is opened without following links and checked on the opened descriptor', () => {
  for (const fresh of [true, false]) {
    it(`a link swapped in after the check is refused, not followed (${fresh ? 'fresh read' : 'shared read'})`, async () => {
      swapForLink();
      const err = await refusal(readStore(file, { users: ['mallory'], fresh }));
      expect(err.reason).toBe(StoreErrorReasons.INSECURE);
      expect(err.message).toBe(`${file}: is a symbolic link; give the path of the file itself`);
    });

    it(`a file others can write swapped in after the check is refused (${fresh ? 'fresh read' : 'shared read'})`, async () => {
      swapForWritable();
      const err = await refusal(readStore(file, { users: ['mallory'], fresh }));
      expect(err.reason).toBe(StoreErrorReasons.INSECURE);
      expect(err.message).toBe(`${file}: has mode 0666, so group or others can read or write its keys; run chmod 600 ${file}`);
    });
  }

  it('checkStorePermissions answers for the file it opened, not for what the name showed first', async () => {
    swapForWritable();
    const err = await refusal(checkStorePermissions(file));
    expect(err.message).toContain('has mode 0666');
  });

  it('without a swap the store reads as before', async () => {
    const store = await readStore(file, { users: ['alice'], fresh: true });
    expect(store.errors).toEqual([]);
  });
});
