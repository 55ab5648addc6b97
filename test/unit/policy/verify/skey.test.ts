import { describe, expect, it } from 'vitest';
import { skeySecret } from '../../../../src/tokens/skey/secret.js';
import { toSixWords } from '../../../../src/tokens/skey/words.js';
import { DEFAULT_SKEY_SETTINGS, type SkeyState, skeyChallenge, skeyExhausted, verifySkey } from '../../../../src/policy/verify/skey.js';
import { skeyVectors } from '../../../support/shared-data.js';
import { BACKENDS, fromHex, hex } from './support.js';

const PASS = 'This is a test.';

for (const [name, backend] of BACKENDS) {
  const context = { backend };
  const chain = (seed: string, n: number, alg: SkeyState['algorithm'] = 'md5'): Uint8Array => backend.skeyChain(alg, skeySecret(seed, PASS), n);

  describe(`S/KEY server (${name} backend, ${backend.name})`, () => {
    it('accepts OTP(n−1) against the stored OTP(n) for every RFC 2289 vector pair, then refuses it', async () => {
      const vectors = skeyVectors();
      let pairs = 0;
      for (const older of vectors) {
        const newer = vectors.find(
          (v) => v.algorithm === older.algorithm && v.seed === older.seed && v.passphrase === older.passphrase && v.count === older.count + 1,
        );
        if (newer === undefined) continue;
        pairs++;
        const state: SkeyState = Object.freeze({ algorithm: newer.algorithm, sequence: newer.count, seed: newer.seed, last: fromHex(newer.hex) });
        expect(skeyChallenge(state)).toBe(`otp-${older.algorithm} ${older.count} ${older.seed} ext`);
        for (const answer of [older.words, older.hex, older.words.toLowerCase()]) {
          const v = await verifySkey(state, answer, context);
          expect(v).toMatchObject({ ok: true, state: { sequence: older.count, seed: older.seed } });
          if (!v.ok) continue;
          expect(hex(v.state.last)).toBe(older.hex.replace(/\s+/g, '').toLowerCase());
          expect(hex(state.last)).toBe(newer.hex.replace(/\s+/g, '').toLowerCase());
        }
      }
      expect(pairs).toBeGreaterThan(0);
    });

    it('moves down the chain, refuses a replay and an older response', async () => {
      const start: SkeyState = { algorithm: 'md5', sequence: 100, seed: 'TeSt', last: chain('TeSt', 100) };
      const first = await verifySkey(start, toSixWords(chain('TeSt', 99)), context);
      expect(first).toMatchObject({ ok: true, detail: { sequence: 99, remaining: 99, lowSequence: false, kind: 'plain', encoding: 'words' } });
      if (!first.ok) return;
      expect(skeyChallenge(first.state)).toBe('otp-md5 98 TeSt ext');
      expect(await verifySkey(first.state, toSixWords(chain('TeSt', 99)), context)).toMatchObject({ ok: false, reason: 'replayed' });
      expect(await verifySkey(first.state, hex(chain('TeSt', 100)), context)).toMatchObject({ ok: false, reason: 'wrong' });
      expect(await verifySkey(first.state, hex(chain('TeSt', 97)), context)).toMatchObject({ ok: false, reason: 'wrong' });
      expect(await verifySkey(first.state, hex(chain('TeSt', 98)), context)).toMatchObject({ ok: true });
    });

    it('works for md4 and sha1 and with hex:/word: responses', async () => {
      for (const algorithm of ['md4', 'sha1'] as const) {
        const state: SkeyState = { algorithm, sequence: 20, seed: 'alpha1', last: chain('alpha1', 20, algorithm) };
        const answer = chain('alpha1', 19, algorithm);
        expect(await verifySkey(state, `hex:${hex(answer)}`, context)).toMatchObject({ ok: true, detail: { kind: 'typed', encoding: 'hex' } });
        expect(await verifySkey(state, `word:${toSixWords(answer)}`, context)).toMatchObject({ ok: true, detail: { encoding: 'words' } });
      }
    });

    describe('RFC 2243 examples', () => {
      // Challenge "otp-md5 499 ke1234 ext": the stored value is OTP(500).
      const state: SkeyState = Object.freeze({ algorithm: 'md5', sequence: 500, seed: 'ke1234', last: chain('ke1234', 500) });
      const initHex = 'init-hex:5bf075d9959d036f:md5 499 ke1235:3712dcb4aa5316c1';
      const initWord = 'init-word:BOND FOGY DRAB NE RISE MART:md5 499 ke1235:RED HERD NOW BEAN PA BURG';
      // Remote re-initialisation is opt-in per token (`reinit=yes`); these examples are for such a token.
      const reinit = { ...DEFAULT_SKEY_SETTINGS, reinit: true };

      it('issues the example challenge and accepts hex: and word:', async () => {
        expect(skeyChallenge(state)).toBe('otp-md5 499 ke1234 ext');
        expect(await verifySkey(state, 'hex:5Bf0 75d9 959d 036f', context)).toMatchObject({ ok: true, state: { sequence: 499 } });
        expect(await verifySkey(state, 'word:BOND FOGY DRAB NE RISE MART', context)).toMatchObject({ ok: true });
      });

      it('re-initialises with init-hex: and init-word: when the token allows it', async () => {
        for (const answer of [initHex, initWord]) {
          const v = await verifySkey(state, answer, context, reinit);
          expect(v).toMatchObject({
            ok: true,
            state: { algorithm: 'md5', sequence: 499, seed: 'ke1235' },
            detail: { kind: 'init', reinitialised: true, sequence: 499, remaining: 499, lowSequence: false },
          });
          if (!v.ok) continue;
          expect(hex(v.state.last)).toBe('3712dcb4aa5316c1');
          expect(skeyChallenge(v.state)).toBe('otp-md5 498 ke1235 ext');
          // The new chain works with the same pass phrase under the new seed.
          expect(await verifySkey(v.state, hex(chain('ke1235', 498)), context)).toMatchObject({ ok: true });
        }
      });

      it('refuses a re-initialisation with the same seed, but burns the proven response', async () => {
        const sameSeed = 'init-hex:5bf075d9959d036f:md5 499 KE1234:3712dcb4aa5316c1';
        const v = await verifySkey(state, sameSeed, context, reinit);
        expect(v).toMatchObject({ ok: false, reason: 'bad-reinit', state: { sequence: 499, seed: 'ke1234' } });
        if (v.ok || v.state === undefined) throw new Error('accepted');
        expect(v.message).toMatch(/seed must differ/);
        expect(hex(v.state.last)).toBe('5bf075d9959d036f');
        expect(await verifySkey(v.state, 'hex:5bf075d9959d036f', context)).toMatchObject({ reason: 'replayed' });
      });

      it('refuses a too-short new sequence or a disallowed algorithm; a wrong current part is just wrong', async () => {
        const short = await verifySkey(state, 'init-hex:5bf075d9959d036f:md5 5 ke1235:3712dcb4aa5316c1', context, reinit);
        expect(short).toMatchObject({ ok: false, reason: 'bad-reinit' });
        const md4 = await verifySkey(state, 'init-hex:5bf075d9959d036f:md4 499 ke1235:3712dcb4aa5316c1', context, {
          warnBelow: 10,
          reinit: true,
          minReinitSequence: 10,
          reinitAlgorithms: ['md5', 'sha1'],
        });
        expect(md4).toMatchObject({ ok: false, reason: 'bad-reinit' });
        const wrong = await verifySkey(state, 'init-hex:0000000000000000:md5 499 ke1235:3712dcb4aa5316c1', context, reinit);
        expect(wrong).toMatchObject({ ok: false, reason: 'wrong' });
        expect('state' in wrong).toBe(false);
        const low = await verifySkey(state, 'init-hex:5bf075d9959d036f:md5 5 ke1235:3712dcb4aa5316c1', context, {
          warnBelow: 10,
          reinit: true,
          minReinitSequence: 1,
          reinitAlgorithms: ['md5'],
        });
        expect(low).toMatchObject({ ok: true, detail: { remaining: 5, lowSequence: true } });
      });
    });

    describe('remote re-initialisation is off unless the token opts in (reinit=yes)', () => {
      const state: SkeyState = Object.freeze({ algorithm: 'md5', sequence: 500, seed: 'ke1234', last: chain('ke1234', 500) });
      const initHex = 'init-hex:5bf075d9959d036f:md5 499 ke1235:3712dcb4aa5316c1';
      const initWord = 'init-word:BOND FOGY DRAB NE RISE MART:md5 499 ke1235:RED HERD NOW BEAN PA BURG';

      it('is off by default', () => {
        expect(DEFAULT_SKEY_SETTINGS.reinit).toBe(false);
      });

      it('refuses a valid init-hex:/init-word: as bad-reinit and burns the disclosed current response', async () => {
        for (const settings of [undefined, DEFAULT_SKEY_SETTINGS, { ...DEFAULT_SKEY_SETTINGS, reinit: false }]) {
          for (const answer of [initHex, initWord]) {
            const v = await verifySkey(state, answer, context, settings);
            expect(v, answer).toMatchObject({ ok: false, reason: 'bad-reinit', message: 'remote re-initialisation is off for this token' });
            if (v.ok || v.state === undefined) throw new Error(`${answer}: no state to persist`);
            // The token keeps its chain, one step down: the attacker's parameters are not taken.
            expect(v.state).toMatchObject({ algorithm: 'md5', sequence: 499, seed: 'ke1234' });
            expect(hex(v.state.last)).toBe('5bf075d9959d036f');
            expect(skeyChallenge(v.state)).toBe('otp-md5 498 ke1234 ext');
            expect(await verifySkey(v.state, 'hex:5bf075d9959d036f', context, settings)).toMatchObject({ ok: false, reason: 'replayed' });
            expect(await verifySkey(v.state, hex(chain('ke1234', 498)), context, settings)).toMatchObject({ ok: true });
          }
        }
      });

      it('a wrong current part is still just wrong (nothing to burn); plain responses are unaffected', async () => {
        const wrong = await verifySkey(state, 'init-hex:0000000000000000:md5 499 ke1235:3712dcb4aa5316c1', context);
        expect(wrong).toMatchObject({ ok: false, reason: 'wrong' });
        expect('state' in wrong).toBe(false);
        expect(await verifySkey(state, 'hex:5bf075d9959d036f', context)).toMatchObject({ ok: true, state: { sequence: 499, seed: 'ke1234' } });
      });
    });

    it('warns when the sequence runs low and refuses when it is used up', async () => {
      let state: SkeyState = { algorithm: 'sha1', sequence: 11, seed: 'low1', last: chain('low1', 11, 'sha1') };
      const warnings: boolean[] = [];
      while (!skeyExhausted(state)) {
        const v = await verifySkey(state, toSixWords(chain('low1', state.sequence - 1, 'sha1')), context);
        if (!v.ok) throw new Error(`refused at ${state.sequence}`);
        warnings.push(v.detail.lowSequence);
        state = v.state;
      }
      expect(warnings).toEqual([false, true, true, true, true, true, true, true, true, true, true]);
      expect(state.sequence).toBe(0);
      expect(() => skeyChallenge(state)).toThrow(/^sequence: /);
      expect(await verifySkey(state, hex(chain('low1', 0, 'sha1')), context)).toMatchObject({ ok: false, reason: 'exhausted' });
    });

    it('refuses malformed responses without echoing them', async () => {
      const state: SkeyState = { algorithm: 'md5', sequence: 5, seed: 'x1', last: chain('x1', 5) };
      for (const answer of ['', 'This is a test.', 'INCH SEA ANNE LONG AHEM', 'foo:bar', '9e87']) {
        const v = await verifySkey(state, answer, context);
        expect(v).toMatchObject({ ok: false, reason: 'malformed' });
        if (answer.length > 0) expect(JSON.stringify(v)).not.toContain(answer);
      }
    });

    it('throws on an invalid state', async () => {
      const bad = { algorithm: 'md5', sequence: 5, seed: 'x1', last: new Uint8Array(7) } as const;
      await expect(verifySkey(bad, 'hex:0000000000000000', context)).rejects.toThrow(/^last: /);
    });
  });
}
