/**
 * README's first command, `bash scripts/quickstart.sh` (here with --no-install: npm test has built the
 * tree): it starts otpd in the foreground on a demo store and prints two lines to try a login. This
 * runs those printed lines — otpctl for the code, the real pamtester through the built module — and
 * checks the login is accepted once and the replay refused, so the README's promise is tested.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/shared-data.js';
import { runPamtester } from '../support/pamtester.js';
import { tempDirForFile } from '../support/temp-dir.js';

const dir = tempDirForFile('otpd-quickstart-');
const service = `otpd-qs-${process.pid}`;
const env = { ...process.env, OTPD_DEMO_DIR: path.join(dir, 'demo'), OTPD_DEMO_SERVICE: service, OTPD_BIN_DIR: path.join(dir, 'bin') };
const child = spawn('bash', [path.join(repoRoot, 'scripts', 'quickstart.sh'), '--no-install'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
let output = '';
child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
const exited = new Promise<number | null>((resolve) => child.on('exit', (status) => resolve(status)));

afterAll(async () => {
  child.kill('SIGTERM');
  await exited;
  rmSync(`/etc/pam.d/${service}`, { force: true });
});

describe('scripts/quickstart.sh', () => {
  it('starts otpd on a demo store and the login it prints works once', async () => {
    const deadline = Date.now() + 20_000;
    while (!/listening on/.test(output)) {
      expect(Date.now() < deadline && child.exitCode === null, output).toBe(true);
      await new Promise((r) => setTimeout(r, 50));
    }
    const gen = /^\s+(otpctl gen totp .+?)\s+#/m.exec(output)?.[1];
    const login = /^\s+pamtester (\S+) (\S+) authenticate/m.exec(output);
    expect(gen, output).toBeDefined();
    expect(login?.[1]).toBe(service);
    expect(existsSync(path.join(dir, 'bin', 'otpctl'))).toBe(true);

    // The printed otpctl line, through the shell as a reader would paste it, with the linked otpctl.
    const code = spawnSync('bash', ['-c', gen ?? 'false'], { env: { ...env, PATH: `${path.join(dir, 'bin')}:${process.env.PATH ?? ''}` }, encoding: 'utf8' });
    expect(code.status, code.stderr).toBe(0);
    const answer = code.stdout.trim();
    expect(answer).toMatch(/^\d{6}$/);

    const ok = await runPamtester({ service, user: login?.[2] ?? 'demo', answers: [answer] });
    expect(ok.code, ok.stderr).toBe('PAM_SUCCESS');
    expect(ok.prompts).toEqual(['One-time password: ']);
    const replay = await runPamtester({ service, user: 'demo', answers: [answer] });
    expect(replay.code).toBe('PAM_AUTH_ERR');
  });
});
