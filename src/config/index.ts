/**
 * The configuration file (`/etc/otpd/otpd.conf`, TOML): windows, lock-out, clients, access
 * groups and sessions. See docs/config.md for every key and its default.
 */
export { ConfigError, ConfigErrorReasons, type ConfigErrorReason } from './errors.js';
export { formatDuration, MAX_DURATION_SECONDS, parseDuration } from './duration.js';
export { DEFAULT_CONFIG, parseConfig } from './parse.js';
export { CONFIG_LIMITS, DEFAULT_GROUP } from './limits.js';
export { DEFAULT_CONFIG_PATH, loadConfig } from './load.js';
export { configFilePath, resolveConfig, type ConfigPaths } from './resolve.js';
export type { ClientConfig, GroupConfig, LockoutConfig, OtpdConfig, SessionConfig, WindowsConfig } from './types.js';
