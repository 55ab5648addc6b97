/**
 * Temp store / config / state directory / audit log for `otpctl verify` integration tests, and helpers to
 * run the built otpctl against them (sync and as child processes that can be killed), to compute codes,
 * and to install a throw-away PAM service for pam_oath (pamtester).
 *
 * Every fixture lives in its own mkdtemp directory: users.oath (0600), otpd.conf (0644, audit_log set to
 * DIR/audit.log), state/ (created by otpctl). Call `cleanup()` in afterAll/afterEach.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { errorsOf, readStore, tokensOf, type TokenEntry, type UsersFile } from '../../src/store/index.js';
import { hotpCode } from '../../src/tokens/hotp.js';
import { otpctl, otpctlPath, run, type RunResult } from './run.js';

/** RFC 4226 Appendix D key ("12345678901234567890"). */
export const RFC_KEY_HEX = '3132333435363738393031323334353637383930';

/** A random 20-byte HOTP key in hex (for users that must not share codes). */
export function randomKeyHex(): string {
  return randomBytes(20).toString('hex');
}

/** The HOTP code of KEYHEX at COUNTER. */
export function hotp(keyHex: string, counter: number, digits = 6): string {
  return hotpCode(Buffer.from(keyHex, 'hex'), counter, { digits, algorithm: 'sha1' });
}

export interface VerifyOptions {
  service?: string;
  rhost?: string;
  debug?: boolean;
}

export interface VerifyResult extends RunResult {
  /** The last stdout line when it is Accept or Reject. */
  verdict: 'Accept' | 'Reject' | undefined;
  /** The AUTH_… code printed before the verdict, if any. */
  code: string | undefined;
}

export function parseVerify(r: RunResult): VerifyResult {
  const lines = r.stdout.split('\n').filter((l) => l.length > 0);
  const last = lines[lines.length - 1];
  const verdict = last === 'Accept' || last === 'Reject' ? last : undefined;
  const codeLine = lines.find((l) => /^[A-Z][A-Z_]+ /.test(l) || /^[A-Z][A-Z_]+$/.test(l));
  return { ...r, verdict, code: codeLine?.split(' ')[0] };
}

export function verifyArgs(user: string, answer: string, options: VerifyOptions = {}): string[] {
  const args = ['verify', user, answer];
  if (options.service !== undefined) args.push('--service', options.service);
  if (options.rhost !== undefined) args.push('--rhost', options.rhost);
  if (options.debug === true) args.push('-d');
  return args;
}

/** A running otpctl: `done` resolves when it exits (also when killed). */
export interface Spawned {
  child: ChildProcess;
  done: Promise<RunResult & { signal: NodeJS.Signals | null }>;
}

