/**
 * `otpctl gen hotp`, `otpctl gen totp` and `otpctl key convert`, run as real processes (the built
 * dist/src/cli/otpctl.js), compared byte for byte with the real `oathtool` (OATH Toolkit 2.6). A missing
 * oathtool or a missing build fails the suite; nothing here skips.
 *
 * Random cases come from a fixed seed (override with OTPD_TEST_SEED=N to explore); every assertion
 * message names the seed and the exact command, so a failure can be replayed by hand.
 *
 * oathtool facts relied on (2.6.7):
 * - `--hotp` is HMAC-SHA1 only; HOTP with SHA-256/512 is checked as TOTP with a 1-second step at time
 *   T = counter (`--totp=sha256 -s 1s -N @C`), which is the same HMAC over the same counter.
 * - validate mode prints the match's offset from -c (HOTP; otpctl prints the counter on purpose, see
 *   README, and --json gives both) or the distance in steps of the nearest match (TOTP; liboath tries
 *   now, now+1, now-1, now+2, …), and exits 2 when nothing matches. otpctl exits 1 there (README).
 */
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../support/random.js';
import { otpctl, run, type RunResult } from '../support/run.js';

const SEED = Number(process.env.OTPD_TEST_SEED ?? 20_261_101);

const rnd = seededRandom(SEED);
const pick = <T>(list: readonly T[]): T => list[rnd.below(list.length)] as T;
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const randomKeyHex = (): string => hex(rnd.bytes(1 + rnd.below(64)));

/** RFC 4648 base32, upper case, padded: written here independently of src/encoding. */
function base32(bytes: Uint8Array): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let text = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      text += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  if (bits > 0) text += alphabet[(value << (5 - bits)) & 31];
  return text.padEnd(Math.ceil(text.length / 8) * 8, '=');
}

function describeRun(what: string, args: readonly string[], result: RunResult): string {
  return `${what}: ${args.join(' ')} → status ${result.status}, stderr ${JSON.stringify(result.stderr)} (OTPD_TEST_SEED=${SEED})`;
}

function oathtool(args: readonly string[]): RunResult {
  return run('oathtool', args);
}

function oathtoolOk(args: readonly string[]): string {
  const result = oathtool(args);
  if (result.status !== 0) throw new Error(describeRun('oathtool failed', args, result));
  return result.stdout;
}

/** Runs otpctl and expects exit 0 and a silent stderr (no backend notice with the addon built). */
function otpctlOk(args: readonly string[]): string {
  const result = otpctl(args);
  expect(result.status, describeRun('otpctl exit status', args, result)).toBe(0);
  expect(result.stderr, describeRun('otpctl stderr', args, result)).toBe('');
  return result.stdout;
}

/** Counters: small, straddling 2^32, and large (kept where oathtool's -c and our limits agree). */
function randomCounter(): number {
  switch (rnd.below(4)) {
    case 0:
      return rnd.below(1000);
    case 1:
      return 2 ** 32 - 30 + rnd.below(60);
    case 2:
      return rnd.below(2 ** 40);
    default:
      return rnd.below(2 ** 52);
  }
}

