/**
 * Picks the hot-loop backend: the Node-API addon when it loads, else the TypeScript path with a
 * one-line notice. `OTPD_NO_NATIVE=1` forces the TypeScript path (no notice: it was asked for).
 */
import { messageOf } from '../errors.js';
import { loadNativeBackend } from './native-backend.js';
import { typescriptBackend } from './typescript-backend.js';
import type { OtpBackend } from './backend.js';

export interface LoadBackendOptions {
  /** Environment to read OTPD_NO_NATIVE from; defaults to process.env. */
  readonly env?: NodeJS.ProcessEnv;
  /** Where the fallback notice goes; defaults to stderr. */
  readonly notice?: (line: string) => void;
}

let nativeAttempt: { backend: OtpBackend } | { failure: string } | undefined;

function tryNative(): { backend: OtpBackend } | { failure: string } {
  if (nativeAttempt === undefined) {
    try {
      nativeAttempt = { backend: loadNativeBackend() };
    } catch (error) {
      // First line only: the notice is one line, and Node appends a multi-line "Require stack".
      const message = messageOf(error);
      nativeAttempt = { failure: message.split('\n', 1)[0] ?? message };
    }
  }
  return nativeAttempt;
}

/** True when the environment asks for the TypeScript path. */
export function nativeDisabled(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env.OTPD_NO_NATIVE;
  return value !== undefined && value !== '' && value !== '0';
}

/**
 * @returns the native backend if allowed and loadable, otherwise the TypeScript backend
 * @example
 * const backend = loadBackend();
 * backend.hotpSearch({ key, algorithm: 'sha1', digits: 6, counter: 0, window: 100, code: 755224 });
 */
export function loadBackend(options: LoadBackendOptions = {}): OtpBackend {
  if (nativeDisabled(options.env ?? process.env)) return typescriptBackend;
  const attempt = tryNative();
  if ('backend' in attempt) return attempt.backend;
  const notice = options.notice ?? ((line: string) => process.stderr.write(`${line}\n`));
  notice(`otpd: native addon unavailable (${attempt.failure}); using the slower TypeScript path`);
  return typescriptBackend;
}
