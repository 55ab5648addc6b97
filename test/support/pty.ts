/**
 * Runs a program in a pseudo-terminal and answers its prompts, with `expect` (Debian package expect,
 * installed by scripts/install-deps.sh): the way a person at a terminal would, for programs that insist
 * on a terminal or that should be seen turning echo off (su). No npm pty module is needed.
 *
 * The Tcl script is fixed; the command, prompts and answers reach it through environment variables,
 * so nothing needs quoting for Tcl.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

/** One step: wait for output matching `prompt` (a Tcl regular expression), then type `answer` and Return. */
export interface PtyStep {
  readonly prompt: string;
  readonly answer: string;
}

/** Where and how long expect runs. */
export interface PtyOptions {
  /** Run expect itself under this command (e.g. `unshare -m -- sh -c '…; exec "$@"' sh`). */
  readonly within?: readonly string[];
  /** Seconds expect waits for each prompt and for the end; default 20. */
  readonly timeoutSeconds?: number;
}

/** How the program ended and what the terminal showed. */
export interface PtyResult {
  /** The program's exit status; 124 when a prompt or the end did not come in time, 125/126 when it could not be run or was killed. */
  readonly status: number | null;
  /** What the terminal showed (CR LF turned into LF). */
  readonly output: string;
  /** expect's own complaints. */
  readonly stderr: string;
  /** How many steps were answered before the program ended. */
  readonly answered: number;
  readonly elapsedMs: number;
}

const SCRIPT = String.raw`
set timeout $env(PTY_TIMEOUT)
set command {}
for {set i 0} {$i < $env(PTY_ARGC)} {incr i} { lappend command $env(PTY_ARG$i) }
log_user 1
if {[catch {spawn -noecho {*}$command} err]} { puts stderr "pty: cannot spawn: $err"; exit 125 }
set answered 0
set ended 0
for {set i 0} {$i < $env(PTY_STEPS)} {incr i} {
  expect {
    -re $env(PTY_PROMPT$i) { send -- "$env(PTY_ANSWER$i)\r"; incr answered }
    eof { set ended 1; break }
    timeout { puts stderr "pty: no prompt matching /$env(PTY_PROMPT$i)/ within $timeout s"; exit 124 }
  }
}
if {!$ended} {
  expect {
    eof {}
    timeout { puts stderr "pty: the program did not end within $timeout s"; exit 124 }
  }
}
puts stderr "pty: answered $answered"
set r [wait]
if {[lindex $r 2] != 0 || [llength $r] > 4} { puts stderr "pty: $r"; exit 126 }
exit [lindex $r 3]
`;

/**
 * Runs `command` in a pty and answers `steps` in order; the program may end before all are used.
 *
 * @example
 * await runInPty(['su', 'bob', '-c', 'id -un'], [{ prompt: 'password: $', answer: '755224' }]);
 */
export function runInPty(command: readonly string[], steps: readonly PtyStep[], options: PtyOptions = {}): Promise<PtyResult> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'otpd-pty-'));
  const script = path.join(dir, 'dialogue.exp');
  writeFileSync(script, SCRIPT, { mode: 0o600 });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    LC_ALL: 'C',
    LANG: 'C',
    PTY_TIMEOUT: String(options.timeoutSeconds ?? 20),
    PTY_ARGC: String(command.length),
    PTY_STEPS: String(steps.length),
  };
  command.forEach((arg, i) => (env[`PTY_ARG${i}`] = arg));
  steps.forEach((step, i) => {
    env[`PTY_PROMPT${i}`] = step.prompt;
    env[`PTY_ANSWER${i}`] = step.answer;
  });
  const [program = 'expect', ...args] = [...(options.within ?? []), 'expect', '-f', script];
  const started = performance.now();
  const child = spawn(program, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise<PtyResult>((resolve, reject) => {
    child.on('error', (e) => reject(new Error(`cannot run ${program} (expect is in scripts/install-deps.sh): ${e.message}`)));
    child.on('close', (status) => {
      const answered = Number(/pty: answered (\d+)/.exec(stderr)?.[1] ?? 0);
      resolve({ status, output: output.replace(/\r\n/g, '\n'), stderr, answered, elapsedMs: performance.now() - started });
    });
  }).finally(() => rmSync(dir, { recursive: true, force: true }));
}
