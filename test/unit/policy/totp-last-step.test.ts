/**
 * A TOTP code used once must stay used when the server's clock goes back by more than the window
 * (a VM restored from a snapshot, a clock stepped by hand): otpd keeps the last accepted step on the
 * token's metadata line. Without that line (a pam_oath line) only LASTOTP protects, as in pam_oath.
 */
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/index.js';
import { typescriptBackend } from '../../../src/otp-backend/typescript-backend.js';
import { authenticate } from '../../../src/policy/authenticate.js';
import type { PolicyPorts } from '../../../src/policy/ports.js';
import { fileTokenStore } from '../../../src/store/index.js';
import { openStateDir } from '../../../src/state/index.js';
import { DEFAULT_TOTP_OPTIONS, totpCode } from '../../../src/tokens/totp.js';
import { tempDirForTest } from '../../support/temp-dir.js';

const KEY_HEX = '3132333435363738393031323334353637383930';
const KEY = Uint8Array.from(Buffer.from(KEY_HEX, 'hex'));
const T = 1_700_000_010; // the middle of a 30-second step

async function setUp(store: string): Promise<{ ports: PolicyPorts; clock: { now: number }; file: string }> {
  const dir = tempDirForTest('otpd-laststep-');
  const file = path.join(dir, 'users.oath');
  writeFileSync(file, store);
  chmodSync(file, 0o600);
  const config = parseConfig(`store = "${file}"\nstate_dir = "${path.join(dir, 'state')}"\naudit_log = "stderr"\n`, 'test.conf');
  const state = await openStateDir(config.stateDir);
  const clock = { now: T };
  return {
    ports: {
      config,
      store: fileTokenStore(config.store),
      state,
      backend: typescriptBackend,
      now: () => clock.now,
      audit: () => undefined,
      explain: () => undefined,
    },
    clock,
    file,
  };
}

const code = (unixSeconds: number): string => totpCode(KEY, unixSeconds, DEFAULT_TOTP_OPTIONS);
const login = (ports: PolicyPorts, answer: string) => authenticate({ user: 'alice', service: 'sshd', answer, challengeClaim: null }, ports);

describe('TOTP after the server clock went back', () => {
  it('refuses a code used before, once a later code moved LASTOTP on (the token has a metadata line)', async () => {
    const { ports, clock, file } = await setUp(`#OTPD/META\talice\tname=phone\tenabled=yes\nHOTP/T30\talice\t-\t${KEY_HEX}\n`);
    expect((await login(ports, code(T))).code).toBe('AUTH_OK_OTP');
    clock.now = T + 600;
    expect((await login(ports, code(T + 600))).code).toBe('AUTH_OK_OTP');
    expect(readFileSync(file, 'latin1')).toContain(`\tlaststep=${Math.floor((T + 600) / 30)}\n`);
    clock.now = T; // stepped back ten minutes: step(T) is inside the window again, LASTOTP is another code
    expect((await login(ports, code(T))).code).toBe('AUTH_OTP_ALREADY_USED');
    expect((await login(ports, code(T + 30))).code).toBe('AUTH_OTP_ALREADY_USED');
  });

  it('without a metadata line only LASTOTP protects, as in pam_oath (the documented limit)', async () => {
    const { ports, clock } = await setUp(`HOTP/T30\talice\t-\t${KEY_HEX}\n`);
    expect((await login(ports, code(T))).code).toBe('AUTH_OK_OTP');
    clock.now = T + 600;
    expect((await login(ports, code(T + 600))).code).toBe('AUTH_OK_OTP');
    clock.now = T;
    expect((await login(ports, code(T))).code).toBe('AUTH_OK_OTP');
  });
});