describe('otpctl gen hotp vs oathtool --hotp', () => {
  it('lists the same codes for random keys (1..64 bytes), counters, windows and digits 6/7/8', () => {
    for (let i = 0; i < 12; i++) {
      const key = randomKeyHex();
      const counter = randomCounter();
      const window = pick([0, 1, 2, 7, 50, 120]);
      const digits = String(6 + (i % 3));
      const expected = oathtoolOk(['--hotp', '-c', String(counter), '-w', String(window), '-d', digits, key]);
      expect(expected.split('\n')).toHaveLength(window + 2);
      const args = ['gen', 'hotp', key, '-c', String(counter), '-w', String(window), '-d', digits];
      expect(otpctlOk(args), `otpctl ${args.join(' ')} (OTPD_TEST_SEED=${SEED})`).toBe(expected);
    }
  });

  it('reads --base32 keys as oathtool --base32 does', () => {
    for (let i = 0; i < 6; i++) {
      const key = base32(rnd.bytes(1 + rnd.below(40)));
      const counter = String(randomCounter());
      const expected = oathtoolOk(['--hotp', '--base32', '-c', counter, '-w', '3', key]);
      const args = ['gen', 'hotp', '--base32', key, '-c', counter, '-w', '3'];
      expect(otpctlOk(args), `otpctl ${args.join(' ')} (OTPD_TEST_SEED=${SEED})`).toBe(expected);
    }
  });

  it('computes HMAC-SHA256/512 HOTP as oathtool --totp=ALG with a 1 s step at T = counter', () => {
    for (const algorithm of ['sha256', 'sha512'] as const) {
      for (let i = 0; i < 3; i++) {
        const key = randomKeyHex();
        const counter = String(rnd.below(2 ** 34));
        const digits = String(6 + rnd.below(3));
        const expected = oathtoolOk([`--totp=${algorithm}`, '-s', '1s', '-N', `@${counter}`, '-w', '20', '-d', digits, key]);
        const args = ['gen', 'hotp', key, '-a', algorithm, '-c', counter, '-w', '20', '-d', digits];
        expect(otpctlOk(args), `otpctl ${args.join(' ')} (OTPD_TEST_SEED=${SEED})`).toBe(expected);
      }
    }
  });

  it('validate mode finds the match oathtool finds (prints the counter, oathtool the offset from -c), and exits 1 (stdout empty, one stderr line) on a miss', () => {
    for (let i = 0; i < 4; i++) {
      const key = randomKeyHex();
      const counter = randomCounter();
      const window = 5 + rnd.below(60);
      const digits = String(6 + (i % 3));
      const common = ['-c', String(counter), '-w', String(window), '-d', digits];
      const codes = oathtoolOk(['--hotp', ...common, key])
        .trim()
        .split('\n');
      for (const position of [0, rnd.below(window + 1), window]) {
        const code = codes[position] as string;
        const offset = Number(oathtoolOk(['--hotp', ...common, key, code]));
        expect(offset).toBeLessThanOrEqual(position);
        // On purpose (README): otpctl prints the counter, oathtool its offset from -c; --json has both.
        const args = ['gen', 'hotp', key, code, ...common];
        expect(otpctlOk(args), `otpctl ${args.join(' ')} (OTPD_TEST_SEED=${SEED})`).toBe(`${counter + offset}\n`);
        expect(JSON.parse(otpctlOk([...args, '--json']))).toEqual({ match: true, counter: counter + offset, offset });
      }
      // A code of the right length that is not in the window.
      let missing = Number(codes[0]);
      while (codes.includes(String(missing).padStart(Number(digits), '0'))) missing = (missing + 1) % 10 ** Number(digits);
      const miss = String(missing).padStart(Number(digits), '0');
      expect(oathtool(['--hotp', ...common, key, miss]).status, 'oathtool exits 2 on a miss').toBe(2);
      const args = ['gen', 'hotp', key, miss, ...common];
      const result = otpctl(args);
      expect(result.status, describeRun('miss', args, result)).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/^otpctl: [^\n]+\n$/);
      expect(result.stderr).not.toContain(key);
    }
  });
});

