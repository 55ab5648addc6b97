/**
 * Throw-away Unix accounts for tests that run real login programs (su). Names must start with
 * `otpdtest-`, so a leftover account is recognisable as a test's and no real account is ever touched.
 * Creating is idempotent (an account left by a run that crashed is reused) and removing forgets the
 * account and its group; both retry while another process (a parallel test creating its own account)
 * holds the /etc/passwd lock.
 */
import { spawnSync } from 'node:child_process';

const PREFIX = 'otpdtest-';
/** useradd/userdel exit status when /etc/passwd is locked by someone else ("try again later"). */
const PASSWD_LOCKED = 10;

function checkName(name: string): void {
  if (!name.startsWith(PREFIX) || !/^[a-z][a-z0-9-]{0,31}$/.test(name)) throw new Error(`test account names are ${PREFIX}… (lower case, ≤ 32 characters): ${name}`);
}

function runWithRetry(command: string, args: readonly string[]): { status: number | null; stderr: string } {
  for (let attempt = 0; ; attempt++) {
    const r = spawnSync(command, args, { encoding: 'utf8' });
    if (r.error) throw new Error(`cannot run ${command}: ${r.error.message}`);
    if (r.status !== PASSWD_LOCKED || attempt >= 50) return { status: r.status, stderr: r.stderr };
    spawnSync('sleep', ['0.1']);
  }
}

/** The account's uid, or undefined when it does not exist. */
export function uidOf(name: string): number | undefined {
  const r = spawnSync('id', ['-u', name], { encoding: 'utf8' });
  return r.status === 0 ? Number(r.stdout.trim()) : undefined;
}

/**
 * Makes sure the account exists: no home directory, /bin/sh as its shell (su -c needs one), the
 * password locked as useradd leaves it (nobody can log in with a password).
 *
 * @returns its uid
 */
export function ensureTestUser(name: string): number {
  checkName(name);
  const existing = uidOf(name);
  if (existing !== undefined) return existing;
  const r = runWithRetry('useradd', ['--no-create-home', '--shell', '/bin/sh', '--comment', 'otpd test account', name]);
  const uid = uidOf(name);
  if (uid === undefined) throw new Error(`useradd ${name} failed (${String(r.status)}): ${r.stderr}`);
  return uid;
}

/** Removes the account (and its group) if it exists. */
export function removeTestUser(name: string): void {
  checkName(name);
  if (uidOf(name) === undefined) return;
  const r = runWithRetry('userdel', [name]);
  if (uidOf(name) !== undefined) throw new Error(`userdel ${name} failed (${String(r.status)}): ${r.stderr}`);
}
