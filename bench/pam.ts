/**
 * Whole logins through the real pamtester: pam_otpd.so + otpd against Debian's pam_oath, in the same
 * run, each on its own users.oath with the same users and keys. Measures the median login (process
 * start to exit), 20 parallel logins of 20 users (how many are refused), and 20 parallel logins with
 * one code (how many are accepted: exactly one is right).
 *
 * For scale, the same median for three references: pam_otpd.so talking to a responder that checks
 * nothing and makes one write durable, written in Node.js (bench/pam-floor.ts) and in C
 * (bench/pam-floor.c, compiled here): what the second process alone costs, by language; and pamtester
 * with pam_permit.so only (process start, libpam, the stack).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OtpBackend } from '../src/otp-backend/backend.js';

const KEY_HEX = '3132333435363738393031323334353637383930';
const here = path.dirname(fileURLToPath(import.meta.url));
/** dist/bench → the repository root. */
const root = path.resolve(here, '..', '..');
const otpdPath = path.join(root, 'dist', 'src', 'daemon', 'otpd.js');
const floorPath = path.join(root, 'dist', 'bench', 'pam-floor.js');
const floorCSource = path.join(root, 'bench', 'pam-floor.c');
const wireSources = ['wire.c', 'wire_encode.c', 'wire_parse.c'].map((f) => path.join(root, 'pam', f));
const modulePath = path.join(root, 'pam', 'build', 'pam_otpd.so');

export interface PamRow {
  what: string;
  module: string;
  work: string;
  result: string;
}

interface Login {
  ok: boolean;
  ms: number;
}

/** One pamtester run answering its one prompt with `code`. */
function pamtester(service: string, user: string, code: string): Promise<Login> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn('pamtester', [service, user, 'authenticate'], { stdio: ['pipe', 'ignore', 'ignore'] });
    child.on('error', reject);
    child.on('exit', (status) => resolve({ ok: status === 0, ms: Number(process.hrtime.bigint() - start) / 1e6 }));
    child.stdin.on('error', () => undefined); // a stack that never prompts (pam_permit) exits without reading
    child.stdin.end(`${code}\n`);
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** `users` HOTP lines in pam_oath's input form (tabs, counter 0). */
function storeText(users: readonly string[]): string {
  return users.map((u) => `HOTP\t${u}\t-\t${KEY_HEX}\n`).join('');
}

interface Daemon {
  readonly socket: string;
  stop(): Promise<void>;
}

