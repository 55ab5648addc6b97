import { spawn } from 'node:child_process';
import { chmodSync, chownSync, readFileSync, renameSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { AuditSinkError, authprivPriority, createAuditLog, createStreamSink, createSyslogSink, openAuditLog, openFileSink } from '../../../src/audit/index.js';
import { tempDirForFile } from '../../support/temp-dir.js';

const dir = tempDirForFile('otpd-audit-');
const fixedClock = () => new Date('2026-11-03T10:00:00.000Z');
const isRoot = process.geteuid?.() === 0;

function collect(stream: PassThrough): () => string {
  let text = '';
  stream.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
  });
  return () => text;
}

describe('file sink', () => {
  it('creates the file 0600 and appends one line per record', async () => {
    const path = join(dir, 'new.log');
    const audit = createAuditLog(await openFileSink(path), { now: fixedClock });
    await audit.record({ code: 'AUTH_OK_OTP', user: 'alice', service: 'sshd' });
    await audit.record({ code: 'AUTH_FAILED', user: 'bob', reason: 'the one-time password does not match' });
    await audit.close();
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path, 'utf8')).toBe(
      'time=2026-11-03T10:00:00.000Z code=AUTH_OK_OTP user="alice" token=- service="sshd" rhost=- tty=- session=- reason=- client=- access_group=-\n' +
        'time=2026-11-03T10:00:00.000Z code=AUTH_FAILED user="bob" token=- service=- rhost=- tty=- session=- reason="the one-time password does not match" client=- access_group=-\n',
    );
  });

  it('appends to an existing file and keeps its content', async () => {
    const path = join(dir, 'existing.log');
    writeFileSync(path, 'earlier line\n', { mode: 0o600 });
    const audit = await openAuditLog({ kind: 'file', path }, { now: fixedClock });
    await audit.record({ code: 'AUTH_USER_LOCKED', user: 'carol' });
    await audit.close();
    const lines = readFileSync(path, 'utf8').split('\n');
    expect(lines[0]).toBe('earlier line');
    expect(lines[1]).toMatch(/^time=\S+ code=AUTH_USER_LOCKED user="carol"/);
    expect(lines).toHaveLength(3);
  });

  it('many concurrent records from two sinks on one file: every line whole', async () => {
    const path = join(dir, 'busy.log');
    const first = createAuditLog(await openFileSink(path));
    const second = createAuditLog(await openFileSink(path));
    await Promise.all(
      Array.from({ length: 400 }, (_, index) =>
        (index % 2 === 0 ? first : second).record({ code: 'AUTH_FAILED', user: `user${index}`, reason: 'x'.repeat(150) }),
      ),
    );
    await Promise.all([first.close(), second.close()]);
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(400);
    for (const line of lines)
      expect(line).toMatch(/^time=\S+ code=AUTH_FAILED user="user\d+" token=- service=- rhost=- tty=- session=- reason="x{150}" client=- access_group=-$/);
    expect(new Set(lines.map((line) => /user="(user\d+)"/.exec(line)?.[1])).size).toBe(400);
  });

  it('reopen() follows a rotated file', async () => {
    const path = join(dir, 'rotate.log');
    const audit = createAuditLog(await openFileSink(path));
    await audit.record({ code: 'AUTH_OK_OTP', user: 'before' });
    renameSync(path, `${path}.1`);
    await audit.reopen();
    await audit.record({ code: 'AUTH_OK_OTP', user: 'after' });
    await audit.close();
    expect(readFileSync(`${path}.1`, 'utf8')).toContain('user="before"');
    expect(readFileSync(path, 'utf8')).toContain('user="after"');
    expect(readFileSync(path, 'utf8')).not.toContain('before');
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('refuses a group- or world-writable file, a symbolic link and a directory', async () => {
    const loose = join(dir, 'loose.log');
    writeFileSync(loose, '');
    chmodSync(loose, 0o666);
    await expect(openFileSink(loose)).rejects.toThrow(/writable by group or others \(mode 0666\); fix with: chmod 0600/);
    const link = join(dir, 'link.log');
    symlinkSync(join(dir, 'elsewhere.log'), link);
    await expect(openFileSink(link)).rejects.toThrow(/link\.log: is a symbolic link/);
    await expect(openFileSink(dir)).rejects.toBeInstanceOf(AuditSinkError);
  });

  it.runIf(isRoot)('refuses a file owned by another user', async () => {
    const path = join(dir, 'foreign.log');
    writeFileSync(path, '', { mode: 0o600 });
    chownSync(path, 65534, 65534);
    await expect(openFileSink(path)).rejects.toThrow(/owned by uid 65534, not 0; fix with: chown 0/);
  });

  it('a closed sink refuses further records', async () => {
    const audit = createAuditLog(await openFileSink(join(dir, 'closed.log')));
    await audit.close();
    await expect(audit.record({ code: 'AUTH_FAILED' })).rejects.toBeInstanceOf(AuditSinkError);
  });
});

describe('stream sink', () => {
  it('writes one line per record', async () => {
    const stream = new PassThrough();
    const text = collect(stream);
    const audit = createAuditLog(createStreamSink(stream), { now: fixedClock });
    await audit.record({ code: 'AUTH_SKEY_CHALLENGE', user: 'dave', token: 'dave/skey' });
    await audit.close();
    expect(text()).toBe(
      'time=2026-11-03T10:00:00.000Z code=AUTH_SKEY_CHALLENGE user="dave" token="dave/skey" service=- rhost=- tty=- session=- reason=- client=- access_group=-\n',
    );
  });
});

