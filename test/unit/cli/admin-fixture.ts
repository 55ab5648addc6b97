/**
 * Runs otpctl in-process (runCli) against a temp store, config and state directory, with scripted
 * secret input and a chosen "is standard input a terminal" answer: what the admin command tests share.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { runCli } from '../../../src/cli/cli.js';
import type { InteractiveDeps } from '../../../src/cli/interactive.js';
import { typescriptBackend } from '../../../src/otp-backend/typescript-backend.js';

class Collect extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  prompts: string[];
}

export interface RunOptions {
  /** Lines returned by readSecret, in order. */
  secrets?: string[];
  interactive?: boolean;
  nowMs?: number;
}

export interface AdminFixture {
  readonly dir: string;
  readonly store: string;
  readonly config: string;
  readonly stateDir: string;
  readonly auditLog: string;
  run(args: string[], options?: RunOptions): Promise<CliRun>;
  /** Runs with --json and parses stdout. */
  json(args: string[], options?: RunOptions): Promise<CliRun & { doc: Record<string, unknown> }>;
  storeText(): string;
  writeStore(text: string, mode?: number): void;
  cleanup(): void;
}

export function adminFixture(store: string, config = ''): AdminFixture {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'otpd-admin-'));
  const files = {
    store: path.join(dir, 'users.oath'),
    config: path.join(dir, 'otpd.conf'),
    stateDir: path.join(dir, 'state'),
    auditLog: path.join(dir, 'audit.log'),
  };
  writeFileSync(files.config, `audit_log = ${JSON.stringify(files.auditLog)}\n${config}\n`, { mode: 0o644 });
  writeFileSync(files.store, Buffer.from(store, 'latin1'), { mode: 0o600 });
  chmodSync(files.store, 0o600);
  const env = { OTPD_STORE: files.store, OTPD_CONFIG: files.config, OTPD_STATE_DIR: files.stateDir };
  const run = async (args: string[], options: RunOptions = {}): Promise<CliRun> => {
    const stdout = new Collect();
    const stderr = new Collect();
    const prompts: string[] = [];
    const secrets = [...(options.secrets ?? [])];
    const deps: InteractiveDeps = {
      stdout,
      stderr,
      env,
      now: () => options.nowMs ?? Date.now(),
      readSecret: (prompt) => {
        prompts.push(prompt);
        const next = secrets.shift();
        return next === undefined ? Promise.reject(new Error(`unexpected prompt ${prompt}`)) : Promise.resolve(next);
      },
      backend: () => typescriptBackend,
      interactive: options.interactive ?? false,
    };
    const saved = process.exitCode;
    process.exitCode = 0;
    await runCli(deps, args);
    const code = Number(process.exitCode ?? 0);
    process.exitCode = saved;
    return { code, stdout: stdout.text, stderr: stderr.text, prompts };
  };
  return {
    dir,
    ...files,
    run,
    async json(args, options) {
      const r = await run([...args, '--json'], options);
      return { ...r, doc: JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown> };
    },
    storeText: () => readFileSync(files.store, 'latin1'),
    writeStore(text, mode = 0o600) {
      writeFileSync(files.store, Buffer.from(text, 'latin1'));
      chmodSync(files.store, mode);
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
