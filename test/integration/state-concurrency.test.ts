/**
 * The state directory used by many processes at once (several `otpctl verify`, later the daemon):
 * every decision is made under the user's lock, so concurrent requests can neither lose a failure,
 * exceed a session's max_logins, nor hold two S/KEY challenges. Also: writers killed with SIGKILL at
 * random points never leave a file that cannot be read, and their locks are recovered.
 *
 * The children import the built module (`npm run build:ts` writes dist/; `npm test` builds first). Each
 * child opens the state, says "ready", and waits for "go" on stdin, so all of them start together.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { openStateDir } from '../../src/state/index.js';
import { repoRoot } from '../support/shared-data.js';
import { tempDirForFile } from '../support/temp-dir.js';

const built = path.join(repoRoot, 'dist', 'src', 'state', 'index.js');
const tmp = tempDirForFile('otpd-state-conc-');
const worker = path.join(tmp, 'worker.mjs');

const WORKER = `
import { openStateDir } from ${JSON.stringify(pathToFileURL(built).href)};
const [dir, op, user, index] = process.argv.slice(2);
const state = await openStateDir(dir, { lock: { timeoutMs: 60000, staleAfterMs: 500 } });
const session = { timeoutSeconds: 3600, unusedTimeoutSeconds: 0, maxLogins: 5, matchRhost: false };
process.stdout.write('ready\\n');
await new Promise((resolve) => process.stdin.once('data', resolve));
let out;
if (op === 'fail') {
  out = await state.recordFailure(user, 'default', state.answerTag('wrong-' + index), 1000, { maxFail: 5, unlockAfterSeconds: 0 });
} else if (op === 'same') {
  out = await state.recordFailure(user, 'default', state.answerTag('the-same-typo'), 1000, { maxFail: 5, unlockAfterSeconds: 0 });
} else if (op === 'find') {
  out = await state.findSession(user, 'mail', state.answerTag('the-answer'), '192.0.2.1', 1000 + Number(index), session);
} else if (op === 'claim') {
  out = await state.claimChallenge(user, 'default', 'skey', 'otp-md5 98 ke1234', 1000, 120);
} else if (op === 'loop') {
  // Runs until killed: failures with distinct answers, sessions opened and used.
  for (let i = 0; ; i++) {
    await state.recordFailure(user, 'default', state.answerTag(index + '-' + i), 1000, { maxFail: 0, unlockAfterSeconds: 0 });
    await state.createSession(user, 'mail', state.answerTag('s' + i), null, 'phone', 1000 + i, { timeoutSeconds: 3600, unusedTimeoutSeconds: 0 });
  }
}
process.stdout.write(JSON.stringify(out ?? null) + '\\n');
process.stdin.destroy();
`;

interface Child {
  proc: ChildProcessWithoutNullStreams;
  ready: Promise<void>;
  result: Promise<string>;
}

function startChild(args: string[]): Child {
  const proc = spawn(process.execPath, [worker, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let onReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  proc.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    if (out.startsWith('ready\n')) onReady();
  });
  proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const result = new Promise<string>((resolve, reject) => {
    proc.on('close', (code, signal) => {
      if (code === 0) resolve(out.slice('ready\n'.length).trim());
      else if (signal !== null) resolve(`killed:${signal}`);
      else reject(new Error(`child exited ${code}: ${err}`));
    });
  });
  return { proc, ready, result };
}

/** Starts `count` children, waits until all are ready, releases them together, returns their outputs. */
async function race(count: number, args: (i: number) => string[]): Promise<unknown[]> {
  const children = Array.from({ length: count }, (_, i) => startChild(args(i)));
  await Promise.all(children.map((c) => c.ready));
  for (const c of children) c.proc.stdin.write('go\n');
  return (await Promise.all(children.map((c) => c.result))).map((r) => JSON.parse(r) as unknown);
}

beforeAll(() => {
  if (!existsSync(built)) throw new Error(`${built} is missing: run npm run build:ts (npm test builds first)`);
  writeFileSync(worker, WORKER);
});

