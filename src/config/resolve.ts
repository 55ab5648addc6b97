/**
 * The configuration as a command or the daemon runs on it: the file (`--config`, else `$OTPD_CONFIG`,
 * else /etc/otpd/otpd.conf) with the store (`--store`, else `$OTPD_STORE`) and the state directory
 * (`$OTPD_STATE_DIR`) overridden. One place, so otpctl and otpd always agree on which files they use.
 */
import { DEFAULT_CONFIG_PATH, loadConfig } from './load.js';
import type { OtpdConfig } from './types.js';

/** Paths given on a command line; absent = not given. */
export interface ConfigPaths {
  readonly config?: string | undefined;
  readonly store?: string | undefined;
}

/**
 * The configuration file a command or the daemon uses: `--config`, else `$OTPD_CONFIG`, else
 * /etc/otpd/otpd.conf.
 *
 * @param paths - `--config`
 * @param env - the environment
 */
export function configFilePath(paths: Pick<ConfigPaths, 'config'>, env: NodeJS.ProcessEnv): string {
  return paths.config ?? nonEmpty(env.OTPD_CONFIG) ?? DEFAULT_CONFIG_PATH;
}

/**
 * @param paths - `--config` and `--store`
 * @param deps - the environment (OTPD_CONFIG, OTPD_STORE, OTPD_STATE_DIR; empty values are ignored)
 * @returns the frozen configuration with the overrides applied
 * @throws ConfigError when the file cannot be read or is invalid
 */
export async function resolveConfig(paths: ConfigPaths, deps: { readonly env: NodeJS.ProcessEnv }): Promise<OtpdConfig> {
  const explicit = paths.config ?? nonEmpty(deps.env.OTPD_CONFIG);
  // A missing default file means every default; a missing file named explicitly is an error (load.ts).
  const config = await loadConfig(explicit === undefined ? undefined : configFilePath(paths, deps.env));
  const store = paths.store ?? nonEmpty(deps.env.OTPD_STORE) ?? config.store;
  const stateDir = nonEmpty(deps.env.OTPD_STATE_DIR) ?? config.stateDir;
  return Object.freeze({ ...config, store, stateDir });
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
