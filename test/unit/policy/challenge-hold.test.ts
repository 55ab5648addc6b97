/**
 * RFC 2289 §10: a login that does not hold the pending S/KEY challenge must not release it; the login
 * that holds it releases exactly its own claim.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/index.js';
import { typescriptBackend } from '../../../src/otp-backend/typescript-backend.js';
import { authenticate } from '../../../src/policy/authenticate.js';
import { issueChallenge } from '../../../src/policy/challenge.js';
import type { PolicyPorts } from '../../../src/policy/ports.js';
import { fileTokenStore } from '../../../src/store/index.js';
import { openStateDir, type StateDir } from '../../../src/state/index.js';
import { tempDirForTest } from '../../support/temp-dir.js';

async function ports(): Promise<PolicyPorts & { state: StateDir }> {
  const dir = tempDirForTest('otpd-hold-');
  const store = path.join(dir, 'users.oath');
  writeFileSync(store, 'OTPD/SKEY\terin\t-\tmd5\t99\tke1234\t0123456789abcdef\n');
  chmodSync(store, 0o600);
  const config = parseConfig(`store = "${store}"\nstate_dir = "${path.join(dir, 'state')}"\naudit_log = "stderr"\n`, 'test.conf');
  const state = await openStateDir(config.stateDir);
  return {
    config,
    store: fileTokenStore(config.store),
    state,
    backend: typescriptBackend,
    now: () => 1_700_000_000,
    audit: () => undefined,
    explain: () => undefined,
  };
}

describe('pending S/KEY challenge hold', () => {
  it('survives a wrong answer from a login that holds no claim, and ends with its holder', async () => {
    const p = await ports();
    const first = await issueChallenge('erin', 'sshd', p);
    if (!first.issued) throw new Error(`no challenge: ${first.reason}`);
    const other = await authenticate({ user: 'erin', service: 'sshd', answer: 'NOT A RESPONSE', challengeClaim: null }, p);
    expect(other.accepted).toBe(false);
    expect(await p.state.pendingChallenge('erin', p.now())).toMatchObject({ claimId: first.claimId });
    expect(await issueChallenge('erin', 'sshd', p)).toMatchObject({ issued: false, reason: 'pending' });

    await authenticate({ user: 'erin', service: 'sshd', answer: 'NOT A RESPONSE', challengeClaim: first.claimId }, p);
    expect(await p.state.pendingChallenge('erin', p.now())).toBeNull();
  });
});
