/**
 * Cross-checks HOTP, TOTP and the key parsers/formatters against the real `oathtool` (Debian package
 * oathtool, OATH Toolkit 2.6). A missing oathtool fails the suite; it never skips.
 *
 * Work is batched: `oathtool -w W` prints W + 1 consecutive codes from one process, so a few dozen
 * processes cover thousands of codes. Random cases come from a seeded generator; set OTPD_TEST_SEED to
 * replay a failure (the seed is printed in every assertion message).
 *
 * oathtool facts relied on here (checked by hand, 2.6.7):
 * - `--hotp` is HMAC-SHA1 only (`--hotp=sha256` is a usage error); `--totp=MODE` takes SHA1, SHA256 or
 *   SHA512 in any case and silently falls back to SHA1 for anything else.
 * - without an OTP argument, `-w W` prints the codes for counters C .. C+W (TOTP: now .. now+W).
 * - `-v` prints `Hex secret: …` and `Base32 secret: …` (RFC 4648, upper case, `=`-padded).
 */
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatBase32, formatHex, parseBase32Key, parseHexKey } from '../../src/encoding/key.js';
import { InvalidInputError } from '../../src/errors.js';
import { HMAC_ALGORITHMS, type HmacAlgorithm } from '../../src/tokens/algorithms.js';
import { hotpCode } from '../../src/tokens/hotp.js';
import { totpCode, totpCounter } from '../../src/tokens/totp.js';

interface Run {
  stdout: string;
  stderr: string;
  status: number | null;
}

function oathtool(args: readonly string[]): Run {
  const result = spawnSync('oathtool', args, { encoding: 'utf8', timeout: 30_000 });
  if (result.error) throw new Error(`cannot run oathtool: ${result.error.message}`);
  return { stdout: result.stdout, stderr: result.stderr, status: result.status };
}

function oathtoolOk(args: readonly string[]): string[] {
  const run = oathtool(args);
  if (run.status !== 0) throw new Error(`oathtool ${args.join(' ')} exited with ${run.status}: ${run.stderr}`);
  return run.stdout.split('\n').filter((line) => line.length > 0);
}

/** xorshift32 over a seed; `below(n)` is uniform enough for test-case selection. */
function seededRandom(seed: number): { below: (n: number) => number; bytes: (n: number) => Uint8Array } {
  let state = seed >>> 0 || 0x9e3779b9;
  const next = (): number => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state;
  };
  const below = (n: number): number => {
    if (n <= 2 ** 32) return Math.floor((next() / 2 ** 32) * n);
    // Up to 2^53: combine two draws.
    const hi = Math.floor((next() / 2 ** 32) * Math.ceil(n / 2 ** 32));
    return Math.min(n - 1, hi * 2 ** 32 + next());
  };
  const bytes = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => next() & 0xff);
  return { below, bytes };
}

const SEED = Number(process.env.OTPD_TEST_SEED ?? Date.now() % 2 ** 31);
const rnd = seededRandom(SEED);
const why = (what: string): string => `${what} (OTPD_TEST_SEED=${SEED})`;

const pick = <T>(list: readonly T[]): T => list[rnd.below(list.length)] as T;

/** Counters small, around 2^32, and far above it (up to the largest exact counter minus the window). */
function randomCounter(window: number): number {
  switch (rnd.below(4)) {
    case 0:
      return rnd.below(1000);
    case 1:
      return 2 ** 32 - 25 + rnd.below(50);
    case 2:
      return rnd.below(2 ** 40);
    default:
      return rnd.below(Number.MAX_SAFE_INTEGER - window);
  }
}

beforeAll(() => {
  const run = spawnSync('oathtool', ['--version'], { encoding: 'utf8' });
  if (run.error || run.status !== 0) {
    throw new Error('oathtool is required for this suite (Debian: apt-get install oathtool); it must not be skipped');
  }
});

describe('HOTP against oathtool --hotp (HMAC-SHA1)', () => {
  it('agrees on random keys of 1..64 bytes, digits 6/7/8 and counters up to 2^53', () => {
    const window = 50;
    for (let i = 0; i < 40; i++) {
      const key = rnd.bytes(1 + rnd.below(64));
      const digits = 6 + rnd.below(3);
      const counter = i === 0 ? Number.MAX_SAFE_INTEGER - window : randomCounter(window);
      const codes = oathtoolOk(['--hotp', '-d', String(digits), '-c', String(counter), '-w', String(window), formatHex(key)]);
      expect(codes, why('one code per counter')).toHaveLength(window + 1);
      codes.forEach((code, k) => {
        expect(hotpCode(key, counter + k, { digits, algorithm: 'sha1' }), why(`counter ${counter + k}, ${key.length}-byte key`)).toBe(code);
      });
    }
  });

  it('agrees on keys longer than 64 bytes (up to the 1 KiB limit)', () => {
    for (const length of [65, 100, 128, 1024]) {
      const key = rnd.bytes(length);
      const codes = oathtoolOk(['--hotp', '-c', '7', '-w', '3', formatHex(key)]);
      codes.forEach((code, k) => expect(hotpCode(key, 7 + k, { digits: 6, algorithm: 'sha1' }), why(`${length}-byte key`)).toBe(code));
    }
  });
});

