/**
 * A real OpenSSH server for login tests, and the real ssh client to log in with.
 *
 * sshd names its PAM service after the program (`__progname`), so a test instance started as
 * /usr/sbin/sshd would read /etc/pam.d/sshd, which a developer's machine needs for its own logins. A
 * private mount namespace (`unshare -m`, bind-mounting a test file over /etc/pam.d/sshd) works here
 * as root, but needs CAP_SYS_ADMIN, which unprivileged containers (a CI runner in Docker) do not
 * have. So the instance runs through an absolute-path symlink named after a throw-away PAM service
 * (`otpd-test-…`): sshd's re-exec needs an absolute path, and the symlink's name is the service.
 *
 * The client answers keyboard-interactive prompts through SSH_ASKPASS with SSH_ASKPASS_REQUIRE=force:
 * OpenSSH 9.2 reads every kbd-interactive answer with read_passphrase(), which then runs the askpass
 * program with the prompt as its argument, tty or not. That needs no pseudo-terminal and no timing
 * (expect would), and the askpass script records each prompt for the test to check.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freeTcpPort, waitForTcpPort } from './free-port.js';
import { activePamLines } from './pam-module.js';
import { run, type RunResult } from './run.js';
import { repoRoot } from './shared-data.js';

export const SSHD = '/usr/sbin/sshd';

/** The lines of packaging/sshd_config.d/otpd.conf that are not blank or comments. */
export function shippedSshdConfigLines(): string[] {
  return activePamLines(readFileSync(path.join(repoRoot, 'packaging', 'sshd_config.d', 'otpd.conf'), 'utf8'));
}

export interface SshdOptions {
  /** The PAM service (a file in /etc/pam.d) sshd must use: the symlink gets this name. */
  readonly pamService: string;
  /** sshd_config lines after the test's own (listen address, keys, pid file). */
  readonly configLines: readonly string[];
}

export interface SshLoginOptions {
  readonly user: string;
  /** The answer to each keyboard-interactive prompt. */
  readonly answer: string;
  /** The remote command. */
  readonly command: string;
  /** Offer the user's key (default true). */
  readonly withKey?: boolean;
}

export interface SshLoginResult extends RunResult {
  /** The prompts the askpass program was asked, in order. */
  readonly prompts: string[];
}

export interface Sshd {
  readonly port: number;
  readonly dir: string;
  /** sshd's log so far (-e: to stderr, kept in a file). */
  log(): string;
  /** Runs the real ssh client with the test key, answering every kbd-interactive prompt. */
  login(options: SshLoginOptions): SshLoginResult;
  /** Kills sshd and removes its directory (idempotent). */
  stop(): Promise<void>;
}

/**
 * Starts `sshd -D -e -f CFG -p PORT` on 127.0.0.1 from a temp directory holding its host key, a user
 * key and its authorized_keys, and waits until it accepts connections.
 * @param authorizedUser - the account whose key is authorized (the keys file must be readable by it:
 *   sshd opens it with the user's uid)
 */
export async function startSshd(options: SshdOptions): Promise<Sshd> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'otpd-sshd-'));
  // The directory must be traversable by the logging-in user; nothing in it is secret but the keys,
  // which keep their own 0600 modes.
  chmodSync(dir, 0o711);
  let child: ChildProcess | undefined;
  const stop = async (): Promise<void> => {
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((resolve) => child?.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child?.kill('SIGKILL'), 5_000);
      await gone;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const key of ['host_key', 'user_key']) {
      const r = run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'otpd-test', '-f', path.join(dir, key)]);
      if (r.status !== 0) throw new Error(`ssh-keygen failed: ${r.stderr}`);
    }
    const keysDir = path.join(dir, 'keys');
    mkdirSync(keysDir, { mode: 0o755 });
    const authorizedKeys = path.join(keysDir, 'authorized_keys');
    writeFileSync(authorizedKeys, readFileSync(path.join(dir, 'user_key.pub')));
    chmodSync(authorizedKeys, 0o644);
    // sshd refuses to start without its privilege separation directory; systemd creates it at boot,
    // a container may not have it.
    mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    const program = path.join(dir, options.pamService);
    symlinkSync(SSHD, program);
    const port = await freeTcpPort();
    const config = path.join(dir, 'sshd_config');
    writeFileSync(
      config,
      [
        'ListenAddress 127.0.0.1',
        `HostKey ${path.join(dir, 'host_key')}`,
        `PidFile ${path.join(dir, 'sshd.pid')}`,
        `AuthorizedKeysFile ${authorizedKeys}`,
        // The keys live under /tmp (mode 1777), which StrictModes would refuse; the test owns them.
        'StrictModes no',
        'LogLevel VERBOSE',
        ...options.configLines,
        '',
      ].join('\n'),
    );
    const logFile = path.join(dir, 'sshd.log');
    const logFd = openSync(logFile, 'a', 0o600);
    child = spawn(program, ['-D', '-e', '-f', config, '-p', String(port)], { stdio: ['ignore', logFd, logFd] });
    closeSync(logFd);
    const started = child;
    const log = (): string => readFileSync(logFile, 'utf8');
    await waitForTcpPort(port, 15_000, () => started.exitCode === null && started.signalCode === null).catch((e: unknown) => {
      throw new Error(`${(e as Error).message}\nsshd log:\n${log()}`);
    });
    const askpass = path.join(dir, 'askpass');
    const prompts = path.join(dir, 'prompts');
    writeFileSync(askpass, '#!/bin/sh\nprintf \'%s\\n\' "$1" >> "$OTPD_TEST_PROMPTS"\nprintf \'%s\\n\' "$OTPD_TEST_ANSWER"\n', { mode: 0o700 });
    return {
      port,
      dir,
      log,
      stop,
      login(login) {
        writeFileSync(prompts, '', { mode: 0o600 });
        const args = [
          '-F',
          '/dev/null',
          '-p',
          String(port),
          '-o',
          'StrictHostKeyChecking=no',
          '-o',
          'UserKnownHostsFile=/dev/null',
          '-o',
          'LogLevel=ERROR',
          '-o',
          'BatchMode=no',
          '-o',
          'NumberOfPasswordPrompts=1',
          '-o',
          'ConnectTimeout=10',
          '-o',
          'IdentitiesOnly=yes',
          ...(login.withKey === false ? ['-o', 'PubkeyAuthentication=no'] : ['-i', path.join(dir, 'user_key')]),
          `${login.user}@127.0.0.1`,
          login.command,
        ];
        const env: NodeJS.ProcessEnv = {
          ...process.env,
          SSH_ASKPASS: askpass,
          SSH_ASKPASS_REQUIRE: 'force',
          OTPD_TEST_PROMPTS: prompts,
          OTPD_TEST_ANSWER: login.answer,
        };
        delete env.SSH_AUTH_SOCK;
        const r = run('ssh', args, { env, timeoutMs: 30_000 });
        return {
          ...r,
          prompts: readFileSync(prompts, 'utf8')
            .split('\n')
            .filter((l) => l.length > 0),
        };
      },
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
