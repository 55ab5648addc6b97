/** The configuration's fixed names and the bounds of its numeric settings. */
import { MAX_MOTP_DRIFT_SECONDS, MAX_WINDOW } from '../bounds.js';

/** The name of the group that holds every service not listed in another group. */
export const DEFAULT_GROUP = 'default';

/** Bounds of the numeric settings. Frozen. */
export const CONFIG_LIMITS = Object.freeze({
  hotpLookAhead: MAX_WINDOW,
  totpSteps: MAX_WINDOW,
  motpSeconds: MAX_MOTP_DRIFT_SECONDS,
  /** S/KEY sequences rarely exceed 9999 (OPIE's limit). */
  skeyWarnBelow: 9999,
  maxFail: 1000,
  maxLogins: 1_000_000,
  /** Largest configuration file read, in bytes. */
  fileBytes: 1024 * 1024,
} as const);
