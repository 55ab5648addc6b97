/**
 * Writers in many processes: all updates land, none is lost; a lock left by a SIGKILLed writer is
 * recovered; a live lock is waited for and, when the wait runs out, refused — never broken.
 *
 * The store is compiled once into node_modules/.cache (so the children resolve the project's
 * dependencies) and driven by small worker scripts written next to it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreError, readStore, tokensOf, updateStore, type OathEntry } from '../../src/store/index.js';
import { repoRoot } from '../support/shared-data.js';

const KEY = '3132333435363738393031323334353637383930';
const buildDir = path.join(repoRoot, 'node_modules', '.cache', `otpd-store-test-${process.pid}`);
let dir = '';
let worker = '';
let holder = '';

const WORKER = `
import { readStore, tokensOf, updateStore } from './src/store/index.js';
const [store, user, times] = process.argv.slice(2);
let done = 0, conflicts = 0;
while (done < Number(times)) {
  const entry = tokensOf(await readStore(store), user).find((e) => e.kind === 'oath');
  const r = await updateStore(store, [{ entry, state: { kind: 'oath', counter: entry.counter + 1, lastOtp: String(entry.counter + 1), time: new Date() } }], { lock: { timeoutMs: 60000 } });
  if (r.outcomes[0].status === 'updated') done++; else conflicts++;
}
console.log(JSON.stringify({ done, conflicts }));
`;

const HOLDER = `
import { acquireStoreLock } from './src/store/index.js';
const lock = await acquireStoreLock(process.argv[2]);
console.log('held');
setTimeout(() => lock.release().then(() => console.log('released')), Number(process.argv[3]));
`;

function runNode(script: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`worker exited ${code}: ${err}`))));
  });
}

/** Starts a lock holder and resolves once it holds the lock. */
function startHolder(store: string, holdMs: number): Promise<ReturnType<typeof spawn>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [holder, store, String(holdMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout?.once('data', () => resolve(child));
    child.once('error', reject);
  });
}

function makeStore(name: string, users: string[]): string {
  const store = path.join(dir, name);
  writeFileSync(store, `# header\n${users.map((u) => `HOTP ${u} - ${KEY} 0\n# between\n`).join('')}OTPD/MOTP x - 0123456789abcdef 1234 +0\n`);
  chmodSync(store, 0o600);
  return store;
}

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'otpd-store-conc-'));
  const tsc = spawnSync(
    process.execPath,
    [
      path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'),
      '--outDir',
      buildDir,
      '--rootDir',
      repoRoot,
      '--module',
      'NodeNext',
      '--moduleResolution',
      'NodeNext',
      '--target',
      'ES2022',
      '--skipLibCheck',
      '--types',
      'node',
      '--resolveJsonModule',
      path.join(repoRoot, 'src', 'store', 'index.ts'),
    ],
    { encoding: 'utf8' },
  );
  if (!existsSync(path.join(buildDir, 'src', 'store', 'index.js'))) throw new Error(`cannot compile the store: ${tsc.stdout}${tsc.stderr}`);
  worker = path.join(buildDir, 'worker.mjs');
  holder = path.join(buildDir, 'holder.mjs');
  writeFileSync(worker, WORKER);
  writeFileSync(holder, HOLDER);
});

afterAll(() => {
  rmSync(buildDir, { recursive: true, force: true });
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function counterOf(store: string, user: string): Promise<number> {
  return (tokensOf(await readStore(store), user)[0] as OathEntry).counter;
}

describe('writers in many processes', () => {
  it('20 processes updating 20 users at once: all 200 updates land', async () => {
    const users = Array.from({ length: 20 }, (_, i) => `user${i}`);
    const store = makeStore('many.oath', users);
    await Promise.all(users.map((u) => runNode(worker, [store, u, '10'])));
    for (const u of users) expect(await counterOf(store, u)).toBe(10);
    const text = readFileSync(store, 'latin1');
    expect(text.split('# between\n')).toHaveLength(21);
    expect(text.startsWith('# header\n') && text.endsWith('OTPD/MOTP x - 0123456789abcdef 1234 +0\n')).toBe(true);
  });

  it('10 processes updating one user: conflicts are reported, no update is lost', async () => {
    const store = makeStore('one.oath', ['solo']);
    const results = await Promise.all(Array.from({ length: 10 }, () => runNode(worker, [store, 'solo', '5'])));
    expect(await counterOf(store, 'solo')).toBe(50);
    const conflicts = results.map((r) => (JSON.parse(r) as { conflicts: number }).conflicts).reduce((a, b) => a + b, 0);
    expect(conflicts).toBeGreaterThan(0);
  });
});

describe('stale and live locks', () => {
  it('recovers the lock of a SIGKILLed writer', async () => {
    const store = makeStore('stale.oath', ['k']);
    const child = await startHolder(store, 60_000);
    const closed = new Promise((r) => child.once('close', r));
    child.kill('SIGKILL');
    await closed;
    expect(existsSync(`${store}.lock`)).toBe(true);
    const entry = tokensOf(await readStore(store), 'k')[0] as OathEntry;
    const start = Date.now();
    const r = await updateStore(store, [{ entry, state: { kind: 'oath', counter: 1, lastOtp: '1', time: new Date() } }], { lock: { staleAfterMs: 300 } });
    expect(r.outcomes[0]?.status).toBe('updated');
    expect(Date.now() - start).toBeGreaterThanOrEqual(250);
    expect(existsSync(`${store}.lock`)).toBe(false);
  });

  it('recovers an empty lock left by a dead pam_oath, and a leftover .new', async () => {
    const store = makeStore('stale2.oath', ['k']);
    writeFileSync(`${store}.lock`, '');
    writeFileSync(`${store}.new`, 'garbage');
    const entry = tokensOf(await readStore(store), 'k')[0] as OathEntry;
    const r = await updateStore(store, [{ entry, state: { kind: 'oath', counter: 1, lastOtp: '1', time: new Date() } }], { lock: { staleAfterMs: 0 } });
    expect(r.outcomes[0]?.status).toBe('updated');
    expect(existsSync(`${store}.new`)).toBe(false);
  });

  it('waits for a live lock and refuses when the wait runs out, without breaking it', async () => {
    const store = makeStore('live.oath', ['k']);
    const entry = tokensOf(await readStore(store), 'k')[0] as OathEntry;
    const update = { entry, state: { kind: 'oath', counter: 1, lastOtp: '1', time: new Date() } } as const;
    const longHolder = await startHolder(store, 3_000);
    const holderClosed = new Promise((res) => longHolder.once('close', res));
    // Old enough to be judged, but open by a live process: never stale.
    const err = await updateStore(store, [update], { lock: { timeoutMs: 800, staleAfterMs: 0 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).reason).toBe('locked');
    expect((err as StoreError).message).toMatch(/held by otpd process \d+/);
    expect(existsSync(`${store}.lock`)).toBe(true);
    // Waiting long enough succeeds once the holder releases.
    const r = await updateStore(store, [update], { lock: { timeoutMs: 10_000, staleAfterMs: 0 } });
    expect(r.outcomes[0]?.status).toBe('updated');
    await holderClosed;
  });

  it('refuses a group- or world-readable store, saying how to fix it', async () => {
    const store = makeStore('open.oath', ['k']);
    chmodSync(store, 0o640);
    await expect(readStore(store)).rejects.toThrow(`has mode 0640, so group or others can read or write its keys; run chmod 600 ${store}`);
  });
});
