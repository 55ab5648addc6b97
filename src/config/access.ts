/**
 * The access model of the configuration: access groups (`[groups.NAME]`), the hierarchy their
 * `child_groups` form, and the clients (`[clients.NAME]`) that name one group each. Every request
 * comes from a client; a PAM service is a client by its name, and a service that no client and no
 * group names belongs to `default`. A group's `services = [...]` list is the older spelling of
 * clients that only name a group: `[groups.mail] services = ["dovecot"]` says what
 * `[clients.dovecot] group = "mail"` says (docs/config.md, "Clients and access groups").
 */
import { CONFIG_LIMITS, DEFAULT_GROUP } from './limits.js';
import type { Reader } from './reader.js';
import type { ClientConfig, GroupConfig, LockoutConfig, OtpdConfig, SessionConfig } from './types.js';

const DEFAULT_SESSION: SessionConfig = Object.freeze({
  enabled: false,
  timeoutSeconds: 8 * 3600,
  unusedTimeoutSeconds: 30 * 60,
  maxLogins: 0,
  matchRhost: true,
});

/** Group names: what a bare TOML key allows, at most 64 characters. */
const GROUP_NAME = /^[A-Za-z0-9_-]{1,64}$/;
/** PAM service names are file names in /etc/pam.d; a client's name has the same form. */
const CLIENT_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.+-]{0,63}$/;

/** A group as read, before the hierarchy is known. */
interface GroupDraft {
  readonly name: string;
  readonly services: readonly string[];
  readonly childGroups: readonly string[];
  readonly lockout: LockoutConfig;
  readonly session: SessionConfig;
}

/**
 * Reads `[groups]` and `[clients]`.
 *
 * @param lockout - the global `[lockout]`, each group's default
 * @throws ConfigError naming the file, line and key: a bad name, an unknown or cyclic child group, a
 *   client or service in two groups, a client of a group that does not exist
 */
export function buildAccess(
  groupsTable: Record<string, unknown>,
  clientsTable: Record<string, unknown>,
  lockout: LockoutConfig,
  read: Reader,
): Pick<OtpdConfig, 'groups' | 'clients' | 'serviceGroups'> {
  const drafts = new Map<string, GroupDraft>();
  const names = Object.keys(groupsTable);
  if (!names.includes(DEFAULT_GROUP)) names.push(DEFAULT_GROUP);
  for (const name of names) drafts.set(name, readGroup(groupsTable, name, lockout, read));
  const parents = checkHierarchy(drafts, read);
  const serviceGroups = servicesOf(drafts, read);
  const clients = readClients(clientsTable, drafts, serviceGroups, read);

  const groups: Record<string, GroupConfig> = Object.create(null) as Record<string, GroupConfig>;
  for (const draft of drafts.values()) {
    groups[draft.name] = Object.freeze({ ...draft, inheritsFrom: Object.freeze(ancestorsOf(draft.name, parents)) });
  }
  return { groups: Object.freeze(groups), clients, serviceGroups };
}

function readGroup(table: Record<string, unknown>, name: string, lockout: LockoutConfig, read: Reader): GroupDraft {
  const path = ['groups', name];
  if (!GROUP_NAME.test(name)) throw read.fail(path, 'a group name is 1 to 64 letters, digits, "_" or "-"');
  const group = read.table(table, ['groups'], name);
  read.keys(group, path, ['services', 'child_groups', 'max_fail', 'unlock_after', 'session']);
  const services = read.stringArray(group, path, 'services');
  services.forEach((service, index) => {
    if (!CLIENT_NAME.test(service)) throw read.fail([...path, 'services'], `item ${index + 1}: ${JSON.stringify(service)} is not a PAM service name`);
  });
  const childGroups = [...new Set(read.stringArray(group, path, 'child_groups'))];
  return Object.freeze({
    name,
    services: Object.freeze(services),
    childGroups: Object.freeze(childGroups),
    lockout: Object.freeze({
      maxFail: read.integer(group, path, 'max_fail', lockout.maxFail, 0, CONFIG_LIMITS.maxFail),
      unlockAfterSeconds: read.duration(group, path, 'unlock_after', lockout.unlockAfterSeconds),
    }),
    session: readSession(group, [...path, 'session'], read),
  });
}

