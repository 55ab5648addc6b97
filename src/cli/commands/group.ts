/**
 * `otpctl group add|del|list|show|services`: the service groups of otpd.conf (docs/config.md), edited
 * line by line so the administrator's comments and layout stay (src/admin/config-groups.ts). Deleting a
 * group that tokens are limited to asks first (those tokens then serve no service of it) unless `--yes`.
 */
import { tokenLabel } from '../../store/index.js';
import type { Argv, CommandModule } from 'yargs';
import { addGroupText, deleteGroupText, editConfigFile, setServicesText, validateGroupName, validateServices } from '../../admin/config-groups.js';
import { readForAdmin } from '../../admin/edit-store.js';
import { configFilePath, DEFAULT_GROUP, formatDuration, parseConfig, type OtpdConfig } from '../../config/index.js';
import { InvalidInputError } from '../../errors.js';
import type { CliDeps } from '../deps.js';
import type { GlobalArguments } from '../global-options.js';
import { confirm } from '../interactive.js';
import { ExitCodes, runCommand, type Output } from '../output.js';
import { resolveConfig } from '../../config/index.js';
import { formatTable } from '../table.js';

export interface GroupArguments extends GlobalArguments {
  group: string;
  services: string[];
  yes: boolean;
}

const configPath = (argv: GlobalArguments, deps: CliDeps): string => configFilePath(argv, deps.env);

function describeGroup(config: OtpdConfig, name: string): { group: string; services: string[]; session: Record<string, unknown> | null } {
  const g = config.groups[name];
  if (g === undefined)
    throw new InvalidInputError('group', `${name} is not a group of the configuration (groups: ${Object.keys(config.groups).sort().join(', ')})`);
  const s = g.session;
  const session = s.enabled
    ? { timeout: formatDuration(s.timeoutSeconds), unusedTimeout: formatDuration(s.unusedTimeoutSeconds), maxLogins: s.maxLogins, matchRhost: s.matchRhost }
    : null;
  return { group: name, services: [...g.services], session };
}

async function tokensIn(config: OtpdConfig, group: string): Promise<string[]> {
  const file = await readForAdmin(config.store);
  return file.entries.filter((e) => e.meta.groups.includes(group)).map(tokenLabel);
}

export async function groupList(out: Output, argv: GlobalArguments, deps: CliDeps): Promise<number> {
  const config = await resolveConfig(argv, deps);
  const groups = Object.keys(config.groups)
    .sort()
    .map((name) => describeGroup(config, name));
  const rows = groups.map((g) => [
    g.group,
    g.services.join(',') || (g.group === DEFAULT_GROUP ? '(every other service)' : '(none)'),
    g.session === null ? 'off' : 'on',
  ]);
  await out.result(formatTable(['GROUP', 'SERVICES', 'SESSIONS'], rows), { groups });
  return ExitCodes.OK;
}

export async function groupShow(out: Output, argv: GroupArguments, deps: CliDeps): Promise<number> {
  const config = await resolveConfig(argv, deps);
  const group = describeGroup(config, argv.group);
  const tokens = await tokensIn(config, argv.group);
  const text = [
    `group ${group.group}`,
    `services: ${group.services.join(', ') || (group.group === DEFAULT_GROUP ? '(every service not in another group)' : '(none)')}`,
    `sessions: ${
      group.session === null
        ? 'off'
        : Object.entries(group.session)
            .map(([k, v]) => `${k}=${String(v)}`)
            .join(' ')
    }`,
    `tokens limited to it: ${tokens.join(', ') || '(none)'}`,
  ].join('\n');
  await out.result(text, { ...group, tokens });
  return ExitCodes.OK;
}

/**
 * Sets a group's services in otpd.conf — adding its table (`adding`: the group must not exist yet) or
 * replacing its services (it must exist) — and checks that the result reads back with exactly those.
 */
async function writeGroupServices(file: string, name: string, services: readonly string[], adding: boolean): Promise<void> {
  await editConfigFile(
    file,
    (text) => {
      const exists = name === DEFAULT_GROUP || parseGroupsOf(text, file)[name] !== undefined;
      if (adding && exists) throw new InvalidInputError('group', `${name} already exists; change its services with otpctl group services ${name} …`);
      if (!adding && !exists) throw new InvalidInputError('group', `${name} does not exist; add it with otpctl group add ${name} …`);
      return adding ? addGroupText(text, name, services) : setServicesText(text, name, services);
    },
    (config) => (sameList(config.groups[name]?.services, services) ? undefined : `groups.${name}.services did not read back as written`),
  );
}

