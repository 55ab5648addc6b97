/**
 * Loads the project's shared test vectors from `../shared/data` beside the repository root
 * (override with OTPD_SHARED_DATA). Tests use these files as they are and never edit them.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const sharedDataDir = process.env.OTPD_SHARED_DATA ?? path.resolve(repoRoot, '..', 'shared', 'data');

export function sharedDataPath(name: string): string {
  return path.join(sharedDataDir, name);
}

export function readSharedJson<T>(name: string): T {
  return JSON.parse(readFileSync(sharedDataPath(name), 'utf8')) as T;
}

export interface HotpVectors {
  secretHex: string;
  digits: number;
  codes: { counter: number; otp: string }[];
}
export interface TotpVector {
  time: number;
  algorithm: 'sha1' | 'sha256' | 'sha512';
  secretHex: string;
  step: number;
  t0: number;
  digits: number;
  otp: string;
}
export interface OathVectors {
  hotp: HotpVectors;
  totp: { vectors: TotpVector[] };
}
export interface SkeyVector {
  algorithm: 'md4' | 'md5' | 'sha1';
  passphrase: string;
  seed: string;
  count: number;
  hex: string;
  words: string;
}
export interface MotpVector {
  time: number;
  secret: string;
  pin: string;
  offsetHours: number;
  otp: string;
}

export const oathVectors = (): OathVectors => readSharedJson<OathVectors>('oath-vectors.json');
export const skeyVectors = (): SkeyVector[] => readSharedJson<SkeyVector[]>('rfc2289-vectors.json');
export const motpVectors = (): MotpVector[] => readSharedJson<{ vectors: MotpVector[] }>('motp-vectors.json').vectors;
