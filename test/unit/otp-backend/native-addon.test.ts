/**
 * The native backend on its own: that it loads, a few RFC known answers, and the wrapper's argument
 * validation. The full known-answer suite for both backends is backends.test.ts.
 */
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { NATIVE_PATH_ENV, findPackageRoot, nativeAddonPath } from '../../../src/addon/load.js';
import { loadNativeBackend } from '../../../src/otp-backend/native-backend.js';
import { oathVectors, repoRoot, skeyVectors } from '../../support/shared-data.js';

const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);
const hex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'));
const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

const backend = loadNativeBackend();
const rfcKey = ascii('12345678901234567890');

describe('native backend', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('is named native and finds the package root', () => {
    expect(backend.name).toBe('native');
    expect(findPackageRoot(path.join(repoRoot, 'src', 'addon'))).toBe(repoRoot);
    expect(nativeAddonPath({})).toBe(path.join(repoRoot, 'native', 'build', 'Release', 'otpd_native.node'));
  });

  it('computes RFC 4226 Appendix D codes and searches them', async () => {
    const { hotp } = oathVectors();
    const codes = backend.hotpRange(hex(hotp.secretHex), 'sha1', 6, 0, hotp.codes.length);
    expect(codes).toBeInstanceOf(Uint32Array);
    expect(Array.from(codes, (c) => String(c).padStart(6, '0'))).toEqual(hotp.codes.map((c) => c.otp));
    const request = { key: rfcKey, algorithm: 'sha1', digits: 6, counter: 0, window: 9, code: 162583 } as const;
    expect(backend.hotpSearch(request)).toBe(7);
    await expect(backend.hotpSearchAsync(request)).resolves.toBe(7);
    expect(backend.hotpSearch({ ...request, counter: 8, window: 1 })).toBeNull();
    await expect(backend.hotpSearchAsync({ ...request, counter: 6, window: 0 })).resolves.toBeNull();
  });

  it('finds RFC 6238 Appendix B counters for sha1, sha256 and sha512', () => {
    for (const v of oathVectors().totp.vectors) {
      const counter = Math.floor((v.time - v.t0) / v.step);
      const request = { key: hex(v.secretHex), algorithm: v.algorithm, digits: v.digits, code: Number(v.otp) };
      expect(backend.hotpSearch({ ...request, counter: Math.max(0, counter - 2), window: 4 })).toBe(counter);
    }
  });

  it('computes RFC 2289 vectors, sync, async and listed', async () => {
    for (const v of skeyVectors()) {
      const input = ascii(v.seed.toLowerCase() + v.passphrase);
      const want = v.hex.replace(/\s+/g, '').toLowerCase();
      expect(toHex(backend.skeyChain(v.algorithm, input, v.count))).toBe(want);
      expect(toHex(await backend.skeyChainAsync(v.algorithm, input, v.count))).toBe(want);
      expect(backend.skeyList(v.algorithm, input, v.count, 1).map(toHex)).toEqual([want]);
    }
    expect(backend.skeyList('md5', ascii('x'), 3, 0)).toEqual([]);
  });

  it('throws a plain Error naming the path when the addon cannot be loaded', () => {
    vi.stubEnv(NATIVE_PATH_ENV, '/nonexistent/otpd_native.node');
    expect(() => loadNativeBackend()).toThrow(/\/nonexistent\/otpd_native\.node/);
  });
});
