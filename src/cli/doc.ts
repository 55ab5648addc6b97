/**
 * docs/otpctl.md, generated from the same yargs definitions otpctl runs with: the help of every command
 * (found by walking the "Commands:" sections from the top), so the manual cannot drift from the
 * program. `scripts/gen-otpctl-doc.mjs` writes it after a build; a unit test fails when the file in
 * the repository differs from what this renders.
 */
import { Writable } from 'node:stream';
import { createCli } from './cli.js';
import type { CliDeps } from './deps.js';

/** Help is rendered at this width, whatever the terminal, so the document is reproducible. */
const WIDTH = 100;

/** Commands whose help is not a help page (the completion script is printed instead). */
const NOT_WALKED = new Set(['completion']);

const silent = (): NodeJS.WritableStream => new Writable({ write: (_chunk, _encoding, done) => done() });

/** Dependencies that are never used: rendering help runs no command. */
function inertDeps(): CliDeps {
  return {
    stdout: silent(),
    stderr: silent(),
    env: {},
    now: () => 0,
    readSecret: () => Promise.reject(new Error('no input while rendering help')),
    backend: () => {
      throw new Error('no backend while rendering help');
    },
  };
}

/** The help text of `otpctl PATH… --help`. */
export async function helpOf(path: readonly string[]): Promise<string> {
  const cli = createCli(inertDeps()).wrap(WIDTH).exitProcess(false);
  let text = '';
  await cli.parseAsync([...path, '--help'], {}, (_error, _argv, output) => {
    text = output;
  });
  return text.trimEnd();
}

/** The subcommand names listed in a help text's "Commands:" section for `path`. */
function subcommands(help: string, path: readonly string[]): string[] {
  const start = help.indexOf('Commands:\n');
  const section = start < 0 ? '' : (help.slice(start).split('\n\n')[0] ?? '');
  const prefix = ['otpctl', ...path].join(' ');
  const names: string[] = [];
  for (const line of section.split('\n')) {
    const rest = line.trim().startsWith(`${prefix} `) ? line.trim().slice(prefix.length + 1) : undefined;
    const name = rest?.split(/\s+/)[0];
    if (name !== undefined && /^[a-z][a-z-]*$/.test(name) && !names.includes(name)) names.push(name);
  }
  return names;
}

/** Every command path, depth first, in the order the help lists them. */
export async function commandPaths(path: readonly string[] = []): Promise<string[][]> {
  const help = await helpOf(path);
  const paths: string[][] = [[...path]];
  for (const name of subcommands(help, path)) {
    if (NOT_WALKED.has(name)) paths.push([...path, name]);
    else paths.push(...(await commandPaths([...path, name])));
  }
  return paths;
}

/** @returns the whole of docs/otpctl.md */
export async function renderOtpctlDoc(): Promise<string> {
  const parts = [
    '# otpctl',
    '',
    '<!-- Generated from the yargs definitions in src/cli/ by scripts/gen-otpctl-doc.mjs (after `npm run build:ts`).',
    '     Do not edit: change the command definitions and run the script; test/unit/cli/doc.test.ts checks it. -->',
    '',
    'otpctl administers otpd: users and their tokens in the users.oath store (docs/store.md), service',
    'groups in otpd.conf (docs/config.md), lock-outs and sessions in the state directory (docs/state.md);',
    'it also generates, converts and checks codes. Every change goes through the same lock and durable',
    'replace as a login, so it is safe while otpd and pam_oath run. Errors are one line on stderr and',
    'exit code 2 (1: Reject or no match); `--json` prints one JSON document for scripts.',
    '',
    'Shell completion: `otpctl completion >> ~/.bashrc` (bash; zsh with bashcompinit).',
    '',
    '## How the administrative commands behave',
    '',
    '- **Users.** A user exists once the store has a token line or a `#OTPD/USER` line for them',
    '  (`user add`); `token add` refuses an unknown user, so a typo does not create one. `user del` and',
    '  `token del` ask first at a terminal and need `--yes` without one.',
    '- **Tokens** are addressed `USER/NAME`; a line written without a name by hand or by another tool is',
    '  `USER/TYPE@LINE`, as `token list` shows it. OATH tokens are pam_oath lines (HMAC-SHA1, 6-8 digits,',
    '  30- or 60-second steps, hex key): oathtool and pam_oath read them. The `otpauth://` URI and QR code',
    '  carry the secret: they are printed once, `--qr-png` writes a new file with mode 0600.',
    '- **S/KEY** as opiepasswd: the password for sequence N (`--seq`, default 499) comes from the pass',
    '  phrase typed twice without echo (the first line of standard input from a pipe) or from',
    '  `--response`; the first challenge is N-1. Adding an S/KEY token under an existing name',
    '  re-initialises it and needs a new seed. `otpctl gen skey "otp-md5 498 SEED" -n 20` prints a',
    '  paper list.',
    '- **Backup codes** are printed once and stored hashed (docs/store.md); each is accepted once.',
    '- **Secrets on the command line** (`--key`, `--secret`, `--response`, `--pin`, and KEY, SECRET and PIN',
    '  of `gen`) can be read by other local users in /proc while otpctl runs. Give `-` instead, as oathtool',
    '  takes a KEY of `-`: the value is then read from standard input (without echo at a terminal, the first',
    '  line from a pipe), one value per command. Or let otpctl generate the key or prompt.',
    '- **resync** takes two consecutive codes: HOTP stores the counter of the second, TOTP stores the',
    "  token's clock skew (`#OTPD/META skew=`), used by otpd and `otpctl verify` (not by pam_oath).",
    '- **Lock-outs**: `user lock` locks every service group, also groups added later (or one, with',
    '  `--group`), until `user unlock`, which also clears failure counts. Unlocking one group of a user',
    '  locked for every group keeps each other group configured now locked.',
    '- **Audit**: every change to users, tokens and lock-outs writes one line to the audit log',
    '  (ADMIN_USER_ADD/DEL, ADMIN_TOKEN_ADD/DEL/CHANGE, ADMIN_LOCK/UNLOCK; docs/audit.md), never a secret.',
    '- **Groups** live in otpd.conf; `group` edits it line by line, keeping comments (docs/config.md).',
    '  otpd notices the change within 2 s and reloads; store changes take effect at the next login.',
  ];
  for (const path of await commandPaths()) {
    if (NOT_WALKED.has(path[path.length - 1] ?? '')) continue;
    parts.push('', `## otpctl${path.length > 0 ? ` ${path.join(' ')}` : ''}`, '', '```', await helpOf(path), '```');
  }
  return `${parts.join('\n')}\n`;
}
