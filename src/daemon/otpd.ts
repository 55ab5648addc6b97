#!/usr/bin/env node
/**
 * `otpd [--config FILE] [--store FILE] [--socket PATH] [-d] [--log stderr|syslog]`: the daemon, in the
 * foreground, logging to stderr or syslog (docs/daemon.md). SIGHUP reloads the configuration and reopens the audit log; SIGTERM and
 * SIGINT stop accepting, let conversations finish (bounded) and exit 0.
 */
import { messageOf } from '../errors.js';
import { realpathSync, unwatchFile, watchFile, type Stats } from 'node:fs';
import { pathToFileURL } from 'node:url';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { escapeText } from '../encoding/log-text.js';
import { configFilePath } from '../config/index.js';
import { loadBackend } from '../otp-backend/loader.js';
import { loadPeerInspector } from '../addon/peer-credentials.js';
import { sweepStoreLeftovers } from '../store/index.js';
import { openDaemonLog, type DaemonLogTarget } from './daemon-log.js';
import { hungUpCheck, rootOnlyPeerCheck } from '../frontends/pam/peer-check.js';
import { DEFAULT_SOCKET, socketActivation, startServer, type DaemonServer } from '../frontends/pam/server.js';
import { openDecisionService, type DecisionService } from '../decision/service.js';

export interface OtpdArguments {
  config?: string | undefined;
  store?: string | undefined;
  socket: string;
  debug: boolean;
  log: DaemonLogTarget;
  syslogSocket?: string | undefined;
}

export function parseArguments(argv: readonly string[]): OtpdArguments {
  return yargs([...argv])
    .scriptName('otpd')
    .usage('$0 [--config FILE] [--store FILE] [--socket PATH] [--log stderr|syslog] [-d]')
    .option('config', { type: 'string', describe: 'configuration file (or $OTPD_CONFIG; default /etc/otpd/otpd.conf)' })
    .option('store', { type: 'string', describe: 'users.oath store (or $OTPD_STORE; default: from the config)' })
    .option('socket', { type: 'string', default: DEFAULT_SOCKET, describe: 'Unix socket to listen on (ignored under systemd socket activation)' })
    .option('debug', { alias: 'd', type: 'boolean', default: false, describe: 'log every conversation step and decision step (never secrets)' })
    .option('log', {
      choices: ['stderr', 'syslog'] as const,
      default: 'stderr' as const,
      describe: "where the daemon's own messages go (syslog: facility daemon); audit lines follow audit_log in the config",
    })
    .option('syslog-socket', { type: 'string', hidden: true, describe: 'syslog socket for --log syslog (tests)' })
    .strict()
    .version(false)
    .help()
    .parseSync();
}

/** Runs the daemon until SIGTERM/SIGINT; resolves when it has stopped. */
export async function main(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const args = parseArguments(argv);
  const daemonLog = openDaemonLog(args.log, { syslogSocket: args.syslogSocket });
  const log = (line: string): void => daemonLog.log(line);
  try {
    await serve(args, env, log);
  } finally {
    await daemonLog.close();
  }
}

async function serve(args: OtpdArguments, env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<void> {
  let service: DecisionService;
  let server: DaemonServer;
  try {
    service = await openDecisionService({ config: args.config, store: args.store, env, backend: loadBackend, log, debug: args.debug });
    const fd = socketActivation(env);
    if (fd !== undefined) {
      delete env.LISTEN_PID;
      delete env.LISTEN_FDS;
      delete env.LISTEN_FDNAMES;
    }
    const svc = service;
    const peer = loadPeerInspector(env);
    // Without the addon's reader nobody can be vouched for: the server then refuses every connection
    // (fail closed) and says so; this line says why. OTPD_NO_NATIVE does not come into it (peer-credentials.ts).
    if (peer instanceof Error) log(`the native addon's peer-credential reader is unavailable: ${peer.message.split('\n', 1)[0] ?? ''}`);
    const peerChecks = peer instanceof Error ? {} : { checkPeer: rootOnlyPeerCheck(peer, log), peerGone: hungUpCheck(peer) };
    server = await startServer({ listen: fd === undefined ? { path: args.socket } : { fd }, openSession: () => svc.openSession(), log, ...peerChecks });
  } catch (error) {
    log(`cannot start: ${messageOf(error)}`);
    process.exitCode = 1;
    return;
  }
  log(`listening on ${server.address} (store ${service.config.store})`);
  let sweeping = sweep(service.config.store, log);

  await new Promise<void>((resolve) => {
    let reloading = Promise.resolve();
    const onHup = (): void => {
      reloading = reloading.then(async () => {
        await service.reload().catch((error: unknown) => log(`reload failed, keeping the old configuration: ${messageOf(error)}`));
        sweeping = sweeping.then(() => sweep(service.config.store, log));
      });
    };
    const onStop = (signal: string) => (): void => {
      log(`${signal}: stopping`);
      process.off('SIGHUP', onHup);
      void server
        .stop()
        .then(() => reloading)
        .then(() => sweeping)
        .then(() => service.close())
        .catch((error: unknown) => log(`stopping: ${messageOf(error)}`))
        .finally(resolve);
    };
    process.on('SIGHUP', onHup);
    // `otpctl group …` edits the configuration: it takes effect without a signal or a restart.
    const configFile = configFilePath(args, env);
    const onConfigChange = (now: Stats, before: Stats): void => {
      if (now.mtimeMs === before.mtimeMs && now.ino === before.ino && now.size === before.size) return;
      log(`${configFile} changed: reloading`);
      onHup();
    };
    watchFile(configFile, { interval: CONFIG_POLL_MS, persistent: false }, onConfigChange);
    process.once('SIGTERM', () => unwatchFile(configFile, onConfigChange));
    process.once('SIGINT', () => unwatchFile(configFile, onConfigChange));
    process.once('SIGTERM', onStop('SIGTERM'));
    process.once('SIGINT', onStop('SIGINT'));
  });
  log('stopped');
}

/** How often the configuration file's stat is checked for changes. */
const CONFIG_POLL_MS = 2_000;

/**
 * Clears a `.lock`/`.new` that a dead writer left beside the store, which would make every pam_oath
 * login on the file fail until the next write (src/store/recover.ts). In the background: a live
 * writer's lock makes it wait a few seconds, and logins need not wait for that. Never throws.
 */
async function sweep(store: string, log: (line: string) => void): Promise<void> {
  try {
    const result = await sweepStoreLeftovers(store);
    if (result.removedNew) log(`removed ${store}.new left by a writer that died`);
    if (result.replayed) log(`completed a change to ${store} that a crash interrupted (${store}.otpd-dw)`);
    if (result.busy) log(`${store}.lock is held by a live writer; not swept`);
  } catch (error) {
    log(`cannot sweep the store's leftovers: ${messageOf(error)}`);
  }
}

/** True when this file is the program node runs (also through a symlink such as /usr/bin/otpd). */
function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(script)).href;
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  main(hideBin(process.argv)).catch((error: unknown) => {
    process.stderr.write(`otpd[${process.pid}]: fatal: ${escapeText(messageOf(error))}\n`);
    process.exitCode = 1;
  });
}
