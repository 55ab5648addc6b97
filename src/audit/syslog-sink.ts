/**
 * The syslog sink. Node 20 cannot send to `/dev/log` itself — it is an AF_UNIX **datagram** socket,
 * node:dgram speaks UDP only and node:net stream sockets only (connecting gives EPROTOTYPE). Rather
 * than a native module, the sink keeps one util-linux `logger` process (Debian: package bsdutils,
 * Essential) for the daemon's lifetime and writes each line to its standard input with
 * `--prio-prefix`, so every line carries its own priority. See docs/audit.md for the trade-offs.
 *
 * `logger` reads its standard input line by line, so a newline inside a line would be a message of its
 * own — with a `<PRI>` of its choosing: every line is written through {@link escapeLine}.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { Writable } from 'node:stream';
import { escapeLine } from '../encoding/log-text.js';
import { type AuditSeverity, SEVERITY_NUMBERS } from './events.js';
import { type AuditSink, AuditSinkError } from './sink.js';

/** Syslog facilities otpd writes to (RFC 5424 §6.2.1 numbers): audit lines to AUTHPRIV, the daemon's own log to DAEMON. */
export const SYSLOG_FACILITIES = Object.freeze({ authpriv: 10, daemon: 3 } as const);

/** A facility otpd writes to. */
export type SyslogFacility = keyof typeof SYSLOG_FACILITIES;

/**
 * The syslog PRI value of a message.
 *
 * @param facility - `authpriv` (audit) or `daemon` (the daemon's own log)
 * @param severity - the severity
 * @returns facility × 8 + severity (`authpriv`, `info` ⇒ 86; `daemon`, `info` ⇒ 30)
 */
export function syslogPriority(facility: SyslogFacility, severity: AuditSeverity): number {
  return SYSLOG_FACILITIES[facility] * 8 + SEVERITY_NUMBERS[severity];
}

/**
 * The syslog PRI value for an AUTHPRIV message.
 *
 * @param severity - the audit severity
 * @returns facility × 8 + severity (`info` ⇒ 86)
 */
export function authprivPriority(severity: AuditSeverity): number {
  return syslogPriority('authpriv', severity);
}

/** Options of {@link createSyslogSink}. */
export interface SyslogSinkOptions {
  /** The syslog tag (APP-NAME). Default `otpd`. */
  readonly tag?: string;
  /** Default `authpriv` (audit lines); the daemon's own log uses `daemon`. */
  readonly facility?: SyslogFacility;
  /** The `logger` program. Default `logger` (found on PATH). */
  readonly loggerPath?: string;
  /** The syslog socket; default `logger`'s (`/dev/log`). */
  readonly socketPath?: string;
  /** Extra `logger` arguments (tests pass `--stderr`). @internal */
  readonly extraArgs?: readonly string[];
  /** Where `logger`'s own complaints go. Default: standard error. */
  readonly diagnostics?: Writable;
}

/**
 * A sink that sends each line to syslog, facility AUTHPRIV unless told otherwise, through one long-lived util-linux
 * `logger --prio-prefix` process: each line is written as `<PRI>line` to its standard input. If
 * `logger` exits, the next line starts a new one.
 *
 * @param options - tag, program and socket
 * @returns the sink
 */
export function createSyslogSink(options: SyslogSinkOptions = {}): AuditSink {
  const tag = options.tag ?? 'otpd';
  const facility = options.facility ?? 'authpriv';
  const args = [
    '--prio-prefix',
    '-p',
    `${facility}.notice`,
    '-t',
    tag,
    // logger's own pid: `--id=PID` for another process (ours) is sent as SCM_CREDENTIALS, which the
    // kernel allows only with CAP_SYS_ADMIN, CAP_SETUID and CAP_SETGID — not under otpd.service.
    '--id',
    '--size',
    '4096',
    ...(options.socketPath === undefined ? [] : ['--socket', options.socketPath]),
    ...(options.extraArgs ?? []),
  ];
  const diagnostics = options.diagnostics ?? process.stderr;
  let child: ChildProcess | undefined;
  let closed = false;

  const start = (): ChildProcess => {
    const started = spawn(options.loggerPath ?? 'logger', args, { stdio: ['pipe', 'ignore', 'pipe'] });
    started.stderr?.pipe(diagnostics, { end: false });
    started.stdin?.on('error', () => undefined);
    started.on('error', () => undefined);
    started.on('exit', () => {
      if (child === started) child = undefined;
    });
    return started;
  };

  return {
    name: 'syslog',
    write: (line, severity) =>
      new Promise<void>((resolve, reject) => {
        if (closed) {
          reject(new AuditSinkError('syslog sink is closed'));
          return;
        }
        child ??= start();
        const target = child;
        const failed = (error: Error): void => reject(new AuditSinkError(`cannot hand an audit line to logger: ${error.message}`, { cause: error }));
        if (target.stdin === null || target.stdin.destroyed) {
          child = undefined;
          failed(new Error('logger is not running'));
          return;
        }
        target.once('error', failed);
        target.stdin.write(`<${syslogPriority(facility, severity)}>${escapeLine(line)}\n`, (error) => {
          target.off('error', failed);
          if (error) {
            if (child === target) child = undefined;
            failed(error);
          } else resolve();
        });
      }),
    reopen: () => Promise.resolve(),
    close: () =>
      new Promise<void>((resolve) => {
        closed = true;
        const running = child;
        child = undefined;
        if (running === undefined || running.exitCode !== null || running.signalCode !== null) {
          resolve();
          return;
        }
        const timer = setTimeout(() => {
          running.kill();
          resolve();
        }, 5000);
        running.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
        running.stdin?.end();
      }),
  };
}
