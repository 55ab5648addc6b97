/**
 * Telling a live lock file from a stale one without fcntl(2) in Node. A lock file is live while some
 * process has it open: pam_oath holds its descriptor from the O_EXCL create until just before it
 * unlinks the file, and otpd holds its descriptor until after it unlinks the file. So a lock file that
 * no process has open, and that is older than a grace period (covering pam_oath's close-then-unlink
 * gap of microseconds), was left by a dead writer.
 *
 * The check reads /proc: every process's open descriptors, and /proc/locks (fcntl/flock locks). If any
 * process's descriptors cannot be read (not root, hidepid) the answer is "not provably stale": the
 * caller then waits or gives up, never breaks the lock.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';

/** Kernel-style major:minor of a device number as /proc/locks prints it (hex). @internal */
function procLocksDevice(dev: number): string {
  const d = BigInt(dev);
  const major = ((d >> 8n) & 0xfffn) | ((d >> 32n) & ~0xfffn);
  const minor = (d & 0xffn) | ((d >> 12n) & ~0xffn);
  return `${major.toString(16).padStart(2, '0')}:${minor.toString(16).padStart(2, '0')}`;
}

/** Whether /proc/locks lists a lock on the inode. */
async function lockedInProcLocks(st: Stats): Promise<boolean> {
  let text: string;
  try {
    text = await readFile('/proc/locks', 'utf8');
  } catch {
    return false;
  }
  const id = `${procLocksDevice(st.dev)}:${st.ino}`;
  return text.split('\n').some((line) => line.split(/\s+/).includes(id));
}

/**
 * Whether any process visible to us has the file open.
 *
 * @returns `open` when one has, `closed` when none has and every process could be inspected,
 *   `unknown` when some process's descriptors could not be read
 */
export async function openByAnyProcess(st: Stats): Promise<'open' | 'closed' | 'unknown'> {
  let unknown = false;
  const pids = (await readdir('/proc')).filter((name) => /^[0-9]+$/.test(name));
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = await readdir(`/proc/${pid}/fd`);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ESRCH') unknown = true; // EACCES: cannot see it
      continue;
    }
    for (const fd of fds) {
      try {
        const target = await stat(`/proc/${pid}/fd/${fd}`);
        if (target.dev === st.dev && target.ino === st.ino) return 'open';
      } catch {
        // Closed meanwhile, or not ours to see (EACCES: a non-dumpable process such as sshd when we
        // lack CAP_SYS_PTRACE; here, PID 1 of some sandboxes even for root). Counting that as "unknown"
        // would make every stale lock unbreakable on such hosts. A pam_oath holder hides nothing: it
        // fcntl-locks the file right after creating it, which /proc/locks shows (lockedInProcLocks),
        // and the grace period covers the microseconds in between; otpd and otpctl are dumpable.
      }
    }
  }
  return unknown ? 'unknown' : 'closed';
}

/**
 * Whether a lock file is provably stale: no process has it open and no lock is recorded on it.
 *
 * @param st - lstat(2) of the lock file
 * @returns true only when every process could be inspected and none holds it
 */
export async function provablyStale(st: Stats): Promise<boolean> {
  if (await lockedInProcLocks(st)) return false;
  return (await openByAnyProcess(st)) === 'closed';
}
