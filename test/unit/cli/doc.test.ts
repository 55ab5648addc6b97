/**
 * docs/otpctl.md is what the yargs definitions render (fails when a command changed and the document
 * was not regenerated with scripts/gen-otpctl-doc.mjs), every runnable command's help has examples,
 * and `otpctl completion` prints yargs's completion script, whose completions know the commands.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../../src/cli/cli.js';
import { commandPaths, helpOf, renderOtpctlDoc } from '../../../src/cli/doc.js';
import { typescriptBackend } from '../../../src/otp-backend/typescript-backend.js';
import { repoRoot } from '../../support/shared-data.js';

afterEach(() => vi.restoreAllMocks());

describe('docs/otpctl.md', () => {
  it('is up to date: run npm run build:ts && node scripts/gen-otpctl-doc.mjs after changing a command', async () => {
    const file = readFileSync(path.join(repoRoot, 'docs', 'otpctl.md'), 'utf8');
    expect(file).toBe(await renderOtpctlDoc());
  });

  it('covers every command, and every command has examples', async () => {
    const paths = (await commandPaths()).map((p) => p.join(' '));
    for (const command of [
      'user add',
      'user del',
      'user list',
      'user show',
      'user lock',
      'user unlock',
      'token add',
      'token del',
      'token list',
      'token enable',
      'token disable',
      'token groups',
      'token change',
      'token resync',
      'group add',
      'group del',
      'group list',
      'group show',
      'group services',
      'session list',
      'session del',
      'completion',
    ]) {
      expect(paths).toContain(command);
    }
    for (const command of paths.filter((p) => p !== 'completion')) {
      expect(await helpOf(command === '' ? [] : command.split(' ')), command || 'otpctl').toMatch(/\nExamples:\n/);
    }
  });
});

describe('otpctl completion', () => {
  it('prints a bash completion script, and completions list the subcommands', async () => {
    const logged: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((text: unknown) => {
      logged.push(String(text));
    });
    const deps = {
      stdout: process.stdout,
      stderr: process.stderr,
      env: {},
      now: () => 0,
      readSecret: () => Promise.reject(new Error('no input')),
      backend: () => typescriptBackend,
    };
    await runCli(deps, ['completion']);
    expect(logged.join('\n')).toMatch(/complete -o bashdefault -o default -F _otpctl_yargs_completions otpctl/);
    logged.length = 0;
    await runCli(deps, ['--get-yargs-completions', 'otpctl', 'token', '']);
    expect(logged).toEqual(expect.arrayContaining(['add', 'del', 'list', 'enable', 'disable', 'groups', 'resync']));
  });
});
