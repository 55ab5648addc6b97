/**
 * A user name is the client's to choose (sshd and OpenVPN pass on whatever was typed), so it must
 * not be able to write lines of its own into the daemon's log: with `-d` every conversation step
 * names `service/user`, and a newline in the name would start a forged line — on stderr, and through
 * `logger --prio-prefix` in syslog even with a priority of its choosing (`<86>` is AUTHPRIV). Each
 * sink escapes control characters (docs/daemon.md, "The daemon's log"), checked here through the raw
 * protocol on stderr and on a syslog socket, and through the real PAM module with pamtester.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { login, otpdPath, startDaemon, type Daemon } from '../support/daemon.js';
import { startLoginStage, type LoginStage } from '../support/login-stage.js';
import { otpdAuthLine } from '../support/pam-module.js';
import { runPamtester } from '../support/pamtester.js';
import { makeFixture, RFC_KEY_HEX, type Fixture } from '../support/store-fixture.js';

/** Newlines that would start forged lines (one with a syslog priority), a tab, a carriage return, a line separator, a bidi override and a terminal escape. */
const FORGED_USER = 'x\notpd[1]: sshd/root: AUTH_OK_OTP accepted\n<86>code=AUTH_OK_OTP user="root"\r\tq\u2028\u202eesrever\x1b[2Jend';

/** How the name must appear: on one line, every control character written out. */
const ESCAPED_USER = String.raw`x\notpd[1]: sshd/root: AUTH_OK_OTP accepted\n<86>code=AUTH_OK_OTP user="root"\r\tq\u{2028}\u{202E}esrever\x1b[2Jend`;

let fx: Fixture | undefined;
let daemon: Daemon | undefined;
let stage: LoginStage | undefined;

afterEach(async () => {
  await daemon?.stop();
  daemon = undefined;
  fx?.cleanup();
  fx = undefined;
  await stage?.close();
  stage = undefined;
});

/** Checks a log's lines (stderr, or one datagram's message each): nothing forged, the name escaped. */
function expectNoForgedLine(messages: readonly string[], all: string): void {
  for (const message of messages) {
    expect(message, all).not.toMatch(/^(otpd\[1\]: |<\d+>|code=)/);
  }
  expect(all).not.toMatch(/[\r\u2028\u2029\u202e\x1b]/);
  expect(all).toContain(`sshd/${ESCAPED_USER}: `);
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('a user name cannot forge log lines', () => {
  it('otpd -d, stderr: one line per message, the name escaped', async () => {
    fx = makeFixture({ name: 'daemon-forge-stderr', store: `HOTP alice - ${RFC_KEY_HEX} 0\n` });
    daemon = await startDaemon(fx, ['-d']);
    const r = await login(daemon.socket, { service: 'sshd', user: FORGED_USER, rhost: '192.0.2.1\nforged' }, () => '000000');
    expect(r.verdict === 'USER_UNKNOWN' || r.verdict === 'AUTH_ERR', JSON.stringify(r)).toBe(true);
    await until(() => daemon!.stderr().includes('RESULT'), 'the RESULT line');
    const stderr = daemon.stderr();
    const lines = stderr.split('\n').filter((l) => l !== '');
    for (const line of lines) expect(line, stderr).toMatch(/^otpd\[\d+\]: /);
    expectNoForgedLine(
      lines.map((l) => l.replace(/^otpd\[\d+\]: /, '')),
      stderr,
    );
  });

  it('otpd -d --log syslog: one datagram per message, no forged priority', async () => {
    fx = makeFixture({ name: 'daemon-forge-syslog', store: `HOTP alice - ${RFC_KEY_HEX} 0\n` });
    const devLog = path.join(fx.dir, 'dev-log');
    const receiver = spawn('python3', [
      '-u',
      '-c',
      // One datagram per output line; a newline inside one is shown as ⏎ so that it cannot pass for two.
      [
        'import socket',
        's = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)',
        `s.bind(${JSON.stringify(devLog)})`,
        'print("ready")',
        'while True: print(s.recv(65536).decode().replace("\\n", "\\u23ce"))',
      ].join('\n'),
    ]);
    let out = '';
    receiver.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    try {
      await until(() => out.includes('ready'), 'the syslog receiver');
      const socket = path.join(fx.dir, 'run', 'otpd.sock');
      const child = spawn(process.execPath, [otpdPath, '--socket', socket, '--log', 'syslog', '--syslog-socket', devLog, '-d'], {
        env: fx.env,
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      const exited = new Promise<number | null>((resolve) => child.on('exit', (status) => resolve(status)));
      try {
        await until(() => out.includes('listening on'), 'the listening line');
        const r = await login(socket, { service: 'sshd', user: FORGED_USER }, () => '000000');
        expect(r.verdict === 'USER_UNKNOWN' || r.verdict === 'AUTH_ERR', JSON.stringify(r)).toBe(true);
        await until(() => out.includes('RESULT'), 'the RESULT datagram');
      } finally {
        child.kill('SIGTERM');
      }
      expect(await exited).toBe(0);
      const datagrams = out.split('\n').filter((l) => l.startsWith('<'));
      // The daemon's own log: facility DAEMON (PRI 24 + severity), tagged by logger, for every message.
      for (const d of datagrams) expect(d, out).toMatch(/^<(2[4-9]|3[01])>.*? otpd\[\d+\]: /);
      expectNoForgedLine(
        datagrams.map((d) => d.replace(/^<\d+>.*? otpd\[\d+\]: /, '')),
        out,
      );
    } finally {
      receiver.kill();
    }
  });

  it('through pam_otpd.so (pamtester): the name the PAM stack passes on is escaped in the -d log', async () => {
    stage = await startLoginStage({ name: 'forge-pamtester', store: `HOTP alice - ${RFC_KEY_HEX} 0\n` }, ['-d']);
    const pam = stage.service([otpdAuthLine('required', stage.daemon.socket, ['timeout=5'])]);
    const r = await runPamtester({ service: pam.name, user: FORGED_USER, answers: ['000000'] });
    expect(r.code === 'PAM_USER_UNKNOWN' || r.code === 'PAM_AUTH_ERR', `${r.stdout}\n${r.stderr}`).toBe(true);
    await until(() => stage!.daemon.stderr().includes('RESULT'), 'the RESULT line');
    const stderr = stage.daemon.stderr();
    const lines = stderr.split('\n').filter((l) => l !== '');
    for (const line of lines) expect(line, stderr).toMatch(/^otpd\[\d+\]: /);
    const service = pam.name;
    expectNoForgedLine(
      lines.map((l) => l.replace(/^otpd\[\d+\]: /, '').replace(`${service}/`, 'sshd/')),
      stderr.replaceAll(`${service}/`, 'sshd/'),
    );
  });
});
