/**
 * The daemon's own log (start, stop, reloads, refused peers, and with -d every conversation step):
 * standard error by default — what systemd's journal and a foreground run both want — or syslog,
 * facility DAEMON, with `--log syslog` for hosts that collect logs with a syslog daemon. Audit lines
 * are separate (AUTHPRIV, `audit_log` in the configuration: docs/audit.md). Never secrets: callers pass
 * fixed sentences, names and numbers only.
 *
 * Names come from the client (with -d every step is labelled `service/user: `), so every line is
 * escaped here, on its way out, as explain mode escapes its steps (format.ts `escapeText`: control
 * characters, separators and bidi controls written out, `\` doubled): a name cannot start a line of its
 * own, on stderr or in syslog, and no caller has to remember to escape.
 */
import { messageOf } from '../errors.js';
import type { AuditSeverity } from '../audit/index.js';
import { createSyslogSink } from '../audit/index.js';
import { escapeText } from '../encoding/log-text.js';

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
      log: (line) => void process.stderr.write(`otpd[${process.pid}]: ${escapeText(line)}\n`),
      close: () => Promise.resolve(),
    };
  }
  const sink = createSyslogSink({ facility: 'daemon', ...(options.syslogSocket !== undefined && { socketPath: options.syslogSocket }) });
  return {
    log: (line, severity = 'info') => {
      const escaped = escapeText(line);
      sink.write(escaped, severity).catch((error: unknown) => {
        // syslog is down: say so where someone may still see it, without the line itself being lost.
        process.stderr.write(`otpd[${process.pid}]: ${escapeText(`syslog unavailable (${messageOf(error)}): `)}${escaped}\n`);
      });
    },
    close: () => sink.close(),
  };
}
