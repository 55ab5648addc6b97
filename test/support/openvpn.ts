/**
 * Real OpenVPN 2.6 servers and clients on 127.0.0.1 for login tests through the auth-pam plugin
 * (where OpenVPN cannot run, openvpn-harness.ts loads the same plugin instead).
 *
 * TLS: two self-signed certificates made with openssl, each side pinning the other's with
 * `peer-fingerprint` (OpenVPN 2.6), so no CA is needed. Both sides use `ifconfig-noexec` and
 * `route-noexec`: they still open a tun device (which is why /dev/net/tun must work) but leave the
 * host's addresses and routes alone. The client runs under expect because OpenVPN asks for the
 * static-challenge response on its terminal only, even when the user name and password come from a
 * file; expect then stops it (closing its terminal alone would send SIGHUP, which makes OpenVPN restart).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freeTcpPort } from './free-port.js';
import { run } from './run.js';

/**
 * Whether this machine can give OpenVPN a tun device: /dev/net/tun opens and the kernel makes a
 * device (probed with `ip tuntap add`, then deleted). Containers often lack one or the other.
 * OTPD_TEST_NO_TUN=1 answers no, to run the harness-only path on purpose.
 * @returns undefined when usable, else why not
 */
export function tunUnusableReason(): string | undefined {
  if (process.env.OTPD_TEST_NO_TUN === '1') return 'OTPD_TEST_NO_TUN=1';
  const name = `otpdprobe${randomBytes(3).toString('hex')}`;
  const add = run('ip', ['tuntap', 'add', 'dev', name, 'mode', 'tun']);
  if (add.status !== 0) return `ip tuntap add failed: ${add.stderr.trim()}`;
  run('ip', ['link', 'del', name]);
  return undefined;
}

export interface OpenvpnLab {
  readonly dir: string;
  /** Starts a server on a free port with these plugin words; resolves once it is ready. */
  startServer(pluginWords: readonly string[]): Promise<OpenvpnServer>;
  /** Runs the real client under expect until it connects, is refused or times out. */
  connect(options: ClientOptions): ClientResult;
  /** Removes the directory (servers are stopped by their own `stop`). */
  cleanup(): void;
}

export interface OpenvpnServer {
  readonly port: number;
  log(): string;
  stop(): Promise<void>;
}

export interface ClientOptions {
  readonly server: OpenvpnServer;
  readonly username: string;
  readonly password: string;
  /** Extra client lines (the shipped `#client:` ones); `auth-user-pass` gets the credentials file. */
  readonly lines: readonly string[];
  /** The answer to the static challenge, if the client asks one. */
  readonly challengeAnswer?: string;
}

export interface ClientResult {
  /** expect's exit: 0 connected, 1 AUTH_FAILED, 2 timeout, 3 OpenVPN ended otherwise. */
  readonly status: number | null;
  readonly output: string;
  readonly connected: boolean;
  readonly authFailed: boolean;
  /** The client asked the static challenge. */
  readonly challenged: boolean;
}

