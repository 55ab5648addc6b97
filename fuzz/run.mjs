#!/usr/bin/env node
// SPDX-License-Identifier: MIT
/**
 * `npm run fuzz`: every fuzz target, two at a time, then one summary table (docs/fuzz.md).
 *
 *   c-wire            libFuzzer + ASan/UBSan  pam/wire*.c: otpd_frame_peek, otpd_msg_parse, re-encode
 *   c-options         libFuzzer + ASan/UBSan  pam/options.c: otpd_options_parse
 *   ts-frame          fast-check              src/protocol: decodeFrame, peekFrameLength, FrameReader
 *   ts-usersfile      fast-check              src/store/usersfile: parseUsersFile
 *   ts-skey-response  fast-check              src/tokens/skey/response.ts: parseSkeyResponse
 *
 * Options:
 *   --short            20 000 inputs per target (CI), instead of 1 000 000
 *   --runs N           inputs per target
 *   --max-time S       stop a target after S seconds (default 900; 120 with --short)
 *   --only a,b         only these targets
 *   --jobs N           targets run at once (default 2)
 *
 * Exit status 1 when a target crashed, broke a property, or could not run; the table says which, and
 * where the reproducer is (fuzz/build/artifacts/).
 */
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const FUZZ = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(FUZZ);
const BUILD = join(FUZZ, 'build');
const ARTIFACTS = join(BUILD, 'artifacts');
const LOGS = join(BUILD, 'logs');

const TARGETS = [
  // longest first, so two workers finish together
  { name: 'ts-usersfile', engine: 'fast-check', file: 'fuzz/ts/usersfile.fuzz.ts' },
  { name: 'ts-frame', engine: 'fast-check', file: 'fuzz/ts/frame.fuzz.ts' },
  { name: 'ts-skey-response', engine: 'fast-check', file: 'fuzz/ts/skey-response.fuzz.ts' },
  { name: 'c-wire', engine: 'libFuzzer', binary: 'fuzz_wire', corpus: 'wire', maxLen: 8400 },
  { name: 'c-options', engine: 'libFuzzer', binary: 'fuzz_options', corpus: 'options', maxLen: 1024 },
];