describe('otpctl gen totp vs oathtool --totp', () => {
  const algorithms = ['sha1', 'sha256', 'sha512'] as const;

  it('lists the same codes for sha1/256/512, random times, steps 30/60/other, windows and digits', () => {
    for (let i = 0; i < 12; i++) {
      const algorithm = algorithms[i % 3] as string;
      const key = randomKeyHex();
      const time = String(rnd.below(2 ** 34));
      const step = String(pick([30, 60, 1 + rnd.below(300)]));
      const window = String(rnd.below(15));
      const digits = String(6 + rnd.below(3));
      const expected = oathtoolOk([`--totp=${algorithm}`, '-N', `@${time}`, '-s', `${step}s`, '-w', window, '-d', digits, key]);
      const args = ['gen', 'totp', key, '--now', time, '-s', step, '-w', window, '-d', digits, '-a', algorithm];
      expect(otpctlOk(args), `otpctl ${args.join(' ')} (OTPD_TEST_SEED=${SEED})`).toBe(expected);
    }
  });

  it('validate mode prints the step distance oathtool prints, for matches anywhere in ±W', () => {
    for (let i = 0; i < 4; i++) {
      const algorithm = algorithms[i % 3] as string;
      const key = randomKeyHex();
      const step = pick([30, 60, 1 + rnd.below(300)]);
      const window = 3 + rnd.below(10);
      const time = window * step + rnd.below(2 ** 33);
      const digits = String(6 + rnd.below(3));
      // Codes for steps current-W ..= current+W in one call.
      const codes = oathtoolOk([`--totp=${algorithm}`, '-N', `@${time - window * step}`, '-s', `${step}s`, '-w', String(2 * window), '-d', digits, key])
        .trim()
        .split('\n');
      expect(codes).toHaveLength(2 * window + 1);
      for (const offset of [-window, 0, 1, rnd.below(2 * window + 1) - window]) {
        const code = codes[offset + window] as string;
        const common = ['-s', `${step}s`, '-w', String(window), '-d', digits];
        const expected = oathtoolOk([`--totp=${algorithm}`, '-N', `@${time}`, ...common, key, code]);
        expect(Number(expected)).toBeLessThanOrEqual(Math.abs(offset));
        const args = ['gen', 'totp', key, code, '--now', String(time), '-a', algorithm, ...common];
        expect(otpctlOk(args), `otpctl ${args.join(' ')} (OTPD_TEST_SEED=${SEED})`).toBe(expected);
      }
    }
  });

  it('validate mode picks the nearest step when a code repeats in the window (oathtool prints 1, not 7)', () => {
    // Key "12345678901234567890": the 6-digit code 709847 is the code of steps 2386 and 2394. At
    // T = 2393·30 the window ±10 holds both: 2394 is one step ahead, 2386 seven behind.
    const key = '3132333435363738393031323334353637383930';
    const args = ['--totp', '-N', '@71790', '-w', '10', key, '709847'];
    expect(oathtoolOk(args)).toBe('1\n');
    expect(otpctlOk(['gen', 'totp', key, '709847', '--now', '71790', '-w', '10'])).toBe('1\n');
    // A tie (T = 2390·30, both four steps away): liboath tries the later step first.
    expect(oathtoolOk(['--totp', '-N', '@71700', '-w', '10', key, '709847'])).toBe('4\n');
    const tie = otpctlOk(['gen', 'totp', key, '709847', '--now', '71700', '-w', '10', '--json']);
    expect(JSON.parse(tie)).toEqual({ match: true, counter: 2394, offset: 4 });
  });

  it('accepts oathtool spellings: -N @T and -s 30s / 1m', () => {
    const key = '3132333435363738393031323334353637383930';
    const expected = oathtoolOk(['--totp', '-N', '@1111111109', '-s', '60s', '-w', '2', '-d', '8', key]);
    expect(otpctlOk(['gen', 'totp', key, '-N', '@1111111109', '-s', '1m', '-w', '2', '-d', '8'])).toBe(expected);
    expect(otpctlOk(['gen', 'totp', key, '--now', '1111111109', '-s', '60s', '-w', '2', '-d', '8'])).toBe(expected);
  });

  it('exits 1 with empty stdout and one stderr line when the code is not within ±W', () => {
    const key = '3132333435363738393031323334353637383930';
    const codes = oathtoolOk(['--totp', '-N', '@1000000', '-w', '40', key]).trim().split('\n');
    const far = codes[40] as string; // 40 steps ahead, outside ±5
    const near = new Set(codes.slice(0, 6));
    expect(near.has(far)).toBe(false);
    expect(oathtool(['--totp', '-N', '@1000000', '-w', '5', key, far]).status).toBe(2);
    const result = otpctl(['gen', 'totp', key, far, '--now', '1000000', '-w', '5']);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^otpctl: [^\n]+\n$/);
  });
});

