#!/usr/bin/env node
// Compares the store benchmark (bench/store.ts, the rows `npm run bench` prints) of several builds,
// interleaved round by round so that a busy machine slows every build alike; prints medians.
//
// usage: node scripts/compare-store-bench.mjs ROUNDS BUILD...
//   BUILD is a checkout built with `npx tsc -p tsconfig.build.json` (dist/ present), for example a
//   `git worktree add /tmp/before <commit>` with node_modules linked in. The native addon is loaded
//   from OTPD_NATIVE_PATH when set (an older checkout may have none of its own).
// example: node scripts/compare-store-bench.mjs 5 /tmp/before .
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const rounds = Number(process.argv[2]);
const builds = process.argv.slice(3).map((b) => path.resolve(b));
if (!Number.isInteger(rounds) || rounds < 1 || builds.length === 0) {
  console.error('usage: node scripts/compare-store-bench.mjs ROUNDS BUILD...');
  process.exit(2);
}
const load = (build, file) => import(pathToFileURL(path.join(build, 'dist', file)).href);
// Builds from before the backend folder was named for what it holds (src/native/) are compared too.
const loadBackend = async (build) => {
  const file = ['src/otp-backend/native-backend.js', 'src/native/native-backend.js'].find((f) => existsSync(path.join(build, 'dist', f)));
  return (await load(build, file ?? 'src/otp-backend/native-backend.js')).loadNativeBackend();
};
const contenders = await Promise.all(
  builds.map(async (build) => ({
    build,
    benchStore: (await load(build, 'bench/store.js')).benchStore,
    backend: await loadBackend(build),
  })),
);
const results = new Map();
for (let round = 0; round < rounds; round++) {
  for (const users of [1_000, 10_000, 100_000]) {
    for (const c of contenders) {
      for (const row of await c.benchStore(c.backend, users, 50, 200)) {
        const key = `${users}\t${row.mode}\t${c.build}`;
        results.set(key, [...(results.get(key) ?? []), Number.parseFloat(row.result)]);
      }
    }
  }
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
console.log('users\tmode\tbuild\tmedian\trounds');
for (const [key, values] of results) console.log(`${key}\t${median(values)}\t${values.join(' ')}`);
