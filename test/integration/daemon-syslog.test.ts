/**
 * `otpd --log syslog`: the daemon's own messages go to syslog with facility DAEMON (PRI 24 + severity),
 * tagged otpd[pid], and nothing to standard error. A python3 receiver stands in for /dev/log, as in
 * test/unit/audit/sinks.test.ts.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { otpdPath } from '../support/daemon.js';
import { makeFixture, RFC_KEY_HEX, type Fixture } from '../support/store-fixture.js';

let fx: Fixture | undefined;

afterEach(() => fx?.cleanup());

/** A datagram receiver on `socketPath`; resolves once it is bound. */
async function syslogReceiver(socketPath: string): Promise<{ datagrams: () => string[]; stop: () => void }> {
  const receiver = spawn('python3', [
    '-u',
    '-c',
    [
      'import socket',
      's = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)',
      `s.bind(${JSON.stringify(socketPath)})`,
      'print("ready")',
      'while True: print(s.recv(65536).decode().replace("\\n", " "))',
    ].join('\n'),
  ]);
  let out = '';
  receiver.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  while (!out.includes('ready')) await new Promise((r) => setTimeout(r, 10));
  return { datagrams: () => out.split('\n').filter((l) => l.startsWith('<')), stop: () => receiver.kill() };
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('otpd --log syslog', () => {
  it('start and stop are logged to syslog, facility daemon, and not to stderr', async () => {
    fx = makeFixture({ name: 'daemon-syslog', store: `HOTP alice - ${RFC_KEY_HEX} 0\n` });
    const devLog = path.join(fx.dir, 'dev-log');
    const syslog = await syslogReceiver(devLog);
    try {
      const socket = path.join(fx.dir, 'run', 'otpd.sock');
      const child = spawn(process.execPath, [otpdPath, '--socket', socket, '--log', 'syslog', '--syslog-socket', devLog], {
        env: fx.env,
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (status) => resolve(status)));
      await until(() => syslog.datagrams().some((d) => d.includes('listening on')), 'the listening line');
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      await until(() => syslog.datagrams().some((d) => d.includes('stopped')), 'the stopped line');
      const lines = syslog.datagrams();
      expect(lines.find((d) => d.includes('listening on'))).toMatch(
        new RegExp(`^<30>.*otpd\\[\\d+\\]: listening on ${socket.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
      );
      expect(lines.find((d) => d.includes('SIGTERM'))).toMatch(/^<30>.*SIGTERM: stopping/);
      expect(stderr).not.toMatch(/listening on|stopped/);
    } finally {
      syslog.stop();
    }
  });
});