/** Makes a lab directory; the two certificates are made when the first server starts. */
export function makeOpenvpnLab(): OpenvpnLab {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'otpd-openvpn-'));
  const fingerprint = (name: string): string => {
    const req = run('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '2',
      '-subj',
      `/CN=otpd-test-${name}`,
      '-keyout',
      path.join(dir, `${name}.key`),
      '-out',
      path.join(dir, `${name}.crt`),
    ]);
    if (req.status !== 0) throw new Error(`openssl req failed: ${req.stderr}`);
    const fp = run('openssl', ['x509', '-in', path.join(dir, `${name}.crt`), '-noout', '-fingerprint', '-sha256']);
    const value = /=([0-9A-F:]+)/.exec(fp.stdout)?.[1];
    if (fp.status !== 0 || value === undefined) throw new Error(`openssl x509 -fingerprint failed: ${fp.stderr}`);
    return value;
  };
  // Made on first use: the harness cases share the directory but need no certificates (nor openssl).
  let pins: { server: string; client: string } | undefined;
  const fingerprints = (): { server: string; client: string } => (pins ??= { server: fingerprint('server'), client: fingerprint('client') });
  return {
    dir,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
    async startServer(pluginWords) {
      const port = await freeTcpPort();
      // A private /24 picked at random: nothing is configured on it (ifconfig-noexec), it only has to parse.
      const subnet = `10.${200 + (port % 50)}.${port % 250}.0`;
      const conf = path.join(dir, `server-${port}.conf`);
      writeFileSync(
        conf,
        [
          `server ${subnet} 255.255.255.0`,
          'topology subnet',
          'proto tcp-server',
          'local 127.0.0.1',
          `port ${port}`,
          'dev tun',
          `cert ${path.join(dir, 'server.crt')}`,
          `key ${path.join(dir, 'server.key')}`,
          'dh none',
          `peer-fingerprint ${fingerprints().client}`,
          'disable-dco',
          'ifconfig-noexec',
          'route-noexec',
          'verb 4',
          `plugin ${pluginWords.map((w) => (/\s/.test(w) ? JSON.stringify(w) : w)).join(' ')}`,
          '',
        ].join('\n'),
      );
      const logFile = path.join(dir, `server-${port}.log`);
      const fd = openSync(logFile, 'a', 0o600);
      const child: ChildProcess = spawn('openvpn', ['--config', conf], { stdio: ['ignore', fd, fd] });
      closeSync(fd);
      const log = (): string => readFileSync(logFile, 'utf8');
      const stop = async (): Promise<void> => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const gone = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await gone;
        clearTimeout(timer);
      };
      const deadline = Date.now() + 20_000;
      while (!log().includes('Initialization Sequence Completed')) {
        if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
          await stop();
          throw new Error(`the OpenVPN server did not start:\n${log()}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      const server = { port, log, stop };
      return server;
    },
    connect(options) {
      const credentials = path.join(dir, 'credentials');
      writeFileSync(credentials, `${options.username}\n${options.password}\n`, { mode: 0o600 });
      const conf = path.join(dir, 'client.conf');
      writeFileSync(conf, clientConfig(options, credentials));
      const script = path.join(dir, 'client.exp');
      writeFileSync(script, CLIENT_EXPECT);
      const env = { ...process.env, OTPD_TEST_CONF: conf, OTPD_TEST_ANSWER: options.challengeAnswer ?? '' };
      const r = run('expect', ['-f', script], { env, timeoutMs: 60_000 });
      rmSync(credentials, { force: true });
      const output = `${r.stdout}${r.stderr}`;
      return {
        status: r.status,
        output,
        connected: r.status === 0 && output.includes('Initialization Sequence Completed'),
        authFailed: r.status === 1 && output.includes('AUTH_FAILED'),
        challenged: output.includes('CHALLENGE:'),
      };
    },
  };

  // The client's configuration refers to the lab's files, so it is written next to them.
  function clientConfig(options: ClientOptions, credentials: string): string {
    return [
      'client',
      'proto tcp-client',
      `remote 127.0.0.1 ${options.server.port}`,
      'dev tun',
      'nobind',
      `peer-fingerprint ${fingerprints().server}`,
      `cert ${path.join(dir, 'client.crt')}`,
      `key ${path.join(dir, 'client.key')}`,
      'auth-retry none',
      'connect-retry-max 1',
      'disable-dco',
      'ifconfig-noexec',
      'route-noexec',
      'verb 3',
      ...options.lines.map((l) => (l === 'auth-user-pass' ? `auth-user-pass ${credentials}` : l)),
      '',
    ].join('\n');
  }
}

/**
 * Runs `openvpn --config $OTPD_TEST_CONF` on a terminal, answers a static challenge with
 * $OTPD_TEST_ANSWER (once echo is off), and exits 0 on "Initialization Sequence Completed", 1 on AUTH_FAILED, 2 on
 * timeout, 3 when OpenVPN ends otherwise; OpenVPN itself is stopped (SIGTERM) first.
 */
const CLIENT_EXPECT = String.raw`set timeout 30
set pid [spawn openvpn --config $env(OTPD_TEST_CONF)]
# OpenVPN prints the challenge and only then turns echo off with TCSAFLUSH, which drops what was typed
# in between: answer once the terminal no longer echoes.
proc wait_echo_off {tty} {
  for {set i 0} {$i < 400} {incr i} {
    if {[catch {exec stty -a < $tty} out] == 0 && [regexp {(^|[ ;])-echo([ ;]|$)} $out]} { return }
    after 25
  }
}
proc finish {pid code} {
  catch {exec kill -TERM $pid}
  catch {close}
  catch {wait}
  exit $code
}
expect {
  -re {CHALLENGE: [^\r\n]*} { wait_echo_off $spawn_out(slave,name); send -- "$env(OTPD_TEST_ANSWER)\r"; exp_continue }
  "Initialization Sequence Completed" { finish $pid 0 }
  "AUTH_FAILED" { finish $pid 1 }
  timeout { finish $pid 2 }
  eof { catch {wait}; exit 3 }
}
`;