export async function groupAdd(out: Output, argv: GroupArguments, deps: CliDeps): Promise<number> {
  const name = validateGroupName(argv.group);
  const services = validateServices(argv.services);
  await writeGroupServices(configPath(argv, deps), name, services, true);
  await out.result(`added group ${name}: ${services.join(', ') || 'no services yet'}`, { group: name, services, added: true });
  return ExitCodes.OK;
}

export async function groupServices(out: Output, argv: GroupArguments, deps: CliDeps): Promise<number> {
  const name = validateGroupName(argv.group);
  const services = validateServices(argv.services);
  await writeGroupServices(configPath(argv, deps), name, services, false);
  await out.result(`group ${name}: ${services.join(', ') || 'no services'}`, { group: name, services });
  return ExitCodes.OK;
}

export async function groupDel(out: Output, argv: GroupArguments, deps: CliDeps): Promise<number> {
  const name = validateGroupName(argv.group);
  if (name === DEFAULT_GROUP) throw new InvalidInputError('group', 'default always exists; it holds every service not named in another group');
  const config = await resolveConfig(argv, deps);
  describeGroup(config, name);
  const tokens = await tokensIn(config, name);
  if (tokens.length > 0) {
    await confirm(
      deps,
      `Group ${name} is used by ${tokens.length} token(s) (${tokens.slice(0, 5).join(', ')}${tokens.length > 5 ? ', …' : ''}); they will serve none of its services. Delete it?`,
      argv.yes,
    );
  }
  await editConfigFile(
    configPath(argv, deps),
    (text) => deleteGroupText(text, name),
    (c) => (c.groups[name] === undefined ? undefined : `groups.${name} is still defined elsewhere in the file`),
  );
  await out.result(`deleted group ${name}${tokens.length > 0 ? `; still named by ${tokens.join(', ')} (see otpctl token groups)` : ''}`, {
    group: name,
    deleted: true,
    tokens,
  });
  return ExitCodes.OK;
}

/** The groups the file defines now (read under the lock, so two edits never both add one). */
function parseGroupsOf(text: string, file: string): OtpdConfig['groups'] {
  return parseConfig(text, file).groups;
}

function sameList(a: readonly string[] | undefined, b: readonly string[]): boolean {
  return a !== undefined && a.length === b.length && a.every((x, i) => x === b[i]);
}

type Handler = (out: Output, argv: GroupArguments, deps: CliDeps) => Promise<number>;

function command(
  deps: CliDeps,
  spec: { command: string; describe: string; examples: Array<[string, string]>; yes?: boolean },
  handler: Handler,
): CommandModule<GlobalArguments, GroupArguments> {
  return {
    command: spec.command,
    describe: spec.describe,
    builder: (yargs: Argv<GlobalArguments>) => {
      let y = yargs
        .positional('group', { type: 'string', describe: 'the group name (letters, digits, _ and -)' })
        .positional('services', { type: 'string', array: true, default: [], describe: 'PAM service names (sshd, su, openvpn, dovecot, …)' });
      if (spec.yes === true) y = y.option('yes', { alias: 'y', type: 'boolean', default: false, describe: 'do not ask, even when tokens use the group' });
      for (const [example, meaning] of spec.examples) y = y.example(example, meaning);
      return y as unknown as Argv<GroupArguments>;
    },
    handler: (argv) => runCommand(deps, argv.json, (out) => handler(out, argv, deps)),
  };
}

export function groupCommands(deps: CliDeps): Array<CommandModule<GlobalArguments, GroupArguments>> {
  return [
    command(
      deps,
      {
        command: 'add <group> [services..]',
        describe: 'add a service group to otpd.conf',
        examples: [['$0 group add mail dovecot postfix', 'a group for the mail services']],
      },
      groupAdd,
    ),
    command(
      deps,
      {
        command: 'del <group>',
        describe: 'delete a service group (asks when tokens use it)',
        yes: true,
        examples: [['$0 group del mail --yes', 'also when tokens are limited to it']],
      },
      groupDel,
    ),
    command(deps, { command: 'list', describe: 'list the service groups', examples: [['$0 group list --json', 'for scripts']] }, (out, argv, d) =>
      groupList(out, argv, d),
    ),
    command(
      deps,
      {
        command: 'show <group>',
        describe: "show a group's services, session settings and tokens",
        examples: [['$0 group show remote', 'services, sessions, tokens limited to it']],
      },
      groupShow,
    ),
    command(
      deps,
      {
        command: 'services <group> [services..]',
        describe: 'set the PAM services of a group',
        examples: [['$0 group services remote sshd openvpn', 'remote is now sshd and openvpn']],
      },
      groupServices,
    ),
  ];
}
