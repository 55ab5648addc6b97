/**
 * Builds and runs test/openvpn-harness/auth_pam_harness.c, which loads OpenVPN's auth-pam plugin the
 * way OpenVPN 2.6 does and asks it to verify one username/password (see the C file for its contract).
 */
import path from 'node:path';
import { run } from './run.js';
import { repoRoot } from './shared-data.js';

const HARNESS_SOURCE = path.join(repoRoot, 'test', 'openvpn-harness', 'auth_pam_harness.c');
/** Debian's openvpn package ships the plugin header here. */
const PLUGIN_INCLUDE = '/usr/include/openvpn';

/** The harness built from test/openvpn-harness/auth_pam_harness.c into DIR with cc. */
export interface Harness {
  /** Asks the plugin (loaded with PLUGINWORDS) to verify USERNAME/PASSWORD as OpenVPN would. */
  verify(pluginWords: readonly string[], username: string, password: string): HarnessResult;
}

export interface HarnessResult {
  readonly status: number | null;
  /** The harness's verdict line: SUCCESS, AUTH_FAILED, or ERROR … */
  readonly verdict: string;
  readonly stderr: string;
}

/**
 * Compiles the harness (cc, strict warnings, against Debian's /usr/include/openvpn/openvpn-plugin.h).
 * @throws when the header is missing (apt-get install openvpn) or the build fails
 */
export function buildHarness(dir: string): Harness {
  const out = path.join(dir, 'auth_pam_harness');
  const cc = run('cc', ['-std=c11', '-D_GNU_SOURCE', '-Wall', '-Wextra', '-Werror', '-O2', `-I${PLUGIN_INCLUDE}`, '-o', out, HARNESS_SOURCE, '-ldl']);
  if (cc.status !== 0)
    throw new Error(`cannot build the OpenVPN plugin harness (needs ${PLUGIN_INCLUDE}/openvpn-plugin.h from the openvpn package):\n${cc.stderr}`);
  return {
    verify(pluginWords, username, password) {
      const r = run(out, [...pluginWords], { input: `${username}\n${password}\n`, env: { ...process.env, HARNESS_VERB: '4' }, timeoutMs: 30_000 });
      const verdict = /HARNESS: (.*)\n?$/.exec(r.stdout)?.[1] ?? '';
      return { status: r.status, verdict, stderr: r.stderr };
    },
  };
}
