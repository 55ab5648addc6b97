/**
 * Whether a refusal tells a known user from an unknown name by its time (security review, finding 7):
 * the decision for a wrong answer of an enrolled user beside the decision for a name the store does not
 * know, interleaved in one run on one store and state directory, each a real `authenticate()` with its
 * lock, staged write and durable commit. The medians should agree within noise.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseConfig } from '../src/config/index.js';
import type { OtpBackend } from '../src/otp-backend/backend.js';
import { authenticate } from '../src/policy/authenticate.js';
import type { PolicyPorts } from '../src/policy/ports.js';
import { fileTokenStore } from '../src/store/index.js';
import { openStateDir } from '../src/state/index.js';

const KEY_HEX = '3132333435363738393031323334353637383930';

export interface UnknownUserRow {
  who: string;
  logins: number;
  median: string;
  p90: string;
}

function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? Number.NaN;
}

/** `rounds` refusals each for a known user and for unknown names, alternating. */
export async function benchUnknownUser(backend: OtpBackend, rounds: number): Promise<UnknownUserRow[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'otpd-bench-unknown-'));
  try {
    const store = path.join(dir, 'users.oath');
    writeFileSync(store, `HOTP\tknown\t-\t${KEY_HEX}\t0\n`);
    chmodSync(store, 0o600);
    // max_fail = 0: failures are counted (and written) but never lock, so every round is the same work.
    const config = parseConfig(`store = "${store}"\nstate_dir = "${path.join(dir, 'state')}"\naudit_log = "stderr"\n[lockout]\nmax_fail = 0\n`, 'bench.conf');
    const state = await openStateDir(config.stateDir);
    const ports: PolicyPorts = {
      config,
      store: fileTokenStore(config.store),
      state,
      backend,
      now: () => Date.now() / 1000,
      audit: () => undefined,
      explain: () => undefined,
    };
    const times = { known: [] as number[], unknown: [] as number[] };
    const once = async (user: string, answer: string): Promise<number> => {
      const start = process.hrtime.bigint();
      const outcome = await authenticate({ user, service: 'sshd', answer, challengeClaim: null }, ports);
      if (outcome.accepted) throw new Error('a benchmark guess was accepted');
      return Number(process.hrtime.bigint() - start) / 1e6;
    };
    for (let i = 0; i < 10; i++) await once('known', String(900_000 + i)); // warm up both paths
    for (let i = 0; i < 10; i++) await once(`nobody${i}`, '123456');
    for (let i = 0; i < rounds; i++) {
      times.known.push(await once('known', String(100_000 + i)));
      times.unknown.push(await once(`nobody${i}`, String(100_000 + i)));
    }
    const row = (who: string, t: number[]): UnknownUserRow => ({
      who,
      logins: t.length,
      median: `${quantile(t, 0.5).toFixed(2)} ms`,
      p90: `${quantile(t, 0.9).toFixed(2)} ms`,
    });
    return [row('enrolled user, wrong code', times.known), row('unknown user name', times.unknown)];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
