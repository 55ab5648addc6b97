/** sweepStoreLeftovers: removes a `.new` only while holding the lock; never touches a live writer's. */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireStoreLock } from '../../../src/store/index.js';
import { sweepStoreLeftovers } from '../../../src/store/recover.js';
import { tempDirForTest } from '../../support/temp-dir.js';

function store(): string {
  const dir = tempDirForTest('otpd-sweep-');
  const file = path.join(dir, 'users.oath');
  writeFileSync(file, 'HOTP\talice\t-\t00\n', { mode: 0o600 });
  return file;
}

describe('sweepStoreLeftovers', () => {
  it('removes a leftover .new and reports it; a clean store is left as it is', async () => {
    const file = store();
    expect(await sweepStoreLeftovers(file)).toEqual({ removedNew: false, replayed: false, busy: false });
    writeFileSync(`${file}.new`, 'half');
    expect(await sweepStoreLeftovers(file)).toEqual({ removedNew: true, replayed: false, busy: false });
    expect(existsSync(`${file}.new`)).toBe(false);
    expect(existsSync(`${file}.lock`)).toBe(false);
  });

  it("leaves a live writer's lock and .new alone and says it was busy", async () => {
    const file = store();
    const lock = await acquireStoreLock(file);
    writeFileSync(`${file}.new`, 'being written');
    try {
      expect(await sweepStoreLeftovers(file, { timeoutMs: 200 })).toEqual({ removedNew: false, replayed: false, busy: true });
      expect(existsSync(`${file}.new`)).toBe(true);
      expect(existsSync(`${file}.lock`)).toBe(true);
    } finally {
      await lock.release();
    }
  });
});
