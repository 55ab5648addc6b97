import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { StateError, openStateDir, userFileName } from '../../../src/state/index.js';
import { tempDirForFile } from '../../support/temp-dir.js';

const tmp = tempDirForFile('otpd-state-files-');
let n = 0;
const fresh = (): string => path.join(tmp, `s${n++}`);
const policy = { maxFail: 3, unlockAfterSeconds: 0 };

describe('user names as file names', () => {
  const odd = ['../../etc/passwd', '/', '.', '..', '.hidden', 'a/b', 'a\0b', 'DOMAIN\\alice', 'ålice', '日本', '%2E', 'x'.repeat(1000), 'a b\n', '~x'];

  it('map each name to one plain file name, injectively', () => {
    const names = odd.map(userFileName);
    for (const f of names) {
      expect(f).toMatch(/^[A-Za-z0-9_%~-][A-Za-z0-9_.%~-]*\.json$/);
      expect(f.length).toBeLessThanOrEqual(210);
      expect(f).not.toContain('/');
    }
    expect(new Set(names).size).toBe(names.length);
    expect(userFileName('alice')).toBe('alice.json');
    expect(userFileName('..')).toBe('%2E..json');
  });

  it('refuse empty, oversized and malformed names', () => {
    expect(() => userFileName('')).toThrow(/user: must not be empty/);
    expect(() => userFileName('x'.repeat(1025))).toThrow(/at most 1024/);
    expect(() => userFileName('a\uD800b')).toThrow(/lone surrogate/);
  });

  it('keep odd users apart and inside the users directory', async () => {
    const dir = fresh();
    const state = await openStateDir(dir);
    for (const [i, user] of odd.entries()) await state.recordFailure(user, 'g', state.answerTag(String(i)), 1000, policy);
    expect(readdirSync(dir).sort()).toEqual(['secret', 'users', 'users.lock']);
    expect(readdirSync(path.join(dir, 'users'))).toHaveLength(odd.length);
    const listed = await state.listFailures();
    expect(listed.map((f) => f.user).sort()).toEqual([...odd].sort());
    for (const user of odd) expect((await state.listFailures(user)).map((f) => f.count)).toEqual([1]);
  });
});

describe('corrupt files', () => {
  it('a corrupt file fails that user only, naming the file', async () => {
    const dir = fresh();
    const state = await openStateDir(dir);
    await state.recordFailure('alice', 'g', state.answerTag('1'), 1000, policy);
    await state.recordFailure('bob', 'g', state.answerTag('1'), 1000, policy);
    const file = path.join(dir, 'users', 'alice.json');
    writeFileSync(file, '{"format":"otpd-state","version":1,"user":"alice","failures":[{"group":"g"');
    const err = (await state.isLocked('alice', 'g', 1000).catch((e: unknown) => e)) as StateError;
    expect(err).toBeInstanceOf(StateError);
    expect(err.reason).toBe('corrupt');
    expect(err.file).toBe(file);
    expect(err.message).toContain(`${file}: not valid JSON`);
    expect(err.message).toContain(`mv ${file} ${file}.bad`);
    await expect(state.recordFailure('alice', 'g', state.answerTag('2'), 1000, policy)).rejects.toThrow(file);
    await expect(state.claimChallenge('alice', 'default', 's', 'otp-md5 1 x', 1000, 10)).rejects.toThrow(file);
    // nothing rewritten from a half-understood file
    expect(readFileSync(file, 'utf8')).toMatch(/"group":"g"$/);
    // bob keeps working
    expect((await state.recordFailure('bob', 'g', state.answerTag('2'), 1000, policy)).count).toBe(2);
    await expect(state.listFailures()).rejects.toThrow(file);
    const seen: string[] = [];
    expect((await state.listFailures(undefined, { onError: (e) => seen.push(e.file) })).map((f) => f.user)).toEqual(['bob']);
    expect(seen).toEqual([file]);
  });

  it.each([
    [
      'wrong shape',
      '{"format":"otpd-state","version":1,"user":"alice","failures":[{"group":"g","count":-1,"lastTag":null,"firstAt":1,"lastAt":1,"lockedAt":null,"lockedUntil":null}],"sessions":[],"challenge":null}',
      /failures\[0\]\.count is not a number/,
    ],
    ['another version', '{"format":"otpd-state","version":2,"user":"alice"}', /version 2 is not 1/],
    ['another user', '{"format":"otpd-state","version":1,"user":"bob","failures":[],"sessions":[],"challenge":null}', /another user name/],
    ['not ours', '[]', /is not an object/],
    [
      'a bad tag',
      '{"format":"otpd-state","version":1,"user":"alice","failures":[{"group":"g","count":1,"lastTag":"123456","firstAt":1,"lastAt":1,"lockedAt":null,"lockedUntil":null}],"sessions":[],"challenge":null}',
      /lastTag is not a tag/,
    ],
  ])('%s is refused as corrupt', async (_name, content, pattern) => {
    const dir = fresh();
    const state = await openStateDir(dir);
    const file = path.join(dir, 'users', 'alice.json');
    writeFileSync(file, content, { mode: 0o600 });
    await expect(state.isLocked('alice', 'g', 1)).rejects.toThrow(pattern);
  });

  it('an oversized file is refused', async () => {
    const dir = fresh();
    const state = await openStateDir(dir);
    writeFileSync(path.join(dir, 'users', 'alice.json'), ' '.repeat(1024 * 1024 + 1), { mode: 0o600 });
    await expect(state.pendingChallenge('alice', 1)).rejects.toThrow(/is 1048577 bytes, more than the 1048576 a state file may have/);
  });

  it('a user file that group or others can read is refused, saying how to fix it', async () => {
    const dir = fresh();
    const state = await openStateDir(dir);
    await state.recordFailure('alice', 'g', state.answerTag('1'), 1000, policy);
    const file = path.join(dir, 'users', 'alice.json');
    chmodSync(file, 0o644);
    await expect(state.isLocked('alice', 'g', 1)).rejects.toThrow(`${file}: has mode 0644; run chmod 600 ${file}`);
  });

  it('a symbolic link in place of a user file is refused', async () => {
    const dir = fresh();
    const state = await openStateDir(dir);
    symlinkSync('/etc/passwd', path.join(dir, 'users', 'alice.json'));
    await expect(state.isLocked('alice', 'g', 1)).rejects.toThrow(/symbolic link/);
  });
});