describe('the state directory across processes', () => {
  it('20 concurrent failures with distinct answers count exactly 20', async () => {
    for (let round = 0; round < 2; round++) {
      const dir = path.join(tmp, `fail${round}`);
      const results = (await race(20, (i) => [dir, 'fail', 'alice', String(i)])) as { count: number; locked: boolean }[];
      expect(results.map((r) => r.count).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect(results.filter((r) => r.locked)).toHaveLength(16); // counts 5..20 with maxFail 5
      const state = await openStateDir(dir);
      expect((await state.listFailures('alice'))[0]?.count).toBe(20);
      expect(await state.isLocked('alice', 'default', 1e9)).toEqual({ locked: true, until: null });
    }
  });

  it('20 concurrent failures with the same wrong answer count once', async () => {
    const dir = path.join(tmp, 'same');
    const results = (await race(20, () => [dir, 'same', 'alice', '0'])) as { count: number; locked: boolean }[];
    expect(results.every((r) => r.count === 1 && !r.locked)).toBe(true);
  });

  it('20 concurrent session look-ups with max_logins 5 get exactly 5 hits', async () => {
    for (let round = 0; round < 2; round++) {
      const dir = path.join(tmp, `find${round}`);
      const state = await openStateDir(dir);
      const opened = await state.createSession('alice', 'mail', state.answerTag('the-answer'), '192.0.2.1', 'phone', 1000);
      const results = (await race(20, (i) => [dir, 'find', 'alice', String(i)])) as ({ id: string; logins: number } | null)[];
      const hits = results.filter((r) => r !== null);
      expect(hits).toHaveLength(5);
      expect(hits.map((h) => h.logins).sort()).toEqual([1, 2, 3, 4, 5]);
      expect(new Set(hits.map((h) => h.id))).toEqual(new Set([opened.id]));
    }
  });

  it('20 concurrent S/KEY challenge claims: exactly one succeeds', async () => {
    for (let round = 0; round < 2; round++) {
      const dir = path.join(tmp, `claim${round}`);
      const results = (await race(20, () => [dir, 'claim', 'alice', '0'])) as { ok: boolean; until: number }[];
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      expect(results.every((r) => r.until === 1120)).toBe(true);
      const state = await openStateDir(dir);
      expect((await state.pendingChallenge('alice', 1001))?.challenge).toBe('otp-md5 98 ke1234');
    }
  });

  it('writers killed with SIGKILL at random points leave readable files and recoverable locks', async () => {
    const dir = path.join(tmp, 'kill');
    const state = await openStateDir(dir, { lock: { timeoutMs: 30_000, staleAfterMs: 500 } });
    let lastCount = 0;
    for (let round = 0; round < 8; round++) {
      const children = Array.from({ length: 4 }, (_, i) => startChild([dir, 'loop', i % 2 === 0 ? 'alice' : 'bob', `${round}.${i}`]));
      await Promise.all(children.map((c) => c.ready));
      for (const c of children) c.proc.stdin.write('go\n');
      await new Promise((r) => setTimeout(r, 50 + Math.random() * 150));
      for (const c of children) c.proc.kill('SIGKILL');
      await Promise.all(children.map((c) => c.result));
      // Every file parses; counts only grow; a lock left behind is recovered by the next writer.
      const failures = await state.listFailures();
      const alice = failures.find((f) => f.user === 'alice')?.count ?? 0;
      expect(alice).toBeGreaterThanOrEqual(lastCount);
      expect((await state.recordFailure('alice', 'default', state.answerTag(`probe-${round}`), 1000, { maxFail: 0, unlockAfterSeconds: 0 })).count).toBe(
        alice + 1,
      );
      lastCount = alice + 1;
      await state.listSessions();
    }
    expect(lastCount).toBeGreaterThan(8);
    // Locks and .new files left by the last kills are recovered by the next writer of that user.
    await state.recordFailure('bob', 'default', state.answerTag('final'), 1000, { maxFail: 0, unlockAfterSeconds: 0 });
    expect(readdirSync(path.join(dir, 'users')).filter((n) => n.endsWith('.lock') || n.endsWith('.new'))).toEqual([]);
  });
});