export function spawnOtpctl(args: readonly string[], env: NodeJS.ProcessEnv, input = ''): Spawned {
  const child = spawn(process.execPath, [otpctlPath, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdin?.on('error', () => undefined);
  child.stdin?.end(input);
  const done = new Promise<RunResult & { signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
  });
  return { child, done };
}

export interface Fixture {
  readonly dir: string;
  readonly store: string;
  readonly config: string;
  readonly stateDir: string;
  readonly auditLog: string;
  readonly env: NodeJS.ProcessEnv;
  verify(user: string, answer: string, options?: VerifyOptions): VerifyResult;
  verifyAsync(user: string, answer: string, options?: VerifyOptions): Promise<VerifyResult>;
  challenge(user: string, service?: string): RunResult;
  otpctl(args: readonly string[], input?: string): RunResult;
  storeBytes(): Buffer;
  writeStore(text: string, mode?: number): void;
  parsed(): Promise<UsersFile>;
  /** The user's entries; throws when the user's lines have errors. */
  entries(user: string): Promise<TokenEntry[]>;
  auditText(): string;
  /** The audit codes in order. */
  auditCodes(): string[];
  cleanup(): void;
}

export interface FixtureOptions {
  /** users.oath content (written 0600). */
  store: string;
  /** Extra otpd.conf TOML, appended after `audit_log = ...` (so start tables with [..]). */
  config?: string;
  /** Prefix of the temp directory name. */
  name?: string;
}

export function makeFixture(options: FixtureOptions): Fixture {
  const dir = mkdtempSync(path.join(os.tmpdir(), `otpd-${options.name ?? 'verify'}-`));
  const store = path.join(dir, 'users.oath');
  const config = path.join(dir, 'otpd.conf');
  const stateDir = path.join(dir, 'state');
  const auditLog = path.join(dir, 'audit.log');
  writeFileSync(config, `audit_log = ${JSON.stringify(auditLog)}\n${options.config ?? ''}\n`);
  chmodSync(config, 0o644);
  writeFileSync(store, options.store);
  chmodSync(store, 0o600);
  const env: NodeJS.ProcessEnv = { ...process.env, OTPD_STORE: store, OTPD_CONFIG: config, OTPD_STATE_DIR: stateDir };
  const fixture: Fixture = {
    dir,
    store,
    config,
    stateDir,
    auditLog,
    env,
    verify: (user, answer, o) => parseVerify(otpctl(verifyArgs(user, answer, o), { env })),
    verifyAsync: async (user, answer, o) => parseVerify(await spawnOtpctl(verifyArgs(user, answer, o), env).done),
    challenge: (user, service) => otpctl(['challenge', user, ...(service === undefined ? [] : ['--service', service])], { env }),
    otpctl: (args, input) => otpctl(args, input === undefined ? { env } : { env, input }),
    storeBytes: () => readFileSync(store),
    writeStore(text, mode = 0o600) {
      writeFileSync(store, text);
      chmodSync(store, mode);
    },
    parsed: () => readStore(store),
    async entries(user) {
      const file = await readStore(store);
      const errors = errorsOf(file, user);
      if (errors.length > 0) throw new Error(errors.map((e) => e.message).join('\n'));
      return tokensOf(file, user);
    },
    auditText: () => (existsSync(auditLog) ? readFileSync(auditLog, 'utf8') : ''),
    auditCodes: () => [...fixture.auditText().matchAll(/ code=(\w+) /g)].map((m) => m[1] ?? ''),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
  return fixture;
}

/** The store's permission bits. */
export function modeOf(file: string): number {
  return statSync(file).mode & 0o777;
}

/** A PAM service in /etc/pam.d named otpd-test-<random>; `remove()` deletes it. Needs root and pamtester. */
export interface PamService {
  readonly name: string;
  /** pamtester SERVICE USER authenticate, answering the prompt with ANSWER; true when it succeeded. */
  login(user: string, answer: string): boolean;
  remove(): void;
}

export function installPamService(lines: string): PamService {
  if (run('sh', ['-c', 'command -v pamtester']).status !== 0) throw new Error('pamtester is missing: apt-get install pamtester libpam-oath');
  if (
    !existsSync('/lib/x86_64-linux-gnu/security/pam_oath.so') &&
    run('sh', ['-c', 'ls /lib/*/security/pam_oath.so /usr/lib/*/security/pam_oath.so']).status !== 0
  ) {
    throw new Error('pam_oath.so is missing: apt-get install libpam-oath');
  }
  const name = `otpd-test-${randomBytes(6).toString('hex')}`;
  const file = path.join('/etc/pam.d', name);
  writeFileSync(file, lines.endsWith('\n') ? lines : `${lines}\n`, { mode: 0o644 });
  return {
    name,
    login: (user, answer) => run('pamtester', ['-v', name, user, 'authenticate'], { input: `${answer}\n` }).status === 0,
    remove: () => rmSync(file, { force: true }),
  };
}

/** Fails with the offending text when the audit log contains any of the secrets. */
export function secretsInAudit(fixture: Fixture, secrets: readonly string[]): string[] {
  const text = fixture.auditText();
  return secrets.filter((s) => s.length > 0 && text.includes(s));
}
