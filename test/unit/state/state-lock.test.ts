/**
 * The state directory's user locks (src/state/state-lock.ts): a byte of `users.lock` per user, held
 * with an open-file-description lock. Two StateLocks on one file are two open file descriptions, as
 * two processes are: they exclude each other byte by byte; one StateLocks shares its descriptor among
 * its holders. The lock file must be a private regular file; a replaced one is reopened.
 */
import { chmodSync, symlinkSync, writeFileSync, renameSync, lstatSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { StateError } from '../../../src/state/errors.js';
import { ROOM_MARGIN_BYTES, StateLocks, lockOffset } from '../../../src/state/state-lock.js';
import { tempDirForTest } from '../../support/temp-dir.js';

afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

function lockFile(): string {
  return path.join(tempDirForTest('otpd-state-lock-'), 'users.lock');
}

async function refused(locks: StateLocks, key: string): Promise<StateError> {
  const err = await locks.acquire(key).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StateError);
  return err as StateError;
}

describe('state locks', () => {
  it('exclude another open file description on the same user, not on another user, until released', async () => {
    const file = lockFile();
    const a = new StateLocks(file, 10_000);
    const b = new StateLocks(file, 30);
    const held = await a.acquire('/state/users/alice.json');
    const err = await refused(b, '/state/users/alice.json');
    expect(err.reason).toBe('locked');
    expect(err.message).toContain(`fuser -v ${file}`);
    const bob = await b.acquire('/state/users/bob.json');
    bob.release();
    held.release();
    held.release(); // twice is harmless
    (await b.acquire('/state/users/alice.json')).release();
  });

  it('a waiting holder gets the lock as soon as it is released', async () => {
    const file = lockFile();
    const a = new StateLocks(file, 10_000);
    const b = new StateLocks(file, 10_000);
    const held = await a.acquire('k');
    const started = Date.now();
    setTimeout(() => held.release(), 100);
    (await b.acquire('k')).release();
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("share one byte among one process's holders: it stays locked until the last releases it", async () => {
    const file = lockFile();
    const a = new StateLocks(file, 10_000);
    const b = new StateLocks(file, 30);
    // Two holders of one byte in one process: what two users whose offsets collide are.
    const first = await a.acquire('same');
    const second = await a.acquire('same');
    first.release();
    expect((await refused(b, 'same')).reason).toBe('locked');
    second.release();
    (await b.acquire('same')).release();
  });

  it('offsets are 48-bit, stable, and differ between users', () => {
    expect(lockOffset('/var/lib/otpd/users/alice.json')).toBe(lockOffset('/var/lib/otpd/users/alice.json'));
    expect(lockOffset('/var/lib/otpd/users/alice.json')).not.toBe(lockOffset('/var/lib/otpd/users/bob.json'));
    expect(lockOffset('x')).toBeLessThan(2 ** 48);
  });

  it('reopen a lock file that was replaced, so they lock the file others see', async () => {
    const file = lockFile();
    const a = new StateLocks(file, 10_000);
    (await a.acquire('k')).release();
    const before = lstatSync(file).ino;
    writeFileSync(`${file}.other`, '', { mode: 0o600 });
    renameSync(`${file}.other`, file);
    const held = await a.acquire('k');
    expect(lstatSync(file).ino).not.toBe(before);
    const err = await refused(new StateLocks(file, 30), 'k');
    expect(err.reason).toBe('locked');
    held.release();
  });

  it('refuse a lock file that is a link, not a regular file, or open to others', async () => {
    const link = lockFile();
    symlinkSync('/etc/passwd', link);
    expect((await refused(new StateLocks(link, 30), 'k')).reason).toBe('insecure');

    const fifo = lockFile();
    execFileSync('mkfifo', ['-m', '600', fifo]);
    const notFile = await refused(new StateLocks(fifo, 30), 'k');
    expect(notFile.reason).toBe('insecure');
    expect(notFile.message).toContain('not a regular file');

    const open = lockFile();
    writeFileSync(open, '', { mode: 0o600 });
    chmodSync(open, 0o644);
    const err = await refused(new StateLocks(open, 30), 'k');
    expect(err.reason).toBe('insecure');
    expect(err.message).toContain(`chmod 600 ${open}`);
  });

  it('ask for room: a writable filesystem with room passes, more than it has is "full"', async () => {
    const held = await new StateLocks(lockFile(), 30).acquire('k');
    held.checkRoom(4096);
    expect(() => held.checkRoom(Number.MAX_SAFE_INTEGER - ROOM_MARGIN_BYTES)).toThrow(/filesystem is full \(ENOSPC/);
    held.release();
  });

  it('without the native addon: refused as an I/O error that says how to fix it', async () => {
    vi.resetModules();
    vi.stubEnv('OTPD_NATIVE_PATH', '/nonexistent/otpd_native.node');
    const fresh = await import('../../../src/state/state-lock.js');
    const err = await new fresh.StateLocks(lockFile(), 30).acquire('k').then(
      () => undefined,
      (e: unknown) => e as Error & { reason?: string },
    );
    expect(err?.reason).toBe('io');
    expect(err?.message).toMatch(/native addon.*npm run build:native/);
  });
});
