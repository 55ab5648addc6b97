/** Helpers shared by the verifier tests: both backends, and the RFC 4226 test key. */
import type { OtpBackend } from '../../../../src/otp-backend/backend.js';
import { loadBackend } from '../../../../src/otp-backend/loader.js';
import { typescriptBackend } from '../../../../src/otp-backend/typescript-backend.js';

/** The backend the daemon would use (native when built) and the TypeScript one, by name. */
export const BACKENDS: readonly (readonly [string, OtpBackend])[] = [
  ['loaded', loadBackend({ notice: () => undefined })],
  ['typescript', typescriptBackend],
];

export const RFC4226_KEY = new TextEncoder().encode('12345678901234567890');

/** Deep-freezes a plain state so any mutation by a verifier throws. */
export function frozen<T extends object>(state: T): T {
  return Object.freeze({ ...state });
}

export const fromHex = (text: string): Uint8Array => new Uint8Array(Buffer.from(text.replace(/\s+/g, ''), 'hex'));
export const hex = (value: Uint8Array): string => Buffer.from(value).toString('hex');
