/**
 * Runs the shared backend suite against both backends, and a property test comparing them on random
 * inputs. The native backend must be built here: CI builds it, and a missing addon fails this file
 * rather than silently testing the fallback twice.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HMAC_ALGORITHMS, SKEY_ALGORITHMS } from '../../../src/tokens/algorithms.js';
import { loadNativeBackend } from '../../../src/otp-backend/native-backend.js';
import { typescriptBackend } from '../../../src/otp-backend/typescript-backend.js';
import { backendSuite } from './backend-suite.js';

const native = loadNativeBackend();

backendSuite('native', () => native);
backendSuite('typescript', () => typescriptBackend);

const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

describe('native and TypeScript backends agree on random inputs', () => {
  it('HOTP code lists', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 200 }),
        fc.constantFrom(...HMAC_ALGORITHMS),
        fc.integer({ min: 6, max: 8 }),
        fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER - 100 })),
        fc.integer({ min: 1, max: 20 }),
        (key, algorithm, digits, counter, count) => {
          expect(Array.from(native.hotpRange(key, algorithm, digits, counter, count))).toEqual(
            Array.from(typescriptBackend.hotpRange(key, algorithm, digits, counter, count)),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('HOTP searches, hits and misses', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 64 }),
        fc.constantFrom(...HMAC_ALGORITHMS),
        fc.integer({ min: 6, max: 8 }),
        fc.integer({ min: 0, max: 2 ** 40 }),
        fc.integer({ min: 0, max: 50 }),
        fc.integer({ min: 0, max: 99_999_999 }),
        (key, algorithm, digits, counter, window, anyCode) => {
          const hit = typescriptBackend.hotpRange(key, algorithm, digits, counter + window, 1)[0] ?? 0;
          for (const code of [hit, anyCode % 10 ** digits]) {
            const request = { key, algorithm, digits, counter, window, code };
            expect(native.hotpSearch(request)).toBe(typescriptBackend.hotpSearch(request));
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('S/KEY chains and lists', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SKEY_ALGORITHMS),
        fc.uint8Array({ minLength: 1, maxLength: 79 }),
        fc.integer({ min: 0, max: 600 }),
        fc.integer({ min: 1, max: 10 }),
        (algorithm, input, count, n) => {
          expect(toHex(native.skeyChain(algorithm, input, count))).toBe(toHex(typescriptBackend.skeyChain(algorithm, input, count)));
          expect(native.skeyList(algorithm, input, count, n).map(toHex)).toEqual(typescriptBackend.skeyList(algorithm, input, count, n).map(toHex));
        },
      ),
      { numRuns: 200 },
    );
  });
});