describe('TOTP against oathtool --totp=ALG', () => {
  it('agrees on random keys, algorithms, digits, steps, T0 and times', () => {
    const window = 20;
    for (let i = 0; i < 45; i++) {
      const algorithm: HmacAlgorithm = HMAC_ALGORITHMS[i % 3] as HmacAlgorithm;
      const key = rnd.bytes(1 + rnd.below(64));
      const digits = 6 + rnd.below(3);
      const step = pick([30, 60, 1 + rnd.below(300)]);
      const t0 = rnd.below(3) === 0 ? rnd.below(1_000_000_000) : 0;
      const time = t0 + rnd.below(4_000_000_000);
      const args = [
        `--totp=${algorithm.toUpperCase()}`,
        '-d',
        String(digits),
        '-s',
        `${step}s`,
        '-S',
        `@${t0}`,
        '-N',
        `@${time}`,
        '-w',
        String(window),
        formatHex(key),
      ];
      const codes = oathtoolOk(args);
      expect(codes, why('one code per step')).toHaveLength(window + 1);
      const counter = totpCounter(time, step, t0);
      const options = { digits, algorithm, step, t0 };
      expect(totpCode(key, time, options), why(`oathtool ${args.slice(0, -1).join(' ')}`)).toBe(codes[0]);
      codes.forEach((code, k) => {
        // now .. now + W: the k-th line is the code k steps later.
        expect(totpCode(key, time + k * step, options), why(`${algorithm} step ${step} T0 ${t0} time ${time} +${k}`)).toBe(code);
        expect(hotpCode(key, counter + k, options), why('TOTP is HOTP of the counter')).toBe(code);
      });
    }
  });

  it('lower-case mode names select the same algorithm', () => {
    const key = parseHexKey('3132333435363738393031323334353637383930313233343536373839303132');
    const [code] = oathtoolOk(['--totp=sha256', '-d', '8', '-N', '@59', formatHex(key)]);
    expect(code).toBe('46119246');
    expect(totpCode(key, 59, { digits: 8, algorithm: 'sha256', step: 30, t0: 0 })).toBe(code);
  });
});

describe('key formats against oathtool', () => {
  it('formatHex and formatBase32 print what oathtool -v prints, for every key length 1..70', () => {
    for (let length = 1; length <= 70; length++) {
      const key = rnd.bytes(length);
      const lines = oathtoolOk(['-v', formatHex(key)]);
      expect(lines[0], why(`${length}-byte key`)).toBe(`Hex secret: ${formatHex(key)}`);
      expect(lines[1], why(`${length}-byte key`)).toBe(`Base32 secret: ${formatBase32(key)}`);
    }
  });

  it('parseBase32Key decodes what oathtool --base32 decodes: padded, unpadded, lower case, spaced', () => {
    for (let i = 0; i < 30; i++) {
      const key = rnd.bytes(1 + rnd.below(40));
      const padded = formatBase32(key);
      const variants = [
        padded,
        padded.replace(/=+$/, ''),
        padded.toLowerCase(),
        padded.replace(/(.{4})/g, '$1 ').trim(),
        ` ${padded.replace(/=+$/, '').toLowerCase()} `,
      ];
      for (const text of variants) {
        const lines = oathtoolOk(['-v', '--base32', text]);
        expect(lines[0], why(`base32 ${JSON.stringify(text)}`)).toBe(`Hex secret: ${formatHex(parseBase32Key(text))}`);
      }
    }
  });

  /**
   * Half random strings over an alphabet rich in edge cases, half small mutations of a valid encoding
   * (a character inserted, deleted or replaced); oathtool and our parser must accept and refuse alike.
   */
  function fuzzText(alphabet: string, valid: () => string): string {
    const randomChar = (): string => alphabet[rnd.below(alphabet.length)] ?? '';
    if (rnd.below(2) === 0) {
      let text = '';
      for (let k = 1 + rnd.below(20); k > 0; k--) text += randomChar();
      return text;
    }
    let text = valid();
    for (let edits = rnd.below(3); edits > 0; edits--) {
      const at = rnd.below(text.length + 1);
      const kind = rnd.below(3);
      text = text.slice(0, at) + (kind === 1 ? '' : randomChar()) + text.slice(kind === 0 ? at : at + 1);
    }
    return text;
  }

  function fuzz(alphabet: string, base32: boolean, count: number): void {
    let accepted = 0;
    let refused = 0;
    for (let i = 0; i < count; i++) {
      const key = rnd.bytes(1 + rnd.below(12));
      const text = fuzzText(alphabet, () => (base32 ? formatBase32(key) : formatHex(key)));
      if (text.length === 0) continue;
      const run = oathtool(base32 ? ['-v', '--base32', text] : ['-v', text]);
      let ours: Uint8Array | undefined;
      try {
        ours = base32 ? parseBase32Key(text) : parseHexKey(text);
      } catch (error) {
        expect(error, why(`${JSON.stringify(text)} threw a foreign error`)).toBeInstanceOf(InvalidInputError);
      }
      const theirs = run.status === 0 ? /^Hex secret: (.*)$/m.exec(run.stdout)?.[1] : undefined;
      if (theirs === '') {
        // oathtool takes an empty key (e.g. all spaces); we refuse it on purpose.
        expect(ours, why(`${JSON.stringify(text)}: empty keys are refused`)).toBeUndefined();
        continue;
      }
      expect(ours === undefined ? undefined : formatHex(ours), why(`${base32 ? 'base32' : 'hex'} ${JSON.stringify(text)}`)).toBe(theirs);
      if (ours === undefined) refused++;
      else accepted++;
    }
    expect(accepted, why('the fuzz should produce valid keys')).toBeGreaterThan(count / 10);
    expect(refused, why('the fuzz should produce invalid keys')).toBeGreaterThan(count / 10);
  }

  it('accepts and refuses the same base32 texts as oathtool', () => {
    fuzz('AGEZ27==== gq', true, 400);
  });

  it('accepts and refuses the same hex texts as oathtool', () => {
    fuzz('0aF9fgx ', false, 200);
  });
});
