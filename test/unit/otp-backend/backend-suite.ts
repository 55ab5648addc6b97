/**
 * One suite, run once per backend (backends.test.ts): the same known answers must come out of
 * the addon and the TypeScript path. Vectors come from ../shared/data only.
 */
import { describe, expect, it } from 'vitest';
import { BACKEND_LIMITS } from '../../../src/bounds.js';
import type { OtpBackend } from '../../../src/otp-backend/backend.js';
import { oathVectors, skeyVectors } from '../../support/shared-data.js';

const hex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'));
const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const skeyInput = (seed: string, passphrase: string): Uint8Array => Uint8Array.from(Buffer.from(seed.toLowerCase() + passphrase, 'utf8'));

export function backendSuite(backendName: string, getBackend: () => OtpBackend): void {
  describe(`${backendName} backend`, () => {
    const { hotp, totp } = oathVectors();
    const hotpKey = hex(hotp.secretHex);

    it('reports its name', () => {
      expect(getBackend().name).toBe(backendName);
    });

    it('lists the RFC 4226 Appendix D codes', () => {
      const codes = getBackend().hotpRange(hotpKey, 'sha1', hotp.digits, 0, hotp.codes.length);
      expect(Array.from(codes, (c) => String(c).padStart(6, '0'))).toEqual(hotp.codes.map((v) => v.otp));
    });

    it('finds every RFC 4226 code at its counter, sync and async', async () => {
      for (const { counter, otp } of hotp.codes) {
        const request = { key: hotpKey, algorithm: 'sha1' as const, digits: 6, counter: 0, window: 9, code: Number(otp) };
        expect(getBackend().hotpSearch(request)).toBe(counter);
        await expect(getBackend().hotpSearchAsync(request)).resolves.toBe(counter);
      }
    });

    it('returns null outside the window and honours window 0', async () => {
      const code = Number(hotp.codes[5]?.otp);
      const base = { key: hotpKey, algorithm: 'sha1' as const, digits: 6, code };
      expect(getBackend().hotpSearch({ ...base, counter: 0, window: 4 })).toBeNull();
      expect(getBackend().hotpSearch({ ...base, counter: 6, window: 100 })).toBeNull();
      expect(getBackend().hotpSearch({ ...base, counter: 5, window: 0 })).toBe(5);
      await expect(getBackend().hotpSearchAsync({ ...base, counter: 0, window: 4 })).resolves.toBeNull();
    });

    it('computes the RFC 6238 Appendix B codes for sha1, sha256 and sha512', () => {
      for (const v of totp.vectors) {
        const counter = Math.floor((v.time - v.t0) / v.step);
        const [code] = getBackend().hotpRange(hex(v.secretHex), v.algorithm, v.digits, counter, 1);
        expect(String(code).padStart(v.digits, '0'), `${v.algorithm} at ${v.time}`).toBe(v.otp);
        const first = Math.max(0, counter - 3);
        const found = getBackend().hotpSearch({
          key: hex(v.secretHex),
          algorithm: v.algorithm,
          digits: v.digits,
          counter: first,
          window: counter + 3 - first,
          code: Number(v.otp),
        });
        expect(found).toBe(counter);
      }
    });

    it('hashes keys longer than the HMAC block first (RFC 2104)', () => {
      const longKey = new Uint8Array(200).map((_, i) => i);
      const backend = getBackend();
      for (const algorithm of ['sha1', 'sha256', 'sha512'] as const) {
        const codes = backend.hotpRange(longKey, algorithm, 8, 1000, 3);
        expect(backend.hotpSearch({ key: longKey, algorithm, digits: 8, counter: 990, window: 20, code: codes[2] ?? -1 })).toBe(1002);
      }
    });

    it('rejects bad arguments with TypeError or RangeError before any work', async () => {
      const ok = { key: hex(hotp.secretHex), algorithm: 'sha1', digits: 6, counter: 0, window: 0, code: 0 } as const;
      const search = (patch: Record<string, unknown>) => () => getBackend().hotpSearch({ ...ok, ...patch });
      expect(search({ key: 'abc' })).toThrow(TypeError);
      expect(search({ key: new Uint8Array(BACKEND_LIMITS.maxKeyBytes + 1) })).toThrow(RangeError);
      expect(search({ algorithm: 'md5' })).toThrow(RangeError);
      expect(search({ algorithm: 1 })).toThrow(TypeError);
      expect(search({ digits: 9 })).toThrow(/digits/);
      expect(search({ digits: 6.5 })).toThrow(RangeError);
      expect(search({ counter: -1 })).toThrow(RangeError);
      expect(search({ counter: 2 ** 53 })).toThrow(RangeError);
      expect(search({ counter: BACKEND_LIMITS.maxCounter, window: 1 })).toThrow(/window/);
      expect(search({ code: 1_000_000 })).toThrow(/code/);
      expect(search({ code: '123456' })).toThrow(TypeError);
      await expect(getBackend().hotpSearchAsync({ ...ok, digits: 5 })).rejects.toThrow(RangeError);
      expect(getBackend().hotpSearch({ ...ok, counter: BACKEND_LIMITS.maxCounter })).toBeTypeOf('object');

      expect(() => getBackend().hotpRange(hex(hotp.secretHex), 'sha1', 6, 0, BACKEND_LIMITS.maxBatch + 1)).toThrow(RangeError);
      expect(() => getBackend().hotpRange(hex(hotp.secretHex), 'sha1', 6, BACKEND_LIMITS.maxCounter, 2)).toThrow(RangeError);
      expect(getBackend().hotpRange(hex(hotp.secretHex), 'sha1', 6, BACKEND_LIMITS.maxCounter, 1)).toHaveLength(1);
      expect(() => getBackend().skeyChain('sha256' as never, Uint8Array.of(120), 0)).toThrow(RangeError);
      expect(() => getBackend().skeyChain('md5', new Uint8Array(BACKEND_LIMITS.maxSkeyInputBytes + 1), 0)).toThrow(RangeError);
      expect(() => getBackend().skeyChain('md5', Uint8Array.of(120), -1)).toThrow(RangeError);
      await expect(getBackend().skeyChainAsync('md5', [1, 2] as never, 0)).rejects.toThrow(TypeError);
      expect(() => getBackend().skeyList('md5', Uint8Array.of(120), 0, BACKEND_LIMITS.maxBatch + 1)).toThrow(RangeError);
      expect(() => getBackend().hotpRange(new Uint8Array(0), 'sha1', 6, 0, 1)).toThrow(RangeError);
      expect(() => getBackend().skeyChain('md5', new Uint8Array(0), 0)).toThrow(RangeError);
    });

    it('computes all RFC 2289 vectors', () => {
      for (const v of skeyVectors()) {
        const value = getBackend().skeyChain(v.algorithm, skeyInput(v.seed, v.passphrase), v.count);
        expect(toHex(value), `${v.algorithm} ${v.seed} ${v.count}`).toBe(v.hex.replace(/\s+/g, '').toLowerCase());
      }
    });

    it('computes S/KEY chains asynchronously with the same answers', async () => {
      const v = skeyVectors().find((x) => x.count === 99);
      if (!v) throw new Error('no count-99 vector in rfc2289-vectors.json');
      const value = await getBackend().skeyChainAsync(v.algorithm, skeyInput(v.seed, v.passphrase), v.count);
      expect(toHex(value)).toBe(v.hex.replace(/\s+/g, '').toLowerCase());
    });

    it('lists consecutive S/KEY responses that equal single chains, and each hashes to the next', () => {
      const backend = getBackend();
      for (const algorithm of ['md4', 'md5', 'sha1'] as const) {
        const input = skeyInput('TeSt', 'This is a test.');
        const list = backend.skeyList(algorithm, input, 95, 5);
        expect(list).toHaveLength(5);
        list.forEach((value, i) => {
          expect(toHex(value)).toBe(toHex(backend.skeyChain(algorithm, input, 95 + i)));
          // What a server does: hash the response once and compare it with the previous (higher) one.
          const next = list[i + 1];
          if (next) expect(toHex(backend.skeyChain(algorithm, value, 0))).toBe(toHex(next));
        });
      }
    });
  });
}