function usage(message) {
  process.stderr.write(`fuzz: ${message}\nusage: node fuzz/run.mjs [--short] [--runs N] [--max-time S] [--only a,b] [--jobs N]\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const o = { short: false, runs: undefined, maxTime: undefined, only: undefined, jobs: 2 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) usage(`${a} needs a value`);
      return v;
    };
    const whole = (v, what) => {
      const n = Number(v);
      if (!Number.isSafeInteger(n) || n <= 0) usage(`${what}: want a positive whole number, got ${v}`);
      return n;
    };
    if (a === '--short') o.short = true;
    else if (a === '--runs') o.runs = whole(value(), a);
    else if (a === '--max-time') o.maxTime = whole(value(), a);
    else if (a === '--jobs') o.jobs = whole(value(), a);
    else if (a === '--only') o.only = value().split(',').filter(Boolean);
    else if (a === '--help' || a === '-h') usage('options');
    else usage(`unknown argument ${a}`);
  }
  o.runs ??= o.short ? 20_000 : 1_000_000;
  o.maxTime ??= o.short ? 120 : 900;
  if (o.only) for (const t of o.only) if (!TARGETS.some((x) => x.name === t)) usage(`unknown target ${t} (known: ${TARGETS.map((x) => x.name).join(', ')})`);
  return o;
}

/** Builds the libFuzzer targets with clang; returns an error text or undefined. */
function buildC() {
  const clang = spawnSync('clang', ['--version'], { encoding: 'utf8' });
  if (clang.status !== 0) return 'clang not found: the C targets need clang and libclang-rt-14-dev (bash scripts/install-deps.sh)';
  const log = join(LOGS, 'build-c.log');
  const steps = [
    ['cmake', ['-S', FUZZ, '-B', BUILD, '-DCMAKE_C_COMPILER=clang']],
    ['cmake', ['--build', BUILD, '-j2']],
  ];
  for (const [cmd, args] of steps) {
    const r = spawnSync(cmd, args, { encoding: 'utf8', cwd: ROOT });
    appendFileSync(log, `$ ${cmd} ${args.join(' ')}\n${r.stdout ?? ''}${r.stderr ?? ''}`);
    if (r.status !== 0) return `${cmd} ${args.join(' ')} failed (${relative(ROOT, log)}):\n${tail(`${r.stdout ?? ''}${r.stderr ?? ''}`, 20)}`;
  }
  return undefined;
}

function tail(text, lines) {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** Process groups still running: ended with the driver (Ctrl-C, CI's stop). */
const live = new Set();
function killGroup(pid) {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    for (const pid of live) killGroup(pid);
    process.exit(130);
  });
}

/** Runs a command in its own process group with a hard deadline; resolves with its exit code and output. */
function run(cmd, args, { env, replaceEnv = false, deadlineMs, log }) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: ROOT, env: replaceEnv ? env : { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    live.add(child.pid);
    let out = '';
    const take = (b) => {
      out += b.toString('utf8');
      appendFileSync(log, b);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      killGroup(child.pid); // the whole group: vitest's workers too
    }, deadlineMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      live.delete(child.pid);
      resolve({ code: 127, signal: null, killed: false, out: `${out}\n${cmd}: ${err.message}\n` });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      live.delete(child.pid);
      resolve({ code: code ?? 128, signal, killed, out });
    });
  });
}

async function runLibFuzzer(t, o) {
  const log = join(LOGS, `${t.name}.log`);
  const work = join(BUILD, 'corpus', t.corpus); // new inputs land here; fuzz/corpus stays as committed
  mkdirSync(work, { recursive: true });
  const args = [
    `-runs=${o.runs}`,
    `-max_total_time=${o.maxTime}`,
    `-max_len=${t.maxLen}`,
    '-timeout=10',
    '-rss_limit_mb=2048',
    '-print_final_stats=1',
    `-dict=${join(FUZZ, 'dict', `${t.corpus}.dict`)}`,
    `-artifact_prefix=${join(ARTIFACTS, `${t.name}-`)}`,
    work,
    join(FUZZ, 'corpus', t.corpus),
  ];
  const started = Date.now();
  const r = await run(join(BUILD, t.binary), args, { env: {}, deadlineMs: (o.maxTime + 60) * 1000, log });
  const seconds = (Date.now() - started) / 1000;
  const units = /stat::number_of_executed_units:\s*(\d+)/.exec(r.out);
  const runs = units ? Number(units[1]) : Number(/Done (\d+) runs/.exec(r.out)?.[1] ?? 0);
  const artifact = /Test unit written to (\S+)/.exec(r.out)?.[1];
  const ok = r.code === 0 && !r.killed;
  let detail = '';
  if (!ok) {
    const reason = /==\d+==ERROR: (.*)|SUMMARY: (.*)|check failed: (.*)|(deadly signal|ERROR: libFuzzer: .*)/.exec(r.out);
    detail = `${reason ? (reason[1] ?? reason[2] ?? reason[3] ?? reason[4]) : `exit ${r.code}${r.killed ? ' (killed at the deadline)' : ''}`}`;
    if (artifact) detail += `; reproduce: ${relative(ROOT, join(BUILD, t.binary))} ${relative(ROOT, artifact)}`;
  }
  return { ok, runs, requested: o.runs, seconds, limited: ok && runs < o.runs, detail, log };
}

async function runFastCheck(t, o) {
  const log = join(LOGS, `${t.name}.log`);
  const results = join(BUILD, 'results', `${t.name}.jsonl`);
  rmSync(results, { force: true });
  const vitest = join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');
  if (!existsSync(vitest)) return { ok: false, runs: 0, requested: o.runs, seconds: 0, limited: false, detail: 'vitest not installed (npm ci)', log };
  // The time budget is shared out among the properties as their runs are.
  const env = {
    OTPD_FUZZ_RUNS: String(o.runs),
    OTPD_FUZZ_TIME_LIMIT_MS: String(o.maxTime * 1000),
    OTPD_FUZZ_RESULTS: results,
    OTPD_FUZZ_ARTIFACTS: ARTIFACTS,
    FORCE_COLOR: '0',
    NO_COLOR: '1',
  };
  // A replay of one input (OTPD_FUZZ_PATH, OTPD_FUZZ_ONLY) is for vitest by hand; OTPD_FUZZ_SEED passes.
  const childEnv = { ...process.env, ...env };
  delete childEnv.OTPD_FUZZ_PATH;
  delete childEnv.OTPD_FUZZ_ONLY;
  const started = Date.now();
  const r = await run(process.execPath, [vitest, 'run', '--config', 'fuzz/vitest.config.ts', t.file], {
    env: childEnv,
    replaceEnv: true,
    deadlineMs: (o.maxTime + 120) * 1000,
    log,
  });
  const seconds = (Date.now() - started) / 1000;
  const rows = existsSync(results)
    ? readFileSync(results, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
    : [];
  const runs = rows.reduce((n, p) => n + p.runs, 0);
  const failed = rows.filter((p) => p.failed);
  // a property that stopped short without hitting its time limit ran less than it was asked to
  const short = rows.filter((p) => !p.failed && !p.interrupted && p.runs < p.requested);
  const ok = r.code === 0 && !r.killed && failed.length === 0 && short.length === 0 && rows.length > 0;
  let detail = '';
  if (!ok) {
    if (short.length > 0) detail = short.map((p) => `property "${p.property}" ran ${p.runs} of ${p.requested} inputs`).join('; ');
    else if (failed.length > 0)
      detail = failed.map((p) => `property "${p.property}" failed (seed ${p.seed})`).join('; ') + `; report: ${relative(ROOT, ARTIFACTS)}/${t.name}-*.txt`;
    else if (r.killed) detail = 'killed at the deadline';
    else detail = `vitest exit ${r.code}: ${tail(r.out, 1)}`;
  }
  return { ok, runs, requested: o.runs, seconds, limited: ok && rows.some((p) => p.interrupted), detail, log, properties: rows };
}

function table(rows) {
  const head = ['target', 'engine', 'inputs', 'time', 'inputs/s', 'result'];
  const body = rows.map(({ t, r }) => [
    t.name,
    t.engine === 'libFuzzer' ? 'libFuzzer+ASan+UBSan' : 'fast-check',
    r.runs.toLocaleString('en-US'),
    `${r.seconds.toFixed(1)} s`,
    r.seconds > 0 ? Math.round(r.runs / r.seconds).toLocaleString('en-US') : '-',
    r.ok ? (r.limited ? `ok (time limit: ${r.runs} of ${r.requested})` : 'ok') : 'FAILED',
  ]);
  const width = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells) => `| ${cells.map((c, i) => (i >= 2 && i <= 4 ? c.padStart(width[i]) : c.padEnd(width[i]))).join(' | ')} |`;
  return [line(head), `|${width.map((w, i) => (i >= 2 && i <= 4 ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`, ...body.map(line)].join('\n');
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const targets = TARGETS.filter((t) => o.only === undefined || o.only.includes(t.name));
  rmSync(ARTIFACTS, { recursive: true, force: true });
  rmSync(LOGS, { recursive: true, force: true });
  for (const d of [ARTIFACTS, LOGS, join(BUILD, 'results')]) mkdirSync(d, { recursive: true });
  const started = Date.now();
  console.log(`fuzz: ${targets.length} targets, ${o.runs.toLocaleString('en-US')} inputs each, at most ${o.maxTime} s each, ${o.jobs} at a time`);

  const results = new Map();
  if (targets.some((t) => t.engine === 'libFuzzer')) {
    const err = buildC();
    if (err !== undefined) {
      console.error(`fuzz: C targets not built: ${err}`);
      for (const t of targets.filter((x) => x.engine === 'libFuzzer'))
        results.set(t.name, { ok: false, runs: 0, requested: o.runs, seconds: 0, limited: false, detail: 'not built' });
    }
  }

  const queue = targets.filter((t) => !results.has(t.name));
  const worker = async () => {
    for (let t = queue.shift(); t !== undefined; t = queue.shift()) {
      console.log(`fuzz: ${t.name} ...`);
      const r = t.engine === 'libFuzzer' ? await runLibFuzzer(t, o) : await runFastCheck(t, o);
      results.set(t.name, r);
      console.log(
        `fuzz: ${t.name}: ${r.ok ? 'ok' : 'FAILED'}, ${r.runs.toLocaleString('en-US')} inputs in ${r.seconds.toFixed(1)} s${r.detail ? ` — ${r.detail}` : ''}`,
      );
      if (!r.ok && r.log) console.log(`${tail(readFileSync(r.log, 'utf8'), 40)}\n(log: ${relative(ROOT, r.log)})`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(o.jobs, queue.length || 1) }, worker));

  const rows = targets.map((t) => ({ t, r: results.get(t.name) }));
  const summary = table(rows);
  writeFileSync(join(BUILD, 'summary.md'), `${summary}\n`);
  console.log('');
  console.log(summary);
  for (const { t, r } of rows) {
    for (const p of r.properties ?? [])
      console.log(`  ${t.name}: ${p.property}: ${p.runs.toLocaleString('en-US')} runs, ${(p.ms / 1000).toFixed(1)} s${p.interrupted ? ' (time limit)' : ''}`);
  }
  for (const { t, r } of rows) if (!r.ok) console.log(`FAILED ${t.name}: ${r.detail}`);
  const failed = rows.filter(({ r }) => !r.ok).length;
  console.log(`\nfuzz: ${((Date.now() - started) / 1000).toFixed(1)} s in all`);
  console.log(`fuzz: ${rows.length - failed} passed, ${failed} failed`);
  process.exitCode = failed > 0 ? 1 : 0;
}

await main();
