/**
 * Where audit lines are written: an append-only file, a stream (stderr), or syslog
 * (syslog-sink.ts), as the configuration names it. Every sink writes a line as one line, whatever it
 * was given ({@link escapeLine}): a file or stream reader must never see a line that nobody wrote.
 */
import { constants, writeSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { escapeLine } from '../encoding/log-text.js';
import { type AuditSink, AuditSinkError } from './sink.js';
import { createSyslogSink } from './syslog-sink.js';
import type { AuditTarget } from './target.js';

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
        stream.write(`${escapeLine(line)}\n`, (error) =>
          error ? reject(new AuditSinkError(`cannot write audit line: ${error.message}`, { cause: error })) : resolve(),
        );
      }),
    reopen: () => Promise.resolve(),
    close: () => {
      closed = true;
      return Promise.resolve();
    },
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
