/**
 * After a write of a user's file failed, that user's counted attempts are staged as synced `.new`
 * files; when that fails too, the refusal's message says why in the durable writer's words (the
 * errno), not the error class's code.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStateDir } from '../../../src/state/index.js';
import { tempDirForFile } from '../../support/temp-dir.js';

const tmp = tempDirForFile('otpd-stage-failure-');

describe('a stage that cannot be written', () => {
  it('refuses the login before verification, naming the reason', async () => {
    const state = await openStateDir(path.join(tmp, 'state'));
    // Something no writer can replace stands where alice's `.new` goes: every write of her file fails.
    mkdirSync(path.join(state.path, 'users', 'alice.json.new', 'x'), { recursive: true });
    const policy = { maxFail: 3, unlockAfterSeconds: 60 };
    await expect(state.recordFailure('alice', 'sshd', state.answerTag('first'), 1000, policy)).rejects.toThrow();
    let verified = false;
    const refusal = await state
      .login(
        'alice',
        () => 1001,
        async (tx) => {
          await tx.countAttempt('sshd', state.answerTag('second'), policy);
          verified = true;
        },
      )
      .then(
        () => undefined,
        (e: unknown) => e as Error,
      );
    expect(verified).toBe(false);
    expect(refusal?.message).toContain("cannot write this user's state (");
    expect(refusal?.message).toContain('the login is refused before its answer is checked');
    expect(refusal?.message).not.toContain('(STORE_ERROR)');
  });
});
