/**
 * `npm run bench`: hot-loop throughput of each backend against otplib and oathtool, measured in the
 * same run on the same machine, printed as a table. Results go to docs/benchmarks.md by hand.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateSync } from '@otplib/hotp';
import { NodeCryptoPlugin } from '@otplib/plugin-crypto-node';
import { createGuardrails } from '@otplib/core';
import type { OtpBackend } from '../src/otp-backend/backend.js';
import { loadNativeBackend } from '../src/otp-backend/native-backend.js';
import { typescriptBackend } from '../src/otp-backend/typescript-backend.js';
import { SKEY_ALGORITHMS } from '../src/tokens/algorithms.js';
import { benchPam } from './pam.js';
import { benchStore, type StoreRow } from './store.js';
import { benchUnknownUser } from './unknown-user.js';

const KEY_HEX = '3132333435363738393031323334353637383930';
const KEY = Uint8Array.from(Buffer.from(KEY_HEX, 'hex'));
const otpctlPath = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'src', 'cli', 'otpctl.js');

interface Row {
  what: string;
  backend: string;
  work: string;
  result: string;
}
const rows: Row[] = [];

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function timeMs(runs: number, body: () => void): number {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    body();
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return median(samples);
}

const perSecond = (count: number, ms: number): string => `${(((count / ms) * 1000) / 1e6).toFixed(2)} M codes/s`;

/**
 * 8-digit codes, so that a code can be found whose first occurrence is the window's last counter: every
 * search then walks the whole window (a 6-digit code recurs about every 10⁶ counters and would stop early).
 */
const DIGITS = 8;

/**
 * A window end near `window` whose code occurs there for the first time, and that code: the search
 * must walk the whole window. 8-digit codes make that likely at the first try.
 */
function fullWalk(window: number): { window: number; code: number } {
  const native = loadNativeBackend();
  for (let last = window; last > window / 2; last--) {
    const code = native.hotpRange(KEY, 'sha1', DIGITS, last, 1)[0] ?? 0;
    if (native.hotpSearch({ key: KEY, algorithm: 'sha1', digits: DIGITS, counter: 0, window: last, code }) === last) return { window: last, code };
  }
  throw new Error(`no code first seen near counter ${window}`);
}

function benchSearch(backend: OtpBackend, wanted: number, runs: number): void {
  const { window, code } = fullWalk(wanted);
  const ms = timeMs(runs, () => backend.hotpSearch({ key: KEY, algorithm: 'sha1', digits: DIGITS, counter: 0, window, code }));
  rows.push({ what: 'HOTP-SHA1 window search', backend: backend.name, work: `${window + 1} counters`, result: perSecond(window + 1, ms) });
}

function benchOtplib(count: number): void {
  const crypto = new NodeCryptoPlugin();
  const guardrails = createGuardrails({ MIN_SECRET_BYTES: 1 });
  const ms = timeMs(3, () => {
    for (let counter = 0; counter < count; counter++) generateSync({ secret: KEY, counter, crypto, guardrails });
  });
  rows.push({ what: 'HOTP-SHA1 window search', backend: 'otplib (direct)', work: `${count} counters`, result: perSecond(count, ms) });
}

function processMs(command: string, args: string[], runs: number): number {
  return timeMs(runs, () => {
    const result = spawnSync(command, args, { stdio: 'ignore' });
    if (result.error) throw result.error;
  });
}

function benchWholeProcess(wanted: number): void {
  const found = fullWalk(wanted);
  const window = found.window;
  const code = String(found.code).padStart(DIGITS, '0');
  const digits = ['-d', String(DIGITS)];
  const oathtoolMs = processMs('oathtool', ['--hotp', ...digits, '-w', String(window), KEY_HEX, code], 3);
  const otpctlMs = processMs(process.execPath, [otpctlPath, 'gen', 'hotp', ...digits, KEY_HEX, code, '-w', String(window)], 3);
  rows.push({ what: 'HOTP-SHA1 window search', backend: 'oathtool (process)', work: `${window + 1} counters`, result: perSecond(window + 1, oathtoolMs) });
  rows.push({
    what: `otpctl gen hotp -w ${window} (process)`,
    backend: 'native',
    work: `${otpctlMs.toFixed(0)} ms`,
    result: `${(oathtoolMs / otpctlMs).toFixed(2)}× oathtool's ${oathtoolMs.toFixed(0)} ms`,
  });
}

function benchSkey(backend: OtpBackend, steps: number, runs: number): void {
  const input = Uint8Array.from(Buffer.from('testThis is a test.'));
  for (const algorithm of SKEY_ALGORITHMS) {
    const ms = timeMs(runs, () => backend.skeyChain(algorithm, input, steps - 1));
    rows.push({ what: `S/KEY ${algorithm} chain`, backend: backend.name, work: `${steps} steps`, result: `${ms.toFixed(3)} ms` });
  }
}

/** Prints rows as a Markdown table, each column as wide as its widest cell. */
function printTable<T extends Record<string, string>>(headers: T, body: readonly T[]): void {
  const columns = Object.keys(headers) as (keyof T)[];
  const cell = (r: T, c: keyof T): string => r[c] ?? '';
  const widths = columns.map((c) => Math.max(cell(headers, c).length, ...body.map((r) => cell(r, c).length)));
  const line = (r: T): string => `| ${columns.map((c, i) => cell(r, c).padEnd(widths[i] ?? 0)).join(' | ')} |`;
  console.log(line(headers));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of body) console.log(line(r));
}

const native = loadNativeBackend();
const oathtoolVersion = execFileSync('oathtool', ['--version'], { encoding: 'utf8' }).split('\n')[0];
console.log(
  `machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB; node ${process.version}; ${oathtoolVersion}\n`,
);
benchSearch(native, 10_000_000, 5);
benchSearch(typescriptBackend, 200_000, 3);
benchOtplib(200_000);
benchWholeProcess(10_000_000);
benchSkey(native, 10_000, 51);
benchSkey(typescriptBackend, 10_000, 11);
printTable({ what: 'benchmark', backend: 'backend', work: 'work', result: 'result' }, rows);

// Before the store benchmark, whose 100 000-user heap would slow down every pamtester this process spawns.
const pamRows = await benchPam(native, 50);

const storeRows: StoreRow[] = [];
for (const users of [1_000, 10_000, 100_000]) storeRows.push(...(await benchStore(native, users, 50, 200)));
console.log('\nverifier on a users.oath store (durable accepted logins of users who logged in before; in-place writes, docs/store.md):\n');
printTable(
  { users: 'users', mode: 'mode', logins: 'logins', result: 'result' },
  storeRows.map((r) => ({ users: String(r.users), mode: r.mode, logins: String(r.logins), result: r.result })),
);

console.log('\nwhole logins through pamtester (pam_otpd.so + otpd vs. pam_oath, same users, same run; measured before the store benchmark):\n');
printTable(
  { what: 'benchmark', module: 'module', work: 'work', result: 'result' },
  pamRows.map((r) => ({ ...r })),
);

console.log('\nrefusal time, enrolled user against unknown name (the prompt and the time must not tell who is enrolled):\n');
printTable(
  { who: 'who', logins: 'logins', median: 'median', p90: 'p90' },
  (await benchUnknownUser(native, 200)).map((r) => ({ ...r, logins: String(r.logins) })),
);
