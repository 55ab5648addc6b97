/**
 * Runs real programs for integration tests: the built otpctl (dist/, made by `npm run build`, which
 * `npm test` runs first) and the tools we cross-check against. Fails loudly when a tool is missing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './shared-data.js';

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  input?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

export const otpctlPath = path.join(repoRoot, 'dist', 'src', 'cli', 'otpctl.js');

/** Runs any program; throws when it cannot be started (missing tool), so tests fail instead of skipping. */
export function run(command: string, args: readonly string[], options: RunOptions = {}): RunResult {
  const result = spawnSync(command, args, {
    input: options.input ?? '',
    env: options.env ?? process.env,
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 60_000,
    maxBuffer: 512 * 1024 * 1024,
  });
  if (result.error) throw new Error(`cannot run ${command}: ${result.error.message}`);
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Runs the built otpctl with node. */
export function otpctl(args: readonly string[], options: RunOptions = {}): RunResult {
  if (!existsSync(otpctlPath)) throw new Error(`${otpctlPath} is missing: run npm run build (npm test does)`);
  return run(process.execPath, [otpctlPath, ...args], options);
}
