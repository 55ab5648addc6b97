/** The loader: native when it loads, else TypeScript with exactly one notice line; OTPD_NO_NATIVE forces TS. */
import { afterEach, describe, expect, it, vi } from 'vitest';

afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

async function freshLoader(): Promise<typeof import('../../../src/otp-backend/loader.js')> {
  vi.resetModules();
  return import('../../../src/otp-backend/loader.js');
}

describe('loadBackend', () => {
  it('loads the native backend when it is built', async () => {
    const { loadBackend } = await freshLoader();
    const notices: string[] = [];
    expect(loadBackend({ notice: (line) => notices.push(line) }).name).toBe('native');
    expect(notices).toEqual([]);
  });

  it('falls back to TypeScript with one single-line notice when the addon is missing', async () => {
    vi.stubEnv('OTPD_NATIVE_PATH', '/nonexistent/otpd_native.node');
    const { loadBackend } = await freshLoader();
    const notices: string[] = [];
    expect(loadBackend({ notice: (line) => notices.push(line) }).name).toBe('typescript');
    expect(notices).toHaveLength(1);
    expect(notices[0]).not.toContain('\n');
    expect(notices[0]).toMatch(/\/nonexistent\/otpd_native\.node.*TypeScript path/);
  });

  it('uses TypeScript without a notice when OTPD_NO_NATIVE=1, and native for 0 or empty', async () => {
    const { loadBackend, nativeDisabled } = await freshLoader();
    const notices: string[] = [];
    expect(loadBackend({ env: { OTPD_NO_NATIVE: '1' }, notice: (line) => notices.push(line) }).name).toBe('typescript');
    expect(notices).toEqual([]);
    expect(nativeDisabled({ OTPD_NO_NATIVE: '0' })).toBe(false);
    expect(nativeDisabled({ OTPD_NO_NATIVE: '' })).toBe(false);
    expect(nativeDisabled({})).toBe(false);
  });
});
