#!/usr/bin/env node
// CPU time and throughput of the store benchmark's bursts of 200 logins, for one tree's dist/:
//   node scripts/compare-store-cpu.mjs TREE [USERS] [ROUNDS]
// Prints one JSON line: CPU ms per login (user + system, setup and the two warm-up logins included)
// and each round's logins/s. Run it on two trees (a git worktree of an older commit after
// npm run build:ts, and this one), interleaved, on an idle machine (docs/benchmarks.md).
import path from 'node:path';

const given = process.argv[2];
if (given === undefined) throw new Error('usage: node scripts/compare-store-cpu.mjs TREE [USERS] [ROUNDS]');
const root = path.resolve(given);
const { benchStore } = await import(`${root}/dist/bench/store.js`);
let mod;
try {
  mod = await import(`${root}/dist/src/otp-backend/native-backend.js`);
} catch {
  mod = await import(`${root}/dist/src/native/native-backend.js`);
}
const backend = mod.loadNativeBackend();
const users = Number(process.argv[3] ?? 1000);
const rounds = Number(process.argv[4] ?? 20);
const t0 = process.cpuUsage();
const w0 = process.hrtime.bigint();
let n = 0;
const res = [];
for (let r = 0; r < rounds; r++) {
  const rows = await benchStore(backend, users, 1, 200);
  n += 201;
  res.push(rows[1].result);
}
const cpu = process.cpuUsage(t0);
const wall = Number(process.hrtime.bigint() - w0) / 1e6;
console.log(
  JSON.stringify({
    root,
    users,
    logins: n,
    cpuMsPerLogin: ((cpu.user + cpu.system) / 1000 / n).toFixed(3),
    userMs: (cpu.user / 1000 / n).toFixed(3),
    sysMs: (cpu.system / 1000 / n).toFixed(3),
    wallMs: wall.toFixed(0),
    res: res.join(' '),
  }),
);
