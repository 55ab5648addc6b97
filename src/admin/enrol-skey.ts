/**
 * Setting up an S/KEY token as opiepasswd does. The administrator gives the sequence number N of a
 * one-time password and either the pass phrase (console mode: typed here, never stored) or that
 * password itself, computed elsewhere (`--response`, e.g. by `otpprint` or `opiekey` on a trusted
 * machine). The store keeps OTP(N) and the next challenge is N−1, as OPIE and Heimdal keep it:
 * `OTPD/SKEY USER - ALG N−1 SEED OTP(N)`.
 */
import { hostname } from 'node:os';
import { randomInt } from 'node:crypto';
import { InvalidInputError } from '../errors.js';
import type { OtpBackend } from '../otp-backend/backend.js';
import { EXTENSION_TYPES, type SkeyEntry } from '../store/index.js';
import { toBinary } from '../store/index.js';
import type { SkeyAlgorithm } from '../tokens/algorithms.js';
import { formatHex } from '../encoding/key.js';
import { normaliseSeed, parseSixWords, parseSkeyHex, skeySecret, validatePassphrase, validateSeed } from '../tokens/skey/index.js';

/** opiepasswd's default sequence. */
export const DEFAULT_SKEY_SEQUENCE = 499;

export interface SkeyEnrolment {
  readonly user: string;
  readonly algorithm: SkeyAlgorithm;
  /** N: the sequence number of the password given or computed. */
  readonly sequence: number;
  /** Absent: a new one (two letters of the host name and four digits, as opiepasswd makes them). */
  readonly seed?: string | undefined;
  /** OTP(N) as six words or hex, computed elsewhere; absent: console mode. */
  readonly response?: string | undefined;
  /** The token being re-initialised, if any: the new seed must differ from its seed. */
  readonly previous?: SkeyEntry | undefined;
}

export interface SkeyToken {
  readonly line: string;
  readonly seed: string;
  /** The first challenge the token will answer: `otp-md5 498 ke1234 ext`. */
  readonly challenge: string;
}

/** The response as six words (with a valid checksum) or 16 hex digits. */
function parseResponse(text: string): Uint8Array {
  const trimmed = text.trim();
  if (/^[0-9a-fA-F\s]+$/.test(trimmed)) return parseSkeyHex(trimmed, 'response');
  return parseSixWords(trimmed, 'response');
}

function freshSeed(previous: string | undefined): string {
  const prefix = (
    hostname()
      .toLowerCase()
      .replace(/[^a-z0-9]/g, '') + 'ot'
  ).slice(0, 2);
  for (;;) {
    const seed = `${prefix}${String(randomInt(10_000)).padStart(4, '0')}`;
    if (seed !== previous) return seed;
  }
}

/**
 * @param readPassphrase - called only in console mode
 * @throws InvalidInputError naming `seed` (bad, or reused on re-initialisation), `sequence`,
 *   `response` or `pass phrase`
 */
export async function enrolSkey(e: SkeyEnrolment, backend: OtpBackend, readPassphrase: () => Promise<string>): Promise<SkeyToken> {
  if (!Number.isSafeInteger(e.sequence) || e.sequence < 2 || e.sequence > 9999) throw new InvalidInputError('seq', 'must be 2 to 9999');
  const previous = e.previous === undefined ? undefined : normaliseSeed(e.previous.seed);
  const seed = e.seed === undefined ? freshSeed(previous) : normaliseSeed(validateSeed(e.seed));
  if (seed === previous) {
    throw new InvalidInputError(
      'seed',
      `${seed} is the token's current seed; re-initialising needs a new seed (RFC 2289), e.g. leave out --seed for a fresh one`,
    );
  }
  let value: Uint8Array;
  if (e.response !== undefined) value = parseResponse(e.response);
  else {
    const passphrase = await readPassphrase();
    validatePassphrase(passphrase);
    value = backend.skeyChain(e.algorithm, skeySecret(seed, passphrase), e.sequence);
  }
  const next = e.sequence - 1;
  return {
    line: `${EXTENSION_TYPES.skey}\t${toBinary(e.user)}\t-\t${e.algorithm}\t${next}\t${seed}\t${formatHex(value)}\n`,
    seed,
    challenge: `otp-${e.algorithm} ${next} ${seed} ext`,
  };
}
