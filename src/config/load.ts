/**
 * Reads the configuration file defensively: no symlinks, a regular file under a size cap, and — when
 * otpd runs as root — owned by root and writable by nobody else, since whoever can write it can widen
 * every window and turn lock-out off.
 */
import { constants } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ConfigError, ConfigErrorReasons } from './errors.js';
import { CONFIG_LIMITS } from './limits.js';
import { DEFAULT_CONFIG, parseConfig } from './parse.js';
import type { OtpdConfig } from './types.js';

/** Where otpd looks when no file is named. */
export const DEFAULT_CONFIG_PATH = '/etc/otpd/otpd.conf';

/**
 * Loads and checks a configuration file.
 *
 * - No `path`: {@link DEFAULT_CONFIG_PATH}; if that file does not exist, every default applies.
 * - A `path` given explicitly must exist. A relative path is resolved against the working directory.
 * - The file must be a regular file (a symbolic link is refused), at most 1 MiB. When the process runs
 *   as root it must be owned by root and not group- or world-writable.
 *
 * @param path - the file; {@link DEFAULT_CONFIG_PATH} when omitted
 * @returns the deep-frozen configuration
 * @throws ConfigError with reason `io` (missing explicit file, unreadable), `insecure` (owner, mode,
 *   type) or, from {@link parseConfig}, `syntax` or `schema`
 * @example
 * const config = await loadConfig(process.env.OTPD_CONFIG);
 */
export async function loadConfig(path?: string): Promise<OtpdConfig> {
  const explicit = path !== undefined;
  const file = path ?? DEFAULT_CONFIG_PATH;
  let handle: FileHandle;
  try {
    handle = await open(resolve(file), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !explicit) return DEFAULT_CONFIG;
    if (code === 'ELOOP') {
      throw new ConfigError(ConfigErrorReasons.INSECURE, file, 'is a symbolic link; name the real file instead', {}, { cause: error });
    }
    const why = code === 'ENOENT' ? 'no such file' : ((error as Error).message ?? String(error));
    throw new ConfigError(ConfigErrorReasons.IO, file, `cannot open: ${why}`, {}, { cause: error });
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new ConfigError(ConfigErrorReasons.INSECURE, file, 'is not a regular file');
    if (stat.size > CONFIG_LIMITS.fileBytes) {
      throw new ConfigError(ConfigErrorReasons.INSECURE, file, `is ${stat.size} bytes; a configuration file is at most ${CONFIG_LIMITS.fileBytes}`);
    }
    if (process.getuid?.() === 0) {
      if (stat.uid !== 0) {
        throw new ConfigError(ConfigErrorReasons.INSECURE, file, `is owned by uid ${stat.uid}, not root; fix with: chown root:root ${file}`);
      }
      if ((stat.mode & 0o022) !== 0) {
        const mode = (stat.mode & 0o777).toString(8).padStart(4, '0');
        throw new ConfigError(ConfigErrorReasons.INSECURE, file, `is writable by group or others (mode ${mode}); fix with: chmod go-w ${file}`);
      }
    }
    const buffer = await handle.readFile();
    if (buffer.length > CONFIG_LIMITS.fileBytes) {
      throw new ConfigError(ConfigErrorReasons.INSECURE, file, `grew beyond ${CONFIG_LIMITS.fileBytes} bytes while being read`);
    }
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(buffer);
    } catch (error) {
      throw new ConfigError(ConfigErrorReasons.SYNTAX, file, 'is not valid UTF-8', {}, { cause: error });
    }
    return parseConfig(text, file);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(ConfigErrorReasons.IO, file, `cannot read: ${(error as Error).message}`, {}, { cause: error });
  } finally {
    await handle.close();
  }
}