describe('the state directory', () => {
  it('is created 0700 with users/ 0700 and a 0600 secret of 64 hex digits', async () => {
    const dir = path.join(fresh(), 'nested', 'otpd');
    await openStateDir(dir);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(dir, 'users')).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(dir, 'secret')).mode & 0o777).toBe(0o600);
    expect(readFileSync(path.join(dir, 'secret'), 'latin1')).toMatch(/^[0-9a-f]{64}\n$/);
  });

  it('keeps the secret: reopening never replaces it', async () => {
    const dir = fresh();
    await openStateDir(dir);
    const before = readFileSync(path.join(dir, 'secret'));
    await Promise.all([openStateDir(dir), openStateDir(dir), openStateDir(dir)]);
    expect(readFileSync(path.join(dir, 'secret'))).toEqual(before);
  });

  it('creates the secret once when many open a new directory at once', async () => {
    const dir = fresh();
    const states = await Promise.all(Array.from({ length: 8 }, () => openStateDir(dir)));
    expect(new Set(states.map((s) => s.answerTag('x'))).size).toBe(1);
    expect(existsSync(path.join(dir, 'secret.lock'))).toBe(false);
  });

  it('refuses a corrupt secret without touching it', async () => {
    const dir = fresh();
    await openStateDir(dir);
    writeFileSync(path.join(dir, 'secret'), 'short\n');
    await expect(openStateDir(dir)).rejects.toThrow(/secret: the tag secret is not 64 lower-case hex digits.*never overwrites/);
    expect(readFileSync(path.join(dir, 'secret'), 'latin1')).toBe('short\n');
  });

  it('refuses a group- or world-accessible directory, saying how to fix it', async () => {
    const dir = fresh();
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o755);
    await expect(openStateDir(dir)).rejects.toThrow(`${dir}: has mode 0755, so group or others can reach otpd's state; run chmod 700 ${dir}`);
    chmodSync(dir, 0o700);
    await openStateDir(dir);
    chmodSync(path.join(dir, 'secret'), 0o644);
    await expect(openStateDir(dir)).rejects.toThrow(`run chmod 600 ${path.join(dir, 'secret')}`);
  });

  it.runIf(process.getuid?.() === 0)('as root, refuses a directory not owned by root', async () => {
    const dir = fresh();
    mkdirSync(dir, { mode: 0o700 });
    chownSync(dir, 1000, 1000);
    const err = (await openStateDir(dir).catch((e: unknown) => e)) as StateError;
    expect(err.reason).toBe('insecure');
    expect(err.message).toBe(`${dir}: is owned by uid 1000, not root; run chown root:root ${dir}`);
  });

  it('refuses a symbolic link as the directory', async () => {
    const real = fresh();
    mkdirSync(real, { mode: 0o700 });
    const link = fresh();
    symlinkSync(real, link);
    await expect(openStateDir(link)).rejects.toThrow(/is a symbolic link/);
  });

  it('writes user files 0600 and leaves no .lock or .new behind', async () => {
    const dir = fresh();
    const state = await openStateDir(dir);
    await state.createSession('alice', 'g', state.answerTag('a'), null, 't', 1);
    expect(readdirSync(path.join(dir, 'users'))).toEqual(['alice.json']);
    expect(statSync(path.join(dir, 'users', 'alice.json')).mode & 0o777).toBe(0o600);
  });
});
