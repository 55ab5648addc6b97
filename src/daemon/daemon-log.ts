/**
 * The daemon's own log (start, stop, reloads, refused peers, and with -d every conversation step):
 * standard error by default — what systemd's journal and a foreground run both want — or syslog,
 * facility DAEMON, with `--log syslog` for hosts that collect logs with a syslog daemon. Audit lines
 * are separate (AUTHPRIV, `audit_log` in the configuration: docs/audit.md). Never secrets: callers pass
 * fixed sentences, names and numbers only.
 */
import type { AuditSeverity } from '../audit/index.js';
import { createSyslogSink } from '../audit/index.js';

/** Where the daemon's own lines go. */
export type DaemonLogTarget = 'stderr' | 'syslog';

export interface DaemonLog {
  /** Writes one line; never throws (a log that cannot be written must not stop a login). */
  log(line: string, severity?: AuditSeverity): void;
  /** Flushes and closes (syslog: ends the `logger` process). */
  close(): Promise<void>;
}

export interface DaemonLogOptions {
  /** The syslog socket (default: `logger`'s, /dev/log). @internal tests */
  readonly syslogSocket?: string | undefined;
}

/**
 * @param target - `stderr` or `syslog`
 * @returns the log
 * @example
 * const { log } = openDaemonLog('syslog'); log('listening on /run/otpd/otpd.sock');
 */
export function openDaemonLog(target: DaemonLogTarget, options: DaemonLogOptions = {}): DaemonLog {
  if (target === 'stderr') {
    return {
      log: (line) => void process.stderr.write(`otpd[${process.pid}]: ${line}\n`),
      close: () => Promise.resolve(),
    };
  }
  const sink = createSyslogSink({ facility: 'daemon', ...(options.syslogSocket !== undefined && { socketPath: options.syslogSocket }) });
  return {
    log: (line, severity = 'info') => {
      sink.write(line, severity).catch((error: unknown) => {
        // syslog is down: say so where someone may still see it, without the line itself being lost.
        process.stderr.write(`otpd[${process.pid}]: syslog unavailable (${error instanceof Error ? error.message : String(error)}): ${line}\n`);
      });
    },
    close: () => sink.close(),
  };
}
