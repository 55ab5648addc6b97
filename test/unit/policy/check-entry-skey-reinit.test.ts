/**
 * checkEntry decides S/KEY remote re-initialisation (RFC 2243 `init-hex:`/`init-word:`) per token from
 * its `#OTPD/META reinit=` key: off unless the token opts in, so a won race cannot re-key a token to
 * a chain an attacker chose. A refused one still burns the disclosed current response.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../src/config/index.js';
import { verifierSettings } from '../../../src/policy/verifier-settings.js';
import { typescriptBackend } from '../../../src/otp-backend/typescript-backend.js';
import { checkEntry } from '../../../src/policy/check-entry.js';
import { parseUsersFile, type SkeyEntry } from '../../../src/store/index.js';
import { skeyChain } from '../../../src/tokens/skey/chain.js';
import { skeySecret } from '../../../src/tokens/skey/secret.js';

const PASS = 'This is a test.';
const NOW = 1_700_000_000;
const settings = verifierSettings(DEFAULT_CONFIG);
const hex = (value: Uint8Array): string => Buffer.from(value).toString('hex');
// RFC 2243's example: challenge "otp-md5 499 ke1234 ext", so the line holds OTP(500) with sequence 499.
const LAST = hex(skeyChain('md5', skeySecret('ke1234', PASS), 500));
const INIT_HEX = 'init-hex:5bf075d9959d036f:md5 499 ke1235:3712dcb4aa5316c1';
const INIT_WORD = 'init-word:BOND FOGY DRAB NE RISE MART:md5 499 ke1235:RED HERD NOW BEAN PA BURG';

function entry(meta: string | undefined): SkeyEntry {
  const text = `${meta === undefined ? '' : `#OTPD/META\talice\t${meta}\n`}OTPD/SKEY\talice\t-\tmd5\t499\tke1234\t${LAST}\n`;
  const file = parseUsersFile(Buffer.from(text, 'latin1'), '/etc/users.oath');
  expect(file.errors).toEqual([]);
  const [found] = file.entries;
  if (found?.kind !== 'skey') throw new Error('no S/KEY entry');
  return found;
}

describe('S/KEY remote re-initialisation in checkEntry', () => {
  it('the configuration leaves it off: the decision is the token’s', () => {
    expect(settings.skey.reinit).toBe(false);
  });

  it('without reinit=yes: bad-reinit with a note naming the command, and the current response burnt', async () => {
    for (const [meta, label] of [
      [undefined, 'alice/OTPD/SKEY@1'],
      ['name=paper', 'alice/paper'],
      ['name=paper\treinit=no', 'alice/paper'],
    ] as const) {
      for (const answer of [INIT_HEX, INIT_WORD]) {
        const r = await checkEntry(entry(meta), answer, typescriptBackend, NOW, settings);
        expect(r, `${String(meta)} ${answer}`).toMatchObject({
          ok: false,
          reason: 'bad-reinit',
          note: `remote re-initialisation is off for this token (otpctl token change ${label} --allow-reinit)`,
          state: { kind: 'skey', sequence: 498, algorithm: 'md5', seed: 'ke1234' },
        });
        if (r.ok || r.state?.kind !== 'skey') throw new Error('no state to persist');
        expect(hex(r.state.last)).toBe('5bf075d9959d036f');
      }
    }
  });

  it('with reinit=yes: re-initialises as before', async () => {
    for (const answer of [INIT_HEX, INIT_WORD]) {
      const r = await checkEntry(entry('name=paper\treinit=yes'), answer, typescriptBackend, NOW, settings);
      expect(r).toMatchObject({ ok: true, reinitialised: true, state: { kind: 'skey', sequence: 498, algorithm: 'md5', seed: 'ke1235' } });
      if (!r.ok || r.state?.kind !== 'skey') throw new Error('not re-initialised');
      expect(hex(r.state.last)).toBe('3712dcb4aa5316c1');
    }
    // The other refusals keep their own reasons when it is on.
    const same = await checkEntry(entry('reinit=yes'), 'init-hex:5bf075d9959d036f:md5 499 KE1234:3712dcb4aa5316c1', typescriptBackend, NOW, settings);
    expect(same).toMatchObject({ ok: false, reason: 'bad-reinit', note: expect.stringMatching(/seed must differ/) });
  });
});
