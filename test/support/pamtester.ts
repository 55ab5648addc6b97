/**
 * Runs the real `pamtester` (Debian package pamtester 0.1.2) and answers its prompts, for the
 * integration tests and the benchmarks.
 *
 * How pamtester talks: it uses libpam_misc's `misc_conv`, which writes each prompt (echo on or off)
 * to stderr without a newline, PAM_ERROR_MSG to stderr and PAM_TEXT_INFO to stdout with one, and then
 * reads the answer from stdin. When stdin is not a terminal, misc_conv reads it one byte at a time up
 * to the newline (checked against libpam 1.5.2: `printf 'a\nb\n' | pamtester …` answers two prompts),
 * so a pipe is enough and no pty is needed. It cannot turn echo off on a pipe and does not print the
 * newline a terminal would show, so the next output continues on the prompt's line.
 *
 * This runner still answers prompt by prompt rather than writing every answer up front: an answer may
 * depend on the prompt (the S/KEY challenge), and the prompts are recorded for the tests. A prompt is
 * recognised as stderr text after the last newline that the program leaves unterminated while it waits
 * for stdin (misc_conv writes it with one fprintf on unbuffered stderr, so it arrives whole). When the
 * answers run out, stdin is closed: a further prompt then fails as a conversation error.
 *
 * pamtester reads only /etc/pam.d/SERVICE (see store-fixture.ts `installPamService`).
 */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { inspect } from 'node:util';

/** An answer, or a function computing it from the prompt's text. */
export type PamAnswer = string | ((prompt: string) => string);

/** What to run and how to answer. */
export interface PamtesterOptions {
  /** The PAM service: a file in /etc/pam.d. */
  readonly service: string;
  readonly user: string;
  /** One answer per prompt, in order. */
  readonly answers?: readonly PamAnswer[];
  /** PAM items set before the operation (`-I name=value`): rhost, tty, ruser, … */
  readonly items?: Readonly<Record<string, string>>;
  /** The pamtester operation; default `authenticate`. */
  readonly operation?: string;
  /** Killed (SIGKILL) after this long; default 30 s. */
  readonly timeoutMs?: number;
}

/** The PAM return codes pamtester reports, by name. */
export type PamCode =
  | 'PAM_SUCCESS'
  | 'PAM_AUTH_ERR'
  | 'PAM_USER_UNKNOWN'
  | 'PAM_AUTHINFO_UNAVAIL'
  | 'PAM_MAXTRIES'
  | 'PAM_CRED_INSUFFICIENT'
  | 'PAM_CONV_ERR'
  | 'PAM_PERM_DENIED'
  | 'PAM_SYSTEM_ERR'
  | 'PAM_SERVICE_ERR'
  | 'PAM_ABORT'
  | 'PAM_MODULE_UNKNOWN';

/** How the run ended; a failed login is a result, not an exception. */
export interface PamtesterResult {
  /** pamtester's exit status: 0 when the operation succeeded. */
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The prompts shown, in order. */
  readonly prompts: readonly string[];
  /** The PAM code pamtester reported (from its `pamtester: …` line), if it is one of PamCode. */
  readonly code: PamCode | undefined;
  /** From the start of the process to its exit. */
  readonly elapsedMs: number;
  /** Killed because `timeoutMs` passed. */
  readonly timedOut: boolean;
}

/** pam_strerror's texts (Linux-PAM 1.5, C locale) for the codes a login can end with. */
const STRERROR: Readonly<Record<string, PamCode>> = Object.freeze({
  'Authentication failure': 'PAM_AUTH_ERR',
  'User not known to the underlying authentication module': 'PAM_USER_UNKNOWN',
  'Authentication service cannot retrieve authentication info': 'PAM_AUTHINFO_UNAVAIL',
  'Have exhausted maximum number of retries for service': 'PAM_MAXTRIES',
  'Insufficient credentials to access authentication data': 'PAM_CRED_INSUFFICIENT',
  'Conversation error': 'PAM_CONV_ERR',
  'Permission denied': 'PAM_PERM_DENIED',
  'System error': 'PAM_SYSTEM_ERR',
  'Error in service module': 'PAM_SERVICE_ERR',
  'Critical error - immediate abort': 'PAM_ABORT',
  'Module is unknown': 'PAM_MODULE_UNKNOWN',
});

/** The code in pamtester's final line (`pamtester: successfully …` or `pamtester: <pam_strerror>`). */
function reportedCode(stdout: string, stderr: string): PamCode | undefined {
  const reports = `${stdout}\n${stderr}`.match(/pamtester: [^\n]*/g) ?? [];
  for (const report of reports.reverse()) {
    const text = report.slice('pamtester: '.length);
    if (text.startsWith('successfully ')) return 'PAM_SUCCESS';
    const code = STRERROR[text];
    if (code !== undefined) return code;
  }
  return undefined;
}

/**
 * Runs `pamtester [-I item=value…] SERVICE USER OPERATION`, answering each prompt in turn.
 *
 * @returns the exit status, output, prompts, reported PAM code and elapsed time; never rejects for a
 *   failed login (look at `status` and `code`)
 * @throws when pamtester cannot be started (not installed: `apt-get install pamtester`)
 * @example
 * const r = await runPamtester({ service: pam.name, user: 'alice', answers: ['755224'] });
 * // r.status === 0, r.code === 'PAM_SUCCESS', r.prompts === ['One-time password: ']
 */
export function runPamtester(options: PamtesterOptions): Promise<PamtesterResult> {
  const itemArgs = Object.entries(options.items ?? {}).map(([name, value]) => `-I${name}=${value}`);
  const args = [...itemArgs, options.service, options.user, options.operation ?? 'authenticate'];
  const answers = [...(options.answers ?? [])];
  const started = performance.now();
  // The C locale keeps pam_strerror's texts in English, whatever the developer's LANG.
  const child = spawn('pamtester', args, { env: { ...process.env, LC_ALL: 'C', LANG: 'C' }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  /** How much of stderr has been looked at for prompts. */
  let seen = 0;
  const prompts: string[] = [];
  let timedOut = false;
  let answerError: unknown;

  const answerPrompts = (): void => {
    const lastNewline = stderr.lastIndexOf('\n');
    if (lastNewline >= seen) seen = lastNewline + 1;
    const pending = stderr.slice(seen);
    if (pending.length === 0) return;
    seen = stderr.length;
    prompts.push(pending);
    const answer = answers.shift();
    if (answer === undefined) {
      child.stdin.end();
      return;
    }
    try {
      child.stdin.write(`${typeof answer === 'string' ? answer : answer(pending)}\n`);
    } catch (e) {
      answerError = e;
      child.stdin.end();
    }
  };

  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
    answerPrompts();
  });
  // pamtester may exit before reading an answer (a module that fails without prompting).
  child.stdin.on('error', () => undefined);
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, options.timeoutMs ?? 30_000);

  return new Promise((resolve, reject) => {
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot run pamtester (apt-get install pamtester): ${e.message}`));
    });
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      const elapsedMs = performance.now() - started;
      if (answerError !== undefined) reject(answerError instanceof Error ? answerError : new Error(inspect(answerError)));
      else resolve({ status, signal, stdout, stderr, prompts, code: reportedCode(stdout, stderr), elapsedMs, timedOut });
    });
  });
}
