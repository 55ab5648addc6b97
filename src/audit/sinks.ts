/**
 * Where audit lines are written. A sink takes one finished line (no newline) and its severity; the
 * audit log never hands it anything else.
 *
 * Syslog: Node 20 cannot send to `/dev/log` itself — it is an AF_UNIX **datagram** socket, node:dgram
 * speaks UDP only and node:net stream sockets only (connecting gives EPROTOTYPE). Rather than a native
 * module, the syslog sink keeps one util-linux `logger` process (Debian: package bsdutils, Essential)
 * for the daemon's lifetime and writes each line to its standard input with `--prio-prefix`, so every
 * line carries its own AUTHPRIV priority. See docs/audit.md for the trade-offs.
 *
 * Every sink writes a line as one line, whatever it was given ({@link escapeLine}): `logger` reads its
 * standard input line by line, so a newline inside a line would be a message of its own — with a
 * `<PRI>` of its choosing — and a file or stream reader would see a line that nobody wrote.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { constants, writeSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { ErrorCodes, OtpdError } from '../errors.js';
import { type AuditSeverity, SEVERITY_NUMBERS } from './events.js';
import { escapeChar } from '../encoding/log-text.js';
import type { AuditTarget } from './target.js';

/** A destination for finished audit lines. */
export interface AuditSink {
  /** `file`, `stderr` or `syslog`. */
  readonly name: string;
  /**
   * Writes one line. Resolves when the line was handed to the operating system (file: written;
   * stderr: flushed to the stream; syslog: written to `logger`'s pipe).
   */
  write(line: string, severity: AuditSeverity): Promise<void>;
  /** Reopens the destination (a rotated log file); a no-op for the others. */
  reopen(): Promise<void>;
  /** Flushes and releases the destination. Later writes reject. */
  close(): Promise<void>;
}

/**
 * A line as every sink writes it: control characters, line and paragraph separators and bidirectional
 * controls escaped exactly as in an audit value (format.ts's `escapeChar`: `\n`, `\r`, `\t`, `\xHH`,
 * `\u{HHHH}`), while `\` and `"` stay as they are — so an audit line, escaped already, passes
 * unchanged, and any other line (the daemon's own log, a message naming a user) cannot become two.
 *
 * @param line - one line, as given
 * @returns the same text on one line
 * @example
 * escapeLine('sshd/x\ncode=AUTH_OK_OTP'); // 'sshd/x\\ncode=AUTH_OK_OTP'
 */
export function escapeLine(line: string): string {
  return Array.from(line, (char) => (char === '\\' || char === '"' ? char : escapeChar(char))).join('');
}

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

/**
 * An audit sink could not be opened or written. The family's {@link ErrorCodes} has no I/O code yet,
 * so this carries `INVALID_INPUT` (as the store's errors do); `path` names the file when there is one.
 */
export class AuditSinkError extends OtpdError {
  readonly path: string | undefined;

  constructor(message: string, options?: { cause?: unknown; path?: string }) {
    super(ErrorCodes.AUDIT_ERROR, message, options);
    this.path = options?.path;
  }
}

/**
 * Opens an append-only audit file: `O_WRONLY|O_APPEND|O_CREAT|O_NOFOLLOW`, created mode 0600. An
 * existing file must be a regular file owned by this process's user and not group- or
 * world-writable. Each line is one `write(2)` of `line + "\n"`; with O_APPEND concurrent writers never
 * interleave within a line.
 *
 * @param path - an absolute path
 * @returns the sink; `reopen()` opens the path again (after logrotate moved the file)
 * @throws AuditSinkError naming the path and how to fix it
 */
export async function openFileSink(path: string): Promise<AuditSink> {
  let handle = await openAuditFile(path);
  let closed = false;
  let queue: Promise<void> = Promise.resolve();
  const serial = <T>(job: () => Promise<T>): Promise<T> => {
    const run = queue.then(job);
    queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  };
  return {
    name: 'file',
    write: (line) =>
      serial(async () => {
        if (closed) throw new AuditSinkError(`audit file ${path} is closed`);
        const buffer = Buffer.from(`${escapeLine(line)}\n`, 'utf8');
        // A direct write: appending one line to a local file takes microseconds, far less than a
        // round trip through the thread pool would add to every login.
        let offset = 0;
        while (offset < buffer.length) offset += writeSync(handle.fd, buffer, offset, buffer.length - offset, null);
      }),
    reopen: () =>
      serial(async () => {
        if (closed) return;
        const fresh = await openAuditFile(path);
        const old = handle;
        handle = fresh;
        await old.close();
      }),
    close: () =>
      serial(async () => {
        if (closed) return;
        closed = true;
        await handle.close();
      }),
  };
}

async function openAuditFile(path: string): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW, 0o600);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ELOOP' ? 'is a symbolic link' : (error as Error).message;
    throw new AuditSinkError(`cannot open audit file ${path}: ${why}`, { cause: error, path });
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new AuditSinkError(`audit file ${path} is not a regular file`, { path });
    const uid = process.geteuid?.();
    if (uid !== undefined && stat.uid !== uid) {
      throw new AuditSinkError(`audit file ${path} is owned by uid ${stat.uid}, not ${uid}; fix with: chown ${uid} ${path}`, { path });
    }
    if ((stat.mode & 0o022) !== 0) {
      const mode = (stat.mode & 0o777).toString(8).padStart(4, '0');
      throw new AuditSinkError(`audit file ${path} is writable by group or others (mode ${mode}); fix with: chmod 0600 ${path}`, { path });
    }
    return handle;
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/**
 * A sink writing each line to a stream, standard error by default (under systemd: the journal).
 *
 * @param stream - where to write; `process.stderr` when omitted
 * @returns the sink; `close()` does not close the stream
 */
export function createStreamSink(stream: Writable = process.stderr): AuditSink {
  let closed = false;
  return {
    name: 'stderr',
    write: (line) =>
      new Promise<void>((resolve, reject) => {
        if (closed) {
          reject(new AuditSinkError('audit stream is closed'));
          return;
        }
        stream.write(`${escapeLine(line)}\n`, (error) => (error ? reject(new AuditSinkError(`cannot write audit line: ${error.message}`, { cause: error })) : resolve()));
      }),
    reopen: () => Promise.resolve(),
    close: () => {
      closed = true;
      return Promise.resolve();
    },
  };
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

/**
 * Opens the sink a configuration names.
 *
 * @param target - `config.auditLog`
 * @returns the sink
 * @throws AuditSinkError when a file cannot be opened safely
 */
export async function openAuditSink(target: AuditTarget): Promise<AuditSink> {
  switch (target.kind) {
    case 'file':
      return openFileSink(target.path);
    case 'stderr':
      return createStreamSink();
    case 'syslog':
      return createSyslogSink();
  }
}