describe('syslog sink', () => {
  it('uses AUTHPRIV priorities', () => {
    expect(authprivPriority('info')).toBe(86);
    expect(authprivPriority('notice')).toBe(85);
    expect(authprivPriority('warning')).toBe(84);
    expect(authprivPriority('err')).toBe(83);
  });

  it('hands each line to one logger process with its own priority', async () => {
    const diagnostics = new PassThrough();
    const text = collect(diagnostics);
    const sink = createSyslogSink({ socketPath: join(dir, 'no-such-socket'), extraArgs: ['--stderr', '--socket-errors=off'], diagnostics });
    const audit = createAuditLog(sink, { now: fixedClock });
    await audit.record({ code: 'AUTH_OK_OTP', user: 'alice' });
    await audit.record({ code: 'AUTH_OTP_ALREADY_USED', user: 'al ice\nx' });
    await audit.record({ code: 'AUTH_STORE_ERROR' });
    await audit.close();
    const lines = text().trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    // logger's own pid (a child of ours), never ours: that would need capabilities otpd.service drops.
    expect(lines[0]).toMatch(/^<86>.* otpd\[\d+\]: time=2026-11-03T10:00:00\.000Z code=AUTH_OK_OTP user="alice" /);
    expect(lines[0]).not.toContain(`otpd[${process.pid}]`);
    expect(lines[1]).toMatch(/^<84>.* code=AUTH_OTP_ALREADY_USED user="al ice\\nx" /);
    expect(lines[2]).toMatch(/^<83>.* code=AUTH_STORE_ERROR /);
  });

  it('a line with control characters stays one message: newlines, a forged <PRI>, bidi and separators are escaped', async () => {
    const diagnostics = new PassThrough();
    const text = collect(diagnostics);
    const sink = createSyslogSink({ facility: 'daemon', socketPath: join(dir, 'no-such-socket'), extraArgs: ['--stderr', '--socket-errors=off'], diagnostics });
    // Not an audit line (those are escaped already): what the daemon's own log may hand it.
    await sink.write('sshd/x\n<86>code=AUTH_OK_OTP user="root"\r\tz\u2028\u202e\x1b[2J: RESULT AUTH_ERR', 'info');
    await sink.write('time=T code=AUTH_FAILED user="a\\nb\\\\" reason=-', 'notice');
    await sink.close();
    const lines = text().trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^<30>.* otpd\[\d+\]: sshd\/x\\n<86>code=AUTH_OK_OTP user="root"\\r\\tz\\u\{2028\}\\u\{202E\}\\x1b\[2J: RESULT AUTH_ERR$/);
    // An audit line's own escapes are kept as they are: escaping twice would change the audit format.
    expect(lines[1]).toMatch(/^<29>.* otpd\[\d+\]: time=T code=AUTH_FAILED user="a\\nb\\\\" reason=-$/);
  });

  it('the stream sink escapes control characters too', async () => {
    const stream = new PassThrough();
    const text = collect(stream);
    const sink = createStreamSink(stream);
    await sink.write('a\nforged\u2029b', 'info');
    expect(text()).toBe('a\\nforged\\u{2029}b\n');
  });

  it('delivers datagrams to a syslog socket', async () => {
    const socketPath = join(dir, 'dev-log');
    const receiver = spawn('python3', [
      '-c',
      [
        'import socket, sys',
        's = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)',
        `s.bind(${JSON.stringify(socketPath)})`,
        'print("ready", flush=True)',
        'for _ in range(2): print(s.recv(65536).decode(), flush=True)',
      ].join('\n'),
    ]);
    const received = new PassThrough();
    receiver.stdout.pipe(received);
    const text = collect(received);
    await new Promise<void>((resolve) => received.once('data', () => resolve()));
    const audit = createAuditLog(createSyslogSink({ socketPath }), { now: fixedClock });
    await audit.record({ code: 'AUTH_OK_STATIC', user: 'erin', service: 'dovecot' });
    await audit.record({ code: 'AUTH_FAILED', user: 'erin', service: 'dovecot' });
    await new Promise<void>((resolve) => receiver.once('close', () => resolve()));
    await audit.close();
    const datagrams = text()
      .split('\n')
      .filter((line) => line.startsWith('<'));
    expect(datagrams[0]).toMatch(/^<86>.*otpd\[\d+\]: time=\S+ code=AUTH_OK_STATIC user="erin" token=- service="dovecot"/);
    expect(datagrams[1]).toMatch(/^<85>.*code=AUTH_FAILED/);
  });

  it('starts logger again when it exited', async () => {
    const out = join(dir, 'one-line-logger.out');
    const script = join(dir, 'one-line-logger');
    // A stand-in for logger that takes one line and exits, as a crashed logger would.
    writeFileSync(script, `#!/bin/sh\nhead -n 1 >> ${out}\n`, { mode: 0o755 });
    const sink = createSyslogSink({ loggerPath: script });
    await sink.write('first', 'info');
    await new Promise((resolve) => setTimeout(resolve, 300));
    await sink.write('second', 'notice').catch(() => sink.write('second', 'notice'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    await sink.close();
    expect(readFileSync(out, 'utf8')).toBe('<86>first\n<85>second\n');
  });
});
