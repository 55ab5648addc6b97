/**
 * Throw-away Unix accounts for login tests (sshd, su, OpenVPN through pam_unix). sshd and su only let
 * an account that exists in the passwd database log in, so otpd's own user names are not enough there.
 * Every name starts with `otpdtest-` so an administrator can tell them apart (and no real account is
 * ever touched). Every step retries while another process (a parallel test creating its own account)
 * holds the /etc/passwd lock.
 */
import { run } from './run.js';

export const TEST_USER_PREFIX = 'otpdtest-';

export interface UnixUserOptions {
  /** Login shell: sshd runs the remote command through it. */
  shell: string;
}

/** The account's uid, or undefined when it does not exist. */
export function uidOf(name: string): number | undefined {
  const r = run('id', ['-u', name]);
  return r.status === 0 ? Number(r.stdout.trim()) : undefined;
}

function checkName(name: string): void {
  if (!name.startsWith(TEST_USER_PREFIX)) throw new Error(`test user ${name}: the name must start with ${TEST_USER_PREFIX}`);
}

/**
 * Creates the system account NAME (no home directory, password locked) unless it exists, and sets its
 * shell. Idempotent: an account left by a run that crashed is reused.
 * @returns its uid
 * @throws when the name lacks the `otpdtest-` prefix or useradd keeps failing
 */
export async function ensureUnixUser(name: string, options: UnixUserOptions): Promise<number> {
  checkName(name);
  await retry(`create test user ${name}`, () =>
    uidOf(name) !== undefined
      ? run('usermod', ['--shell', options.shell, name])
      : run('useradd', ['--system', '--user-group', '--home-dir', '/nonexistent', '--no-create-home', '--shell', options.shell, name]),
  );
  const uid = uidOf(name);
  if (uid === undefined) throw new Error(`test user ${name} does not exist after useradd`);
  return uid;
}

/** Removes the account (and its group) if it exists. */
export async function removeUnixUser(name: string): Promise<void> {
  checkName(name);
  if (uidOf(name) === undefined) return;
  await retry(`remove test user ${name}`, () => run('userdel', [name]));
}

/**
 * Sets NAME's Unix password (for pam_unix); `lockUnixPassword` puts the lock back. Retried like useradd.
 * @throws when chpasswd keeps failing
 */
export async function setUnixPassword(name: string, password: string): Promise<void> {
  await retry(`set the password of ${name}`, () => run('chpasswd', [], { input: `${name}:${password}\n` }));
}

/** Locks NAME's password again (`usermod -p '!'`), so the account cannot log in with a password. */
export async function lockUnixPassword(name: string): Promise<void> {
  await retry(`lock the password of ${name}`, () => run('usermod', ['--password', '!', name]));
}

async function retry(what: string, step: () => { status: number | null; stderr: string }): Promise<void> {
  let last = '';
  for (let attempt = 0; attempt < 50; attempt++) {
    const r = step();
    if (r.status === 0) return;
    last = r.stderr;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`cannot ${what}: ${last.trim()}`);
}
