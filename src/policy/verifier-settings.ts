/**
 * The verifiers' settings as the configuration sets them, so the orchestration passes one object
 * (policy reads the configuration; the configuration knows nothing of the verifiers).
 */
import { DEFAULT_HOTP_SETTINGS, DEFAULT_SKEY_SETTINGS, type HotpSettings, type MotpSettings, type SkeySettings, type TotpSettings } from './verify/index.js';
import type { OtpdConfig } from '../config/index.js';

/** Settings for each verifier in src/policy/verify. */
export interface VerifierSettings {
  readonly hotp: HotpSettings;
  readonly totp: TotpSettings;
  readonly motp: MotpSettings;
  readonly skey: SkeySettings;
}

/**
 * Maps `[windows]` onto the verifiers' settings; what the file does not set keeps the verifiers'
 * defaults (HOTP look-behind for reporting replays, S/KEY re-initialisation rules).
 *
 * @param config - a loaded configuration
 * @returns frozen settings
 * @example
 * await verifyHotp(state, answer, context, verifierSettings(config).hotp);
 */
export function verifierSettings(config: OtpdConfig): VerifierSettings {
  const { windows } = config;
  return Object.freeze({
    hotp: Object.freeze({ ...DEFAULT_HOTP_SETTINGS, lookAhead: windows.hotpLookAhead }),
    totp: Object.freeze({ window: windows.totpSteps }),
    motp: Object.freeze({ maxDriftSeconds: windows.motpSeconds }),
    skey: Object.freeze({ ...DEFAULT_SKEY_SETTINGS, warnBelow: windows.skeyWarnBelow }),
  });
}
