import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { openStateDir, type StateDir } from '../../../src/state/index.js';
import { tempDirForFile } from '../../support/temp-dir.js';

const tmp = tempDirForFile('otpd-state-challenge-');

let state: StateDir;
let n = 0;
beforeEach(async () => {
  state = await openStateDir(path.join(tmp, `s${n++}`));
});

const CH = 'otp-md5 98 ke1234';

describe('S/KEY pending challenge (RFC 2289 §10)', () => {
  it('one claim at a time: a second is refused until the first is released', async () => {
    const first = await state.claimChallenge('alice', 'default', 'skey', CH, 1000, 120);
    expect(first).toMatchObject({ ok: true, until: 1120 });
    expect(await state.pendingChallenge('alice', 1001)).toMatchObject({ token: 'skey', challenge: CH, until: 1120, issuedAt: 1000 });
    expect(await state.claimChallenge('alice', 'default', 'skey', CH, 1010, 120)).toEqual({ ok: false, until: 1120, reason: 'pending' });
    expect(await state.releaseChallenge('alice')).toBe(true);
    expect(await state.pendingChallenge('alice', 1011)).toBeNull();
    expect((await state.claimChallenge('alice', 'default', 'skey', CH, 1011, 120)).ok).toBe(true);
  });

  it('expires after its time to live', async () => {
    await state.claimChallenge('alice', 'default', 'skey', CH, 1000, 120);
    expect(await state.pendingChallenge('alice', 1119)).not.toBeNull();
    expect(await state.pendingChallenge('alice', 1120)).toBeNull();
    expect(await state.claimChallenge('alice', 'default', 'skey', 'otp-md5 97 ke1234', 1120, 60)).toMatchObject({ ok: true, until: 1180 });
    expect((await state.pendingChallenge('alice', 1121))?.challenge).toBe('otp-md5 97 ke1234');
  });

  it('is per user', async () => {
    expect((await state.claimChallenge('alice', 'default', 'skey', CH, 1000, 120)).ok).toBe(true);
    expect((await state.claimChallenge('bob', 'default', 'skey', CH, 1000, 120)).ok).toBe(true);
    expect(await state.pendingChallenge('carol', 1000)).toBeNull();
  });

  it('a holder releases only its own claim when it names it', async () => {
    const old = await state.claimChallenge('alice', 'default', 'skey', CH, 1000, 10);
    const fresh = await state.claimChallenge('alice', 'default', 'skey', CH, 1010, 120); // the old one expired
    if (!old.ok || !fresh.ok) throw new Error('claims refused');
    expect(await state.releaseChallenge('alice', old.claimId)).toBe(false);
    expect((await state.pendingChallenge('alice', 1011))?.claimId).toBe(fresh.claimId);
    expect(await state.releaseChallenge('alice', fresh.claimId)).toBe(true);
    expect(await state.releaseChallenge('alice')).toBe(false);
  });

  it('refuses a time to live that is not positive', async () => {
    await expect(state.claimChallenge('alice', 'default', 'skey', CH, 1000, 0)).rejects.toThrow(/ttlSeconds/);
    await expect(state.claimChallenge('alice', 'default', 'skey', '', 1000, 10)).rejects.toThrow(/challenge/);
  });
});
