/**
 * Seeded randomness for tests (mulberry32): small, repeatable, good enough to pick test cases. Tests
 * print their seed on failure and take OTPD_TEST_SEED to replay one.
 */
export interface SeededRandom {
  /** An integer in `0 .. n-1` (n may exceed 2^32). */
  below(n: number): number;
  /** `n` random bytes. */
  bytes(n: number): Uint8Array;
}

export function seededRandom(seed: number): SeededRandom {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  const below = (n: number): number =>
    n <= 2 ** 32 ? Math.floor((next() / 2 ** 32) * n) : Math.min(n - 1, Math.floor((next() / 2 ** 32) * Math.ceil(n / 2 ** 32)) * 2 ** 32 + next());
  return { below, bytes: (n) => Uint8Array.from({ length: n }, () => next() & 0xff) };
}
