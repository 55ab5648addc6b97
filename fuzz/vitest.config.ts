import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The fast-check property runs of `npm run fuzz` (fuzz/run.mjs). Separate from the unit and
// integration projects: `npm test` never picks these up. One file per fuzzed parser; each property
// gets a share of OTPD_FUZZ_RUNS (fuzz/ts/harness.ts).
export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    include: ['fuzz/ts/**/*.fuzz.ts'],
    testTimeout: 30 * 60_000,
    hookTimeout: 60_000,
  },
});