/** Starts a daemon process and waits until its log says it listens. */
async function startDaemon(command: string, args: readonly string[], socket: string): Promise<Daemon> {
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (log += d));
  const deadline = Date.now() + 15_000;
  while (!log.includes('listening')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`${args[0] ?? command} did not start:\n${log}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    socket,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

function startOtpd(dir: string, store: string): Promise<Daemon> {
  const socket = path.join(dir, 'otpd.sock');
  const config = path.join(dir, 'otpd.conf');
  writeFileSync(config, `store = "${store}"\nstate_dir = "${path.join(dir, 'state')}"\naudit_log = "${path.join(dir, 'audit.log')}"\n`, { mode: 0o600 });
  return startDaemon(process.execPath, [otpdPath, '--config', config, '--socket', socket], socket);
}

function startFloor(dir: string): Promise<Daemon> {
  const socket = path.join(dir, 'floor.sock');
  return startDaemon(process.execPath, [floorPath, socket, path.join(dir, 'floor.data')], socket);
}

function startFloorC(dir: string): Promise<Daemon> {
  const program = path.join(dir, 'pam-floor-c');
  execFileSync('cc', ['-std=c11', '-O2', '-Wall', '-Wextra', '-Werror', `-I${path.join(root, 'pam')}`, '-o', program, floorCSource, ...wireSources]);
  const socket = path.join(dir, 'floor-c.sock');
  return startDaemon(program, [socket, path.join(dir, 'floor-c.data')], socket);
}

/**
 * @param backend - computes the codes
 * @param sequential - how many logins, one after another, for the median
 */
export async function benchPam(backend: OtpBackend, sequential: number): Promise<PamRow[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'otpd-bench-pam-'));
  const key = Uint8Array.from(Buffer.from(KEY_HEX, 'hex'));
  const codes = Array.from(backend.hotpRange(key, 'sha1', 6, 0, sequential), (c) => String(c).padStart(6, '0'));
  const users = ['seq', 'one', ...Array.from({ length: 20 }, (_, i) => `p${i}`)];
  const services = {
    otpd: `otpd-bench-otpd-${process.pid}`,
    oath: `otpd-bench-oath-${process.pid}`,
    floor: `otpd-bench-floor-${process.pid}`,
    floorC: `otpd-bench-floor-c-${process.pid}`,
    permit: `otpd-bench-permit-${process.pid}`,
  };
  const otpdStore = path.join(dir, 'otpd.users.oath');
  const oathStore = path.join(dir, 'oath.users.oath');
  writeFileSync(otpdStore, storeText(users), { mode: 0o600 });
  writeFileSync(oathStore, storeText(users), { mode: 0o600 });
  const otpd = await startOtpd(dir, otpdStore);
  let floor: Daemon | undefined;
  let floorC: Daemon | undefined;
  try {
    floor = await startFloor(dir);
    floorC = await startFloorC(dir);
    const pamFile = (auth: string): string => `auth required ${auth}\naccount required pam_permit.so\n`;
    writeFileSync(`/etc/pam.d/${services.otpd}`, pamFile(`${modulePath} socket=${otpd.socket} timeout=10`));
    writeFileSync(`/etc/pam.d/${services.oath}`, pamFile(`pam_oath.so usersfile=${oathStore} window=20`));
    writeFileSync(`/etc/pam.d/${services.floor}`, pamFile(`${modulePath} socket=${floor.socket} timeout=10`));
    writeFileSync(`/etc/pam.d/${services.floorC}`, pamFile(`${modulePath} socket=${floorC.socket} timeout=10`));
    writeFileSync(`/etc/pam.d/${services.permit}`, pamFile('pam_permit.so'));
    const rows: PamRow[] = [];
    const contenders = ['otpd', 'oath', 'floor', 'floorC', 'permit'] as const;
    const times = { otpd: [] as number[], oath: [] as number[], floor: [] as number[], floorC: [] as number[], permit: [] as number[] };
    for (const code of codes) {
      for (const which of contenders) {
        const r = await pamtester(services[which], 'seq', code);
        if (!r.ok) throw new Error(`sequential login through ${which} refused`);
        times[which].push(r.ms);
      }
    }
    const moduleName = {
      otpd: 'pam_otpd + otpd',
      oath: 'pam_oath',
      floor: 'pam_otpd + bench/pam-floor.ts',
      floorC: 'pam_otpd + bench/pam-floor.c',
      permit: 'pam_permit only',
    };
    for (const which of contenders) {
      rows.push({ what: 'pamtester login, median', module: moduleName[which], work: `${sequential} logins`, result: `${median(times[which]).toFixed(2)} ms` });
    }
    for (const which of ['otpd', 'oath'] as const) {
      const parallel = await Promise.all(Array.from({ length: 20 }, (_, i) => pamtester(services[which], `p${i}`, codes[0] ?? '')));
      rows.push({ what: '20 users at once', module: moduleName[which], work: '20 logins', result: `${parallel.filter((r) => !r.ok).length} refused` });
    }
    for (const which of ['otpd', 'oath'] as const) {
      const same = await Promise.all(Array.from({ length: 20 }, () => pamtester(services[which], 'one', codes[0] ?? '')));
      rows.push({ what: 'one code 20 times at once', module: moduleName[which], work: '20 logins', result: `${same.filter((r) => r.ok).length} accepted` });
    }
    return rows;
  } finally {
    for (const service of Object.values(services)) rmSync(`/etc/pam.d/${service}`, { force: true });
    await Promise.all([otpd.stop(), floor?.stop(), floorC?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  }
}