function readSession(group: Record<string, unknown>, path: string[], read: Reader): SessionConfig {
  const parent = path.slice(0, -1);
  if (!Object.hasOwn(group, 'session')) return DEFAULT_SESSION;
  const table = read.table(group, parent, 'session');
  read.keys(table, path, ['enabled', 'timeout', 'unused_timeout', 'max_logins', 'match_rhost']);
  const timeoutSeconds = read.duration(table, path, 'timeout', DEFAULT_SESSION.timeoutSeconds);
  if (timeoutSeconds === 0) throw read.fail([...path, 'timeout'], 'must be longer than 0 (to turn sessions off, set enabled = false)');
  return Object.freeze({
    enabled: read.boolean(table, path, 'enabled', DEFAULT_SESSION.enabled),
    timeoutSeconds,
    unusedTimeoutSeconds: read.duration(table, path, 'unused_timeout', DEFAULT_SESSION.unusedTimeoutSeconds),
    maxLogins: read.integer(table, path, 'max_logins', DEFAULT_SESSION.maxLogins, 0, CONFIG_LIMITS.maxLogins),
    matchRhost: read.boolean(table, path, 'match_rhost', DEFAULT_SESSION.matchRhost),
  });
}

/**
 * Every child group must exist and the hierarchy must have no cycle (a group may have several
 * parents). A cycle is reported at the `child_groups` of the group that closes it.
 *
 * @returns each group's direct parents
 */
function checkHierarchy(drafts: ReadonlyMap<string, GroupDraft>, read: Reader): Map<string, string[]> {
  const parents = new Map<string, string[]>();
  for (const draft of drafts.values()) {
    draft.childGroups.forEach((child, index) => {
      if (!drafts.has(child)) {
        throw read.fail(['groups', draft.name, 'child_groups'], `item ${index + 1}: group ${JSON.stringify(child)} does not exist`);
      }
      parents.set(child, [...(parents.get(child) ?? []), draft.name]);
    });
  }
  const done = new Set<string>();
  const visit = (name: string, trail: string[]): void => {
    if (done.has(name)) return;
    const at = trail.indexOf(name);
    if (at >= 0) {
      const cycle = [...trail.slice(at), name];
      throw read.fail(['groups', trail[trail.length - 1] ?? name, 'child_groups'], `child groups form a cycle: ${cycle.join(' → ')}`);
    }
    for (const child of drafts.get(name)?.childGroups ?? []) visit(child, [...trail, name]);
    done.add(name);
  };
  for (const name of drafts.keys()) visit(name, []);
  return parents;
}

/** The group and every group above it, nearest first: whose tokens are accepted at this group. */
function ancestorsOf(name: string, parents: ReadonlyMap<string, readonly string[]>): string[] {
  const found = [name];
  for (let i = 0; i < found.length; i++) {
    for (const parent of parents.get(found[i] as string) ?? []) if (!found.includes(parent)) found.push(parent);
  }
  return found;
}

/** The services the groups list, each mapped to its one group. */
function servicesOf(drafts: ReadonlyMap<string, GroupDraft>, read: Reader): Record<string, string> {
  const serviceGroups: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const draft of drafts.values()) {
    for (const service of draft.services) {
      const other = Object.hasOwn(serviceGroups, service) ? serviceGroups[service] : undefined;
      if (other !== undefined) {
        throw read.fail(
          ['groups', draft.name, 'services'],
          `service ${JSON.stringify(service)} is already in group ${JSON.stringify(other)}; a service belongs to one group`,
        );
      }
      serviceGroups[service] = draft.name;
    }
  }
  return serviceGroups;
}

/**
 * Reads the clients and adds each to `serviceGroups` (a PAM service is the client of its name).
 * Frozen on return, with `serviceGroups`.
 */
function readClients(
  table: Record<string, unknown>,
  drafts: ReadonlyMap<string, GroupDraft>,
  serviceGroups: Record<string, string>,
  read: Reader,
): Readonly<Record<string, ClientConfig>> {
  const clients: Record<string, ClientConfig> = Object.create(null) as Record<string, ClientConfig>;
  for (const name of Object.keys(table)) {
    const path = ['clients', name];
    if (!CLIENT_NAME.test(name)) throw read.fail(path, 'a client name is 1 to 64 letters, digits, "_", ".", "+" or "-" (a PAM service name)');
    const client = read.table(table, ['clients'], name);
    read.keys(client, path, ['group', 'enabled']);
    if (!Object.hasOwn(client, 'group')) throw read.fail(path, 'a client needs group = "NAME", the access group its requests belong to');
    const group = read.string(client, path, 'group', DEFAULT_GROUP);
    if (!drafts.has(group)) throw read.fail([...path, 'group'], `group ${JSON.stringify(group)} does not exist; add [groups.${group}] or name another`);
    const listed = Object.hasOwn(serviceGroups, name) ? serviceGroups[name] : undefined;
    if (listed !== undefined && listed !== group) {
      throw read.fail(
        [...path, 'group'],
        `client ${JSON.stringify(name)} is in group ${JSON.stringify(group)} but groups.${listed}.services lists it; a client belongs to one group`,
      );
    }
    serviceGroups[name] = group;
    clients[name] = Object.freeze({ name, group, enabled: read.boolean(client, path, 'enabled', true) });
  }
  Object.freeze(serviceGroups);
  return Object.freeze(clients);
}
