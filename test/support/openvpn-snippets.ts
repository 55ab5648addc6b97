/**
 * The OpenVPN lines shipped in packaging/openvpn/server-otpd.conf, read the way the tests use them: the
 * auth-pam `plugin` lines (the active one and the variant shown commented) and the client lines shown
 * as `#client: LINE`. Tests run exactly these words, with only the PAM service name replaced by a
 * throw-away one.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './shared-data.js';

const SERVER_CONF = path.join(repoRoot, 'packaging', 'openvpn', 'server-otpd.conf');

/** The words of one `plugin` line: the plugin's path, the PAM service, then the name/value list. */
export interface PluginLine {
  readonly plugin: string;
  readonly service: string;
  readonly list: readonly string[];
}

/**
 * The `plugin` lines of packaging/openvpn/server-otpd.conf, active or shown commented as a variant
 * (`#   plugin …`), split the way OpenVPN splits them (the quoted string into words).
 */
export function shippedPluginLines(): PluginLine[] {
  const lines = readFileSync(SERVER_CONF, 'utf8').split('\n');
  return lines
    .map((l) => /^(?:#\s+)?plugin\s+(\S+)\s+"([^"]*)"\s*$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => {
      const [service = '', ...list] = (m[2] ?? '').split(/\s+/).filter((w) => w.length > 0);
      return { plugin: m[1] ?? '', service, list };
    });
}

/** The shipped plugin line whose PAM service is SERVICE; throws when there is none. */
export function shippedPluginLine(service: string): PluginLine {
  const found = shippedPluginLines().find((p) => p.service === service);
  if (found === undefined) throw new Error(`${SERVER_CONF}: no plugin line for PAM service ${service}`);
  return found;
}

/** The client lines shown in server-otpd.conf as `#client: LINE`. */
export function shippedClientLines(): string[] {
  return [...readFileSync(SERVER_CONF, 'utf8').matchAll(/^#client: (.+)$/gm)].map((m) => (m[1] ?? '').trim());
}

/** The plugin's words for a test: the same line with the test's PAM service in place of the shipped one. */
export function pluginArgs(line: PluginLine, service: string): string[] {
  return [line.plugin, service, ...line.list];
}
