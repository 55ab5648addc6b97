/**
 * The pure TypeScript backend: the same answers as the addon, from the one TypeScript implementation of
 * each algorithm (HOTP over otplib in tokens/hotp.ts, S/KEY in tokens/skey/chain.ts). Used when the
 * addon is missing or OTPD_NO_NATIVE=1.
 */
import { hotpCode } from '../tokens/hotp.js';
import { skeyChain, skeyList } from '../tokens/skey/chain.js';
import type { HmacAlgorithm, SkeyAlgorithm } from '../tokens/algorithms.js';
import type { HotpSearchRequest, OtpBackend } from './backend.js';
import { withChecks } from './backend-checks.js';

/** Counters computed between two yields to the event loop in the async search. */
const COUNTERS_PER_TICK = 20_000;

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function hotpNumber(key: Uint8Array, algorithm: HmacAlgorithm, digits: number, counter: number): number {
  return Number(hotpCode(key, counter, { algorithm, digits }));
}

function searchSlice(request: HotpSearchRequest, from: number, to: number): number | null {
  const { key, algorithm, digits, code } = request;
  for (let counter = from; counter <= to; counter++) {
    if (hotpNumber(key, algorithm, digits, counter) === code) return counter;
  }
  return null;
}

/** @internal exported for the loader and tests; everyone else asks the loader. */
export const typescriptBackend: OtpBackend = withChecks({
  name: 'typescript' as const,

  hotpSearch(request: HotpSearchRequest): number | null {
    return searchSlice(request, request.counter, request.counter + request.window);
  },

  async hotpSearchAsync(request: HotpSearchRequest): Promise<number | null> {
    const last = request.counter + request.window;
    for (let from = request.counter; from <= last; from += COUNTERS_PER_TICK) {
      const found = searchSlice(request, from, Math.min(last, from + COUNTERS_PER_TICK - 1));
      if (found !== null) return found;
      await yieldToEventLoop();
    }
    return null;
  },

  hotpRange(key: Uint8Array, algorithm: HmacAlgorithm, digits: number, counter: number, count: number): Uint32Array {
    const codes = new Uint32Array(count);
    for (let i = 0; i < count; i++) codes[i] = hotpNumber(key, algorithm, digits, counter + i);
    return codes;
  },

  skeyChain,

  async skeyChainAsync(algorithm: SkeyAlgorithm, input: Uint8Array, count: number): Promise<Uint8Array> {
    return skeyChain(algorithm, input, count);
  },

  skeyList,
});