describe('otpctl key convert vs oathtool -v', () => {
  function oathtoolSecrets(args: readonly string[]): { hex: string; base32: string } {
    const text = oathtoolOk(['-v', ...args]);
    const hexLine = /^Hex secret: (.*)$/m.exec(text);
    const base32Line = /^Base32 secret: (.*)$/m.exec(text);
    if (!hexLine || !base32Line) throw new Error(`unexpected oathtool -v output: ${text}`);
    return { hex: hexLine[1] as string, base32: base32Line[1] as string };
  }

  it('hex → base32 and --base32 back to hex, for keys of 1..64 bytes', () => {
    const keys = [1, 3, 5, 20, 33, 64].map((n) => hex(rnd.bytes(n)));
    for (const key of keys) {
      const fromHex = oathtoolSecrets([key]);
      expect(otpctlOk(['key', 'convert', key]), `key convert ${key} (OTPD_TEST_SEED=${SEED})`).toBe(`${fromHex.base32}\n`);
      const fromBase32 = oathtoolSecrets(['--base32', fromHex.base32]);
      expect(fromBase32.hex).toBe(key);
      expect(otpctlOk(['key', 'convert', '--base32', fromHex.base32]), `key convert --base32 ${fromHex.base32}`).toBe(`${fromBase32.hex}\n`);
    }
  });

  it('accepts upper-case hex and prints lower-case hex, as oathtool does', () => {
    const key = 'DEADBEEF00112233';
    expect(otpctlOk(['key', 'convert', key])).toBe(`${oathtoolSecrets([key]).base32}\n`);
    const b32 = oathtoolSecrets([key]).base32;
    expect(otpctlOk(['key', 'convert', '--base32', b32])).toBe(`${oathtoolSecrets(['--base32', b32]).hex}\n`);
  });
});

describe('a KEY of - is read from standard input, as oathtool reads it', () => {
  it('gen hotp and gen totp (hex and --base32) print what oathtool prints for the same input', () => {
    const key = randomKeyHex();
    const input = `${key}\n`;
    const same = (ours: readonly string[], theirs: readonly string[], stdin: string): void => {
      const mine = otpctl(ours, { input: stdin });
      expect(mine.status, describeRun('otpctl', ours, mine)).toBe(0);
      expect(mine.stdout, describeRun('otpctl', ours, mine)).toBe(oathtoolOk2(theirs, stdin));
    };
    same(['gen', 'hotp', '-', '-c', '7', '-w', '3'], ['-', '-c', '7', '-w', '3'], input);
    same(['gen', 'totp', '-', '-N', '@59', '-d', '8', '-w', '2'], ['--totp', '-', '-N', '@59', '-d', '8', '-w', '2'], input);
    const b32 = base32(Buffer.from(key, 'hex'));
    same(['gen', 'totp', '--base32', '-', '-N', '@1111111109'], ['--totp', '--base32', '-', '-N', '@1111111109'], `${b32}\n`);
    expect(otpctl(['gen', 'hotp', key, '-c', '7', '-w', '3']).stdout).toBe(oathtoolOk2(['-', '-c', '7', '-w', '3'], input));
  });

  it('gen motp takes one of SECRET and PIN from standard input, not both', () => {
    const fromArgs = otpctl(['gen', 'motp', '1234567890abcdef', '1234', '--now', '1700000000']);
    const fromStdin = otpctl(['gen', 'motp', '-', '1234', '--now', '1700000000'], { input: '1234567890abcdef\n' });
    expect([fromStdin.status, fromStdin.stdout]).toEqual([0, fromArgs.stdout]);
    const both = otpctl(['gen', 'motp', '-', '-'], { input: '1234567890abcdef\n1234\n' });
    expect([both.status, both.stdout, both.stderr]).toEqual([2, '', 'otpctl: pin: only one value can come from standard input (secret, pin are all -)\n']);
  });
});

function oathtoolOk2(args: readonly string[], input: string): string {
  const result = run('oathtool', args, { input });
  if (result.status !== 0) throw new Error(describeRun('oathtool failed', args, result));
  return result.stdout;
}
