/**
 * otpctl's hot loops through both backends, as real processes: 10⁷-counter searches and 2·10⁵-line
 * listings with the native addon (checked against oathtool), the same answers with OTPD_NO_NATIVE=1
 * (no notice), and exactly one notice line when the addon cannot be loaded (OTPD_NATIVE_PATH).
 */
import { describe, expect, it } from 'vitest';
import { otpctl, run } from '../support/run.js';

const KEY = '3132333435363738393031323334353637383930';
/** A 20-byte key whose 8-digit code at counter 9 999 999 occurs nowhere earlier (checked with oathtool). */
const BIG_KEY = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';

function oathtoolOk(args: readonly string[]): string {
  const result = run('oathtool', args, { timeoutMs: 120_000 });
  if (result.status !== 0) throw new Error(`oathtool ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return result.stdout;
}

const envWith = (extra: Record<string, string>): NodeJS.ProcessEnv => {
  const env = { ...process.env, ...extra };
  if (!('OTPD_NO_NATIVE' in extra)) delete env.OTPD_NO_NATIVE;
  return env;
};

describe('big windows (native addon)', () => {
  it('gen hotp KEY CODE -w 10000000 finds counter 9999999 and agrees with oathtool', () => {
    const code = oathtoolOk(['--hotp', '-d', '8', '-c', '9999999', BIG_KEY]).trim();
    const started = process.hrtime.bigint();
    const result = otpctl(['gen', 'hotp', BIG_KEY, code, '-d', '8', '-w', '10000000'], { env: envWith({}) });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    expect(result).toEqual({ status: 0, stdout: '9999999\n', stderr: '' });
    // Generous: the native search takes about a second; the TypeScript path would take ~40 s.
    expect(ms, `otpctl -w 10000000 took ${ms.toFixed(0)} ms`).toBeLessThan(15_000);
    expect(oathtoolOk(['--hotp', '-d', '8', '-w', '10000000', BIG_KEY, code])).toBe(result.stdout);
  });

  it('6-digit codes repeat: the first match in a 10⁷ window is what oathtool reports too', () => {
    const code = oathtoolOk(['--hotp', '-c', '9999999', KEY]).trim();
    const ours = otpctl(['gen', 'hotp', KEY, code, '-w', '10000000'], { env: envWith({}) });
    expect(ours.status).toBe(0);
    expect(ours.stdout).toBe(oathtoolOk(['--hotp', '-w', '10000000', KEY, code]));
  });

  it('listing -w 200000: same line count and last line as oathtool, byte-identical', () => {
    const expected = oathtoolOk(['--hotp', '-c', '4294900000', '-w', '200000', '-d', '7', KEY]);
    const result = otpctl(['gen', 'hotp', KEY, '-c', '4294900000', '-w', '200000', '-d', '7'], { env: envWith({}) });
    expect(result.status).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines).toHaveLength(200_002); // 200 001 codes and the final newline
    expect(lines.at(-2)).toBe(expected.split('\n').at(-2));
    expect(result.stdout === expected, 'listing differs from oathtool').toBe(true);
  });
});

describe('backends give the same output', () => {
  const cases: { args: string[]; input: string }[] = [
    { args: ['gen', 'hotp', KEY, '-c', '4294967290', '-w', '2000', '-d', '8'], input: '' },
    { args: ['gen', 'hotp', KEY, oathtoolOk(['--hotp', '-c', '1500', KEY]).trim(), '-c', '1000', '-w', '2000'], input: '' },
    { args: ['gen', 'totp', KEY, '--now', '1234567890', '-w', '500', '-a', 'sha512', '-d', '8'], input: '' },
    { args: ['gen', 'skey', '--md4', '999', 'TeSt', '-n', '50'], input: 'This is a test.\n' },
    { args: ['gen', 'skey', '--sha1', '5000', 'alpha1', '--hex'], input: 'This is a test.\n' },
  ];

  it('OTPD_NO_NATIVE=1: same stdout as the native path, no notice on stderr', () => {
    for (const { args, input } of cases) {
      const native = otpctl(args, { input, env: envWith({}) });
      const ts = otpctl(args, { input, env: envWith({ OTPD_NO_NATIVE: '1' }) });
      expect(native.status, native.stderr).toBe(0);
      expect(native.stderr).toBe('');
      expect(ts).toEqual({ status: 0, stdout: native.stdout, stderr: '' });
    }
    // The listing still equals oathtool on the TypeScript path.
    const listing = otpctl(cases[0]?.args ?? [], { env: envWith({ OTPD_NO_NATIVE: '1' }) });
    expect(listing.stdout).toBe(oathtoolOk(['--hotp', '-c', '4294967290', '-w', '2000', '-d', '8', KEY]));
  });

  it('OTPD_NATIVE_PATH to a missing file: exactly one notice line naming the TypeScript path, right output', () => {
    for (const { args, input } of cases.slice(0, 4)) {
      const native = otpctl(args, { input, env: envWith({}) });
      const fallback = otpctl(args, { input, env: envWith({ OTPD_NATIVE_PATH: '/nonexistent/otpd_native.node' }) });
      expect(fallback.status, fallback.stderr).toBe(0);
      expect(fallback.stdout).toBe(native.stdout);
      expect(fallback.stderr, JSON.stringify(fallback.stderr)).toMatch(/^[^\n]*TypeScript path[^\n]*\n$/);
      expect(fallback.stderr).toContain('/nonexistent/otpd_native.node');
    }
  });

  it('commands that need no backend print no notice even when the addon is missing', () => {
    const env = envWith({ OTPD_NATIVE_PATH: '/nonexistent/otpd_native.node' });
    expect(otpctl(['key', 'convert', KEY], { env })).toEqual({ status: 0, stdout: 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\n', stderr: '' });
    expect(otpctl(['gen', 'motp', '1234567890abcdef', '1234', '--now', '1700000000'], { env }).stderr).toBe('');
  });
});
