/**
 * The configuration as a command or the daemon runs on it: the file (`--config`, else `$OTPD_CONFIG`,
 * else /etc/otpd/otpd.conf) with the store (`--store`, else `$OTPD_STORE`) and the state directory
 * (`$OTPD_STATE_DIR`) overridden. One place, so otpctl and otpd always agree on which files they use.
 */
import { loadConfig } from './load.js';
import type { OtpdConfig } from './types.js';

/** Paths given on a command line; absent = not given. */
export interface ConfigPaths {
  readonly config?: string | undefined;
  readonly store?: string | undefined;
}

/**
 * @param paths - `--config` and `--store`
 * @param deps - the environment (OTPD_CONFIG, OTPD_STORE, OTPD_STATE_DIR; empty values are ignored)
 * @returns the frozen configuration with the overrides applied
 * @throws ConfigError when the file cannot be read or is invalid
 */
export async function resolveConfig(paths: ConfigPaths, deps: { readonly env: NodeJS.ProcessEnv }): Promise<OtpdConfig> {
  const configPath = paths.config ?? nonEmpty(deps.env.OTPD_CONFIG);
  const config = await loadConfig(configPath);
  const store = paths.store ?? nonEmpty(deps.env.OTPD_STORE) ?? config.store;
  const stateDir = nonEmpty(deps.env.OTPD_STATE_DIR) ?? config.stateDir;
  return Object.freeze({ ...config, store, stateDir });
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
