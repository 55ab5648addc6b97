/**
 * Runs fast-check properties as vitest tests with a shared run budget, and records what ran.
 *
 * Environment (set by fuzz/run.mjs, or by hand):
 *   OTPD_FUZZ_RUNS           inputs per target, shared out among its properties (default 10 000)
 *   OTPD_FUZZ_TIME_LIMIT_MS  per target, shared out as the runs are: a property stops generating
 *                            after its share of this (default: no limit)
 *   OTPD_FUZZ_RESULTS        a file to append one JSON line per property to
 *   OTPD_FUZZ_ARTIFACTS      a directory for the report of a failing property (default fuzz/build/artifacts)
 *   OTPD_FUZZ_SEED, OTPD_FUZZ_PATH   replay a failure: the values its report prints
 *   OTPD_FUZZ_ONLY           run only properties whose "target/name" contains this text
 *   OTPD_FUZZ_STATS=1        print how often each outcome (`tally`) came up, per property
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { test } from 'vitest';

const env = process.env;

function positive(name: string, fallback: number | undefined): number | undefined {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n <= 0) throw new RangeError(`${name}: want a positive whole number, got ${text}`);
  return n;
}

/** Inputs per target. */
export const TOTAL_RUNS = positive('OTPD_FUZZ_RUNS', 10_000) ?? 10_000;
const TIME_LIMIT_MS = positive('OTPD_FUZZ_TIME_LIMIT_MS', undefined);
const SEED = env.OTPD_FUZZ_SEED === undefined || env.OTPD_FUZZ_SEED === '' ? undefined : Number(env.OTPD_FUZZ_SEED);
const PATH = env.OTPD_FUZZ_PATH === '' ? undefined : env.OTPD_FUZZ_PATH;
const ONLY = env.OTPD_FUZZ_ONLY ?? '';
const ARTIFACTS = env.OTPD_FUZZ_ARTIFACTS ?? join('fuzz', 'build', 'artifacts');
const STATS = env.OTPD_FUZZ_STATS === '1';
let tallies = new Map<string, number>();

/** Counts an outcome (a refusal reason, "accepted", …) when OTPD_FUZZ_STATS=1: is the fuzzer getting deep? */
export function tally(outcome: string): void {
  if (STATS) tallies.set(outcome, (tallies.get(outcome) ?? 0) + 1);
}

/** What one property did, as fuzz/run.mjs reads it. */
export interface PropertyResult {
  readonly target: string;
  readonly property: string;
  readonly requested: number;
  readonly runs: number;
  readonly skipped: number;
  readonly ms: number;
  readonly seed: number;
  readonly interrupted: boolean;
  readonly failed: boolean;
}

/**
 * Registers one property of a target as a vitest test.
 *
 * @param target - the fuzzed parser (`ts-frame`, …): the summary table's row
 * @param name - the property
 * @param share - its part of {@link TOTAL_RUNS} (a target's shares add up to 1; rounded up)
 * @param property - built lazily, so a skipped test builds nothing; given the run's seed, for
 *   anything it draws up front (a replay with OTPD_FUZZ_SEED draws the same)
 */
export function fuzzProperty<T>(target: string, name: string, share: number, property: (seed: number) => fc.IProperty<T>): void {
  const id = `${target}/${name}`;
  const run = ONLY === '' || id.includes(ONLY) ? test : test.skip;
  run(name, () => {
    const requested = Math.ceil(TOTAL_RUNS * share);
    const seed = SEED ?? Math.floor(Math.random() * 0x7fffffff);
    const params: fc.Parameters<T> = {
      numRuns: requested,
      seed,
      ...(PATH !== undefined && { path: PATH }),
      ...(TIME_LIMIT_MS !== undefined && { plugins: [fc.interruptAfterTimeLimit(Math.ceil(TIME_LIMIT_MS * share)) as fc.Plugin<T>] }),
    };
    tallies = new Map();
    // Parsers under test throw an error per bad input; capturing a stack for each costs more than the
    // parse itself. A replay (OTPD_FUZZ_PATH) keeps them.
    const stackTraceLimit = Error.stackTraceLimit;
    if (PATH === undefined) Error.stackTraceLimit = 0;
    const started = performance.now();
    let details: fc.RunDetails<T>;
    try {
      details = fc.check(property(seed), params);
    } finally {
      Error.stackTraceLimit = stackTraceLimit;
    }
    if (STATS) {
      const rows = [...tallies].sort((a, b) => b[1] - a[1]).map(([k, n]) => `  ${String(n).padStart(9)}  ${k}`);
      process.stderr.write(`${id}: outcomes\n${rows.join('\n')}\n`);
    }
    const result: PropertyResult = {
      target,
      property: name,
      requested,
      runs: details.numRuns,
      skipped: details.numSkips,
      ms: Math.round(performance.now() - started),
      seed: details.seed,
      interrupted: details.interrupted,
      failed: details.failed,
    };
    if (env.OTPD_FUZZ_RESULTS) appendFileSync(env.OTPD_FUZZ_RESULTS, `${JSON.stringify(result)}\n`);
    if (details.failed) {
      const report = [
        `${id} failed after ${details.numRuns} runs`,
        `replay: OTPD_FUZZ_ONLY='${id}' OTPD_FUZZ_SEED=${details.seed} OTPD_FUZZ_PATH='${details.counterexamplePath ?? ''}' npx vitest run --config fuzz/vitest.config.ts`,
        '',
        fc.defaultReportMessage(details) ?? '',
        '',
        `error: ${details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance)}`,
      ].join('\n');
      mkdirSync(ARTIFACTS, { recursive: true });
      writeFileSync(join(ARTIFACTS, `${id.replace(/[^A-Za-z0-9._-]+/g, '-')}.txt`), `${report}\n`);
      throw new Error(report);
    }
  });
}

/** Throws unless `cond` holds; the message lands in the fast-check report. */
export function check(cond: boolean, what: string): asserts cond {
  if (!cond) throw new Error(`property broken: ${what}`);
}
