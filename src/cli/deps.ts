/**
 * What the CLI needs from the outside world, passed in so tests can drive `createCli` with their own
 * streams, clock and pass-phrase source.
 */
import type { OtpBackend } from '../otp-backend/backend.js';
import { loadBackend } from '../otp-backend/loader.js';
import { readSecret } from './read-secret.js';

export interface CliDeps {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  /** The environment (OTPD_STORE, OTPD_CONFIG, OTPD_STATE_DIR, OTPD_NO_NATIVE). */
  readonly env: NodeJS.ProcessEnv;
  /** Current time in milliseconds since the epoch. */
  readonly now: () => number;
  /** Reads a secret (a pass phrase) without echo from the terminal, or a line from a pipe. */
  readonly readSecret: (prompt: string) => Promise<string>;
  /** The hot-loop backend, loaded on first use. */
  readonly backend: () => OtpBackend;
}

/** The real process: stdio, the system clock, the loader's choice of backend. */
export function processDeps(): CliDeps {
  let backend: OtpBackend | undefined;
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    now: () => Date.now(),
    readSecret: (prompt) => readSecret(process.stdin, process.stderr, prompt),
    backend: () => (backend ??= loadBackend()),
  };
}
