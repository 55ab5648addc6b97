/**
 * Small readings of a fixture's HOTP state for login tests through real programs (sshd, OpenVPN), where
 * the only way to see what the daemon did is the store file it rewrote.
 */
import { hotp, type Fixture } from './store-fixture.js';

/** The look-ahead the daemon may use, with margin: a "wrong" code must match none of these counters. */
const NEAR_COUNTERS = 12;

/** USER's first store line as [counter, last OTP] (NaN and '' when absent). */
export function storedHotp(fx: Fixture, user: string): [number, string] {
  const line =
    fx
      .storeBytes()
      .toString('latin1')
      .split('\n')
      .find((l) => l.split(/\s+/)[1] === user) ?? '';
  const fields = line.split(/\s+/);
  return [Number(fields[4]), fields[5] ?? ''];
}

/**
 * A 6-digit code that no counter from NEXT to NEXT + 11 produces for KEYHEX, so the daemon must refuse
 * it (a fixed "000000" would be accepted once in a while).
 */
export function wrongHotpCode(keyHex: string, next: number): string {
  const near = new Set(Array.from({ length: NEAR_COUNTERS }, (_, i) => hotp(keyHex, next + i)));
  for (let n = 0; ; n++) {
    const candidate = String((123_456 + n * 7_919) % 1_000_000).padStart(6, '0');
    if (!near.has(candidate)) return candidate;
  }
}
