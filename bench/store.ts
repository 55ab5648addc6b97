/**
 * The verifier on a real store: cost of one durable accepted login as the store grows (1 000, 10 000
 * and 100 000 users), and throughput with many logins at once. Each login is `authenticate()` with
 * the real store (lock, re-read, fsync, rename), state directory and a file audit log.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseConfig } from '../src/config/index.js';
import type { OtpBackend } from '../src/otp-backend/backend.js';
import { authenticate } from '../src/policy/authenticate.js';
import type { PolicyPorts } from '../src/policy/ports.js';
import { fileTokenStore } from '../src/store/index.js';
import { openStateDir } from '../src/state/index.js';

const KEY_HEX = '3132333435363738393031323334353637383930';

export interface StoreRow {
  users: number;
  mode: string;
  logins: number;
  result: string;
}

/**
 * A store of users who have logged in before (COUNTER, LASTOTP and the time present, as pam_oath and
 * otpd leave them), so each benchmark login is a steady-state one: its line keeps its length.
 */
async function portsFor(dir: string, users: number, backend: OtpBackend): Promise<PolicyPorts> {
  const lines: string[] = ['# otpd benchmark store'];
  const previous = codeAt(backend, 1);
  for (let i = 0; i < users; i++) lines.push(`HOTP\tuser${i}\t-\t${KEY_HEX}\t1\t${previous}\t2026-11-01T00:00:00L`);
  const store = path.join(dir, 'users.oath');
  writeFileSync(store, `${lines.join('\n')}\n`, { mode: 0o600 });
  const config = parseConfig(`store = "${store}"\nstate_dir = "${path.join(dir, 'state')}"\naudit_log = "stderr"\n`, 'bench.conf');
  const state = await openStateDir(config.stateDir);
  return { config, store: fileTokenStore(config.store), state, backend, now: () => Date.now() / 1000, audit: () => undefined, explain: () => undefined };
}

function codeAt(backend: OtpBackend, counter: number): string {
  return String(backend.hotpRange(Uint8Array.from(Buffer.from(KEY_HEX, 'hex')), 'sha1', 6, counter, 1)[0]).padStart(6, '0');
}

async function login(ports: PolicyPorts, user: number, code: string): Promise<void> {
  const outcome = await authenticate({ user: `user${user}`, service: 'login', answer: code }, ports);
  if (!outcome.accepted) throw new Error(`benchmark login for user${user} was refused: ${outcome.code}`);
}

/** Sequential logins (latency) and `parallel` at once (throughput), for one store size. */
export async function benchStore(backend: OtpBackend, users: number, sequential: number, parallel: number): Promise<StoreRow[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'otpd-bench-'));
  try {
    const ports = await portsFor(dir, users, backend);
    const first = codeAt(backend, 2);
    // A long-running otpd has read its store before: two untimed logins let it remember the file and
    // index its users (the cost a daemon pays once per version written by someone else).
    await login(ports, users - 1, first);
    await login(ports, users - 2, first);
    const start = process.hrtime.bigint();
    for (let i = 0; i < sequential; i++) await login(ports, i, first);
    const sequentialMs = Number(process.hrtime.bigint() - start) / 1e6;
    const burstStart = process.hrtime.bigint();
    await Promise.all(Array.from({ length: parallel }, (_, i) => login(ports, sequential + i, first)));
    const burstMs = Number(process.hrtime.bigint() - burstStart) / 1e6;
    return [
      { users, mode: 'one at a time', logins: sequential, result: `${(sequentialMs / sequential).toFixed(2)} ms/login` },
      { users, mode: `${parallel} at once`, logins: parallel, result: `${((parallel / burstMs) * 1000).toFixed(0)} logins/s` },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
