/**
 * Which group's rules a login follows: the rule that maps a request's PAM service onto a group of the
 * configuration. The configuration only lists the groups; the decision asks here (and the clients of
 * the access model will decide it here for every front end).
 */
import { DEFAULT_GROUP, type OtpdConfig } from '../config/index.js';

/**
 * The group that serves a PAM service: the group listing it, else `default` ({@link DEFAULT_GROUP}).
 *
 * @param config - a loaded configuration
 * @param service - the PAM service name (`sshd`, `su`, …)
 * @returns the group's name, a key of `config.groups`
 */
export function groupOfService(config: OtpdConfig, service: string): string {
  return Object.hasOwn(config.serviceGroups, service) ? (config.serviceGroups[service] as string) : DEFAULT_GROUP;
}
