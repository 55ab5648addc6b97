import { defineConfig } from 'vitest/config';

// Two projects (../shared/DESIGN.md's layout): fast unit tests and integration tests that drive real
// programs (oathtool, otpprint, the built otpctl). `npm test` runs both.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
