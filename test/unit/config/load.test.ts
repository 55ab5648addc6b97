import { chmodSync, chownSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_CONFIG, DEFAULT_CONFIG_PATH, loadConfig } from '../../../src/config/index.js';
import { tempDirForFile } from '../../support/temp-dir.js';

const dir = tempDirForFile('otpd-config-');
const isRoot = process.getuid?.() === 0;

function write(name: string, text: string | Buffer, mode = 0o644): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  chmodSync(path, mode);
  return path;
}

async function expectLoadError(path: string, reason: string, pattern: RegExp): Promise<ConfigError> {
  const error = await loadConfig(path).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ConfigError);
  const configError = error as ConfigError;
  expect(configError.reason).toBe(reason);
  expect(configError.message).toMatch(pattern);
  return configError;
}

describe('loadConfig', () => {
  it('reads and normalises a file', async () => {
    const path = write('good.conf', '[lockout]\nunlock_after = "1h"\n');
    const config = await loadConfig(path);
    expect(config.lockout.unlockAfterSeconds).toBe(3600);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('a missing default file means every default', async () => {
    if (existsSync(DEFAULT_CONFIG_PATH)) return;
    expect(await loadConfig()).toBe(DEFAULT_CONFIG);
  });

  it('a missing file given explicitly is an error', async () => {
    await expectLoadError(join(dir, 'absent.conf'), 'io', /absent\.conf: cannot open: no such file/);
  });

  it('reports schema errors with the file and line', async () => {
    const path = write('bad.conf', '# comment\n[windows]\nhotp_look_ahead = 5000\n');
    const error = await expectLoadError(path, 'schema', /bad\.conf:3: windows\.hotp_look_ahead: must be an integer from 0 to 1000/);
    expect(error.line).toBe(3);
  });

  it('refuses a symbolic link, a directory, a huge file and bad UTF-8', async () => {
    const target = write('target.conf', '');
    const link = join(dir, 'link.conf');
    symlinkSync(target, link);
    await expectLoadError(link, 'insecure', /link\.conf: is a symbolic link/);
    const sub = join(dir, 'sub.conf');
    mkdirSync(sub);
    await expectLoadError(sub, 'insecure', /sub\.conf: is not a regular file/);
    await expectLoadError(write('huge.conf', `# ${'x'.repeat(1024 * 1024)}\n`), 'insecure', /at most 1048576/);
    await expectLoadError(write('latin1.conf', Buffer.from([0x23, 0xe9, 0x0a])), 'syntax', /is not valid UTF-8/);
  });

  it.runIf(isRoot)('as root: refuses a group- or world-writable file, saying how to fix it', async () => {
    const path = write('writable.conf', '', 0o664);
    await expectLoadError(path, 'insecure', new RegExp(`writable by group or others \\(mode 0664\\); fix with: chmod go-w ${path}`));
    chmodSync(path, 0o646);
    await expectLoadError(path, 'insecure', /mode 0646/);
    chmodSync(path, 0o600);
    await expect(loadConfig(path)).resolves.toEqual(DEFAULT_CONFIG);
  });

  it.runIf(isRoot)('as root: refuses a file not owned by root, saying how to fix it', async () => {
    const path = write('owned.conf', '', 0o644);
    chownSync(path, 65534, 65534);
    await expectLoadError(path, 'insecure', new RegExp(`owned by uid 65534, not root; fix with: chown root:root ${path}`));
  });
});
