/**
 * Which client a request comes from and which access group's rules it follows: the rule that maps a
 * request's PAM service onto a client and a group of the configuration. The configuration only lists
 * them; the decision asks here (and so will every later front end).
 */
import { DEFAULT_GROUP, type ClientConfig, type GroupConfig, type OtpdConfig } from '../config/index.js';

/**
 * The group that serves a PAM service: the group its client names or a group listing it, else
 * `default` ({@link DEFAULT_GROUP}).
 *
 * @param config - a loaded configuration
 * @param service - the PAM service name (`sshd`, `su`, …)
 * @returns the group's name, a key of `config.groups`
 */
export function groupOfService(config: OtpdConfig, service: string): string {
  return Object.hasOwn(config.serviceGroups, service) ? (config.serviceGroups[service] as string) : DEFAULT_GROUP;
}

/**
 * The client a PAM service is: its `[clients.NAME]` entry, else an enabled client of the group that
 * lists the service (or of `default`).
 */
export function clientOfService(config: OtpdConfig, service: string): ClientConfig {
  const client = Object.hasOwn(config.clients, service) ? config.clients[service] : undefined;
  return client ?? { name: service, group: groupOfService(config, service), enabled: true };
}

/**
 * The client a PAM service is and the access group whose rules its requests follow.
 *
 * @throws Error for a group the configuration lacks (a parsed configuration never names one)
 */
export function accessOf(config: OtpdConfig, service: string): { readonly client: ClientConfig; readonly group: GroupConfig } {
  const client = clientOfService(config, service);
  const group = Object.hasOwn(config.groups, client.group) ? config.groups[client.group] : undefined;
  if (group === undefined) throw new Error(`internal: client ${client.name} names group ${client.group}, which the configuration lacks`);
  return { client, group };
}

/**
 * The audit line's `client` and `access_group` for a service; none when the configuration cannot say
 * (a refusal by error is still audited).
 */
export function accessFields(config: OtpdConfig, service: string): { client?: string; accessGroup?: string } {
  try {
    const { client, group } = accessOf(config, service);
    return { client: client.name, accessGroup: group.name };
  } catch {
    return {};
  }
}
