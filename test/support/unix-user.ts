/**
 * Throw-away Unix accounts for login tests (sshd, OpenVPN through pam_unix). sshd only lets an account
 * that exists in the passwd database log in, so otpd's own user names are not enough there. Every name
 * starts with `otpdtest-` so an administrator can tell them apart and remove them (`userdel`).
 */
import { run } from './run.js';

export const TEST_USER_PREFIX = 'otpdtest-';

export interface UnixUserOptions {
  /** Login shell: sshd runs the remote command through it. */
  shell: string;
}

function exists(name: string): boolean {
  return run('getent', ['passwd', name]).status === 0;
}

/**
 * Creates the system account NAME (no home directory, password locked) unless it exists, and sets its
 * shell. Idempotent, and safe against other test files doing the same at once: useradd fails while
 * another process holds /etc/passwd's lock, so it is retried.
 * @throws when the name lacks the `otpdtest-` prefix or useradd keeps failing
 */
export async function ensureUnixUser(name: string, options: UnixUserOptions): Promise<void> {
  if (!name.startsWith(TEST_USER_PREFIX)) throw new Error(`test user ${name}: the name must start with ${TEST_USER_PREFIX}`);
  let last = '';
  for (let attempt = 0; attempt < 50; attempt++) {
    if (exists(name)) {
      const r = run('usermod', ['--shell', options.shell, name]);
      if (r.status === 0) return;
      last = r.stderr;
    } else {
      const r = run('useradd', ['--system', '--user-group', '--home-dir', '/nonexistent', '--no-create-home', '--shell', options.shell, name]);
      if (r.status === 0) return;
      last = r.stderr;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`cannot create test user ${name}: ${last.trim()}`);
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
