import { describe, expect, it } from 'vitest';
import { hotpCode } from '../../../../src/tokens/hotp.js';
import { type HotpState, verifyHotp } from '../../../../src/policy/verify/hotp.js';
import { type TotpState, verifyTotp } from '../../../../src/policy/verify/totp.js';
import { BACKENDS, RFC4226_KEY, frozen } from './support.js';

// RFC 4226 Appendix D, counters 0..9.
const HOTP = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];
const code = (i: number): string => HOTP[i] ?? '';

for (const [name, backend] of BACKENDS) {
  describe(`HOTP verifier (${name} backend, ${backend.name})`, () => {
    const now = 1_700_000_000.75;
    const context = { backend, now };
    const fresh: HotpState = frozen({ key: RFC4226_KEY, algorithm: 'sha1', digits: 6, counter: 0 });

    it('accepts the first code and stores what pam_oath would (COUNTER = matched counter)', async () => {
      const v = await verifyHotp(fresh, code(0), context);
      expect(v.ok).toBe(true);
      if (!v.ok) return;
      expect(v.state).toEqual({ ...fresh, counter: 0, lastOtp: code(0), lastUsed: 1_700_000_000 });
      expect(v.detail).toEqual({ counter: 0, drift: 0 });
      expect(fresh).toEqual({ key: RFC4226_KEY, algorithm: 'sha1', digits: 6, counter: 0 });
    });

    it('refuses the same code again, then accepts the next and never goes back', async () => {
      const first = await verifyHotp(fresh, code(0), context);
      if (!first.ok) throw new Error('first refused');
      const again = await verifyHotp(first.state, code(0), context);
      expect(again).toMatchObject({ ok: false, reason: 'replayed' });
      const second = await verifyHotp(first.state, code(1), context);
      expect(second).toMatchObject({ ok: true, state: { counter: 1, lastOtp: code(1) } });
      if (!second.ok) return;
      // An older code (below COUNTER): replayed thanks to the look-behind, wrong without it.
      expect(await verifyHotp(second.state, code(0), context)).toMatchObject({ ok: false, reason: 'replayed' });
      expect(await verifyHotp(second.state, code(0), context, { lookAhead: 5, replayLookBehind: 0 })).toMatchObject({
        ok: false,
        reason: 'wrong',
      });
    });

    it('accepts up to COUNTER + lookAhead and no further', async () => {
      expect(await verifyHotp(fresh, code(5), context)).toMatchObject({ ok: true, detail: { counter: 5, drift: 5 } });
      expect(await verifyHotp(fresh, code(6), context)).toMatchObject({ ok: false, reason: 'wrong' });
      expect(await verifyHotp(fresh, code(6), context, { lookAhead: 6, replayLookBehind: 0 })).toMatchObject({ ok: true });
      expect(await verifyHotp(fresh, code(1), context, { lookAhead: 0, replayLookBehind: 0 })).toMatchObject({ reason: 'wrong' });
    });

    it('reads pam_oath-written lines with pam_oath semantics', async () => {
      // "HOTP user - KEY 3 969429 …": COUNTER 3 was used, LASTOTP is its code.
      const used: HotpState = frozen({ ...fresh, counter: 3, lastOtp: code(3), lastUsed: 1_600_000_000 });
      expect(await verifyHotp(used, code(3), context)).toMatchObject({ ok: false, reason: 'replayed' });
      expect(await verifyHotp(used, code(2), context)).toMatchObject({ ok: false, reason: 'replayed' });
      expect(await verifyHotp(used, code(4), context)).toMatchObject({ ok: true, state: { counter: 4, lastOtp: code(4) } });
      // A fresh line with COUNTER 3 and no LASTOTP: counter 3 is the first valid one.
      const freshAt3: HotpState = frozen({ ...fresh, counter: 3 });
      expect(await verifyHotp(freshAt3, code(3), context)).toMatchObject({ ok: true, state: { counter: 3 } });
    });

    it('refuses malformed and wrong answers without a state', async () => {
      for (const answer of ['75522', '7552244', 'abcdef', '', '75 5224']) {
        const v = await verifyHotp(fresh, answer, context);
        expect(v).toMatchObject({ ok: false, reason: 'malformed' });
        expect('state' in v).toBe(false);
      }
      const wrong = await verifyHotp(fresh, '000000', context);
      expect(wrong).toMatchObject({ ok: false, reason: 'wrong' });
      expect(JSON.stringify(wrong)).not.toContain('000000');
      expect(await verifyHotp(fresh, ` ${code(0)}\n`, context)).toMatchObject({ ok: true });
    });

    it('works with 8 digits and SHA-256 keys', async () => {
      const state: HotpState = frozen({ key: RFC4226_KEY, algorithm: 'sha256', digits: 8, counter: 10 });
      const c12 = hotpCode(RFC4226_KEY, 12, { algorithm: 'sha256', digits: 8 });
      expect(await verifyHotp(state, c12, context)).toMatchObject({ ok: true, state: { counter: 12 } });
    });

    it('throws on a state no store should produce', async () => {
      await expect(verifyHotp({ ...fresh, counter: -1 }, code(0), context)).rejects.toThrow(/counter/);
      await expect(verifyHotp({ ...fresh, digits: 9 }, code(0), context)).rejects.toThrow(/digits/);
    });
  });

  describe(`TOTP verifier (${name} backend, ${backend.name})`, () => {
    const step = 30;
    const now = 1_111_111_109; // step 37037036 (RFC 6238 Appendix B time)
    const N = Math.floor(now / step);
    const at = (s: number, digits = 6): string => hotpCode(RFC4226_KEY, s, { algorithm: 'sha1', digits });
    const context = { backend, now };
    const fresh: TotpState = frozen({ key: RFC4226_KEY, algorithm: 'sha1', digits: 6, step, t0: 0, counter: 0 });

    it('accepts the current code, records the step and pam_oath fields', async () => {
      const v = await verifyTotp(fresh, at(N), context);
      expect(v).toMatchObject({ ok: true, detail: { step: N, drift: 0 } });
      if (!v.ok) return;
      expect(v.state).toEqual({ ...fresh, counter: 0, lastOtp: at(N), lastUsed: now, lastStep: N });
    });

    it('refuses the same code, any earlier step, and accepts a later one', async () => {
      const v = await verifyTotp(fresh, at(N), context);
      if (!v.ok) throw new Error('refused');
      expect(await verifyTotp(v.state, at(N), context)).toMatchObject({ ok: false, reason: 'replayed' });
      expect(await verifyTotp(v.state, at(N - 1), context)).toMatchObject({ ok: false, reason: 'replayed' });
      const later = await verifyTotp(v.state, at(N + 1), context);
      expect(later).toMatchObject({ ok: true, detail: { step: N + 1, drift: 1 }, state: { counter: 1, lastStep: N + 1 } });
      if (!later.ok) return;
      expect(await verifyTotp(later.state, at(N), context)).toMatchObject({ ok: false, reason: 'replayed' });
      // Still refused 30 s later, when the accepted step is the current one.
      expect(await verifyTotp(later.state, at(N + 1), { backend, now: now + step })).toMatchObject({ reason: 'replayed' });
    });

    it('accepts exactly now ± window', async () => {
      expect(await verifyTotp(fresh, at(N - 1), context)).toMatchObject({ ok: true, detail: { drift: -1 } });
      expect(await verifyTotp(fresh, at(N + 1), context)).toMatchObject({ ok: true, detail: { drift: 1 } });
      expect(await verifyTotp(fresh, at(N - 2), context)).toMatchObject({ ok: false, reason: 'wrong' });
      expect(await verifyTotp(fresh, at(N + 2), context)).toMatchObject({ ok: false, reason: 'wrong' });
      expect(await verifyTotp(fresh, at(N + 2), context, { window: 2 })).toMatchObject({ ok: true });
      expect(await verifyTotp(fresh, at(N + 1), context, { window: 0 })).toMatchObject({ reason: 'wrong' });
    });

    it('refuses replays on a line pam_oath wrote (LASTOTP only, COUNTER a drift sum)', async () => {
      const pam: TotpState = frozen({ ...fresh, counter: 7, lastOtp: at(N), lastUsed: now - 5 });
      expect(await verifyTotp(pam, at(N), context)).toMatchObject({ reason: 'replayed' });
      expect(await verifyTotp(pam, at(N - 1), context)).toMatchObject({ reason: 'replayed' });
      expect(await verifyTotp(pam, at(N + 1), context)).toMatchObject({ ok: true, state: { counter: 8, lastStep: N + 1 } });
      // pam_oath accepted a code one step ahead; the current step is now refused too.
      const ahead: TotpState = frozen({ ...fresh, lastOtp: at(N + 1) });
      expect(await verifyTotp(ahead, at(N), context)).toMatchObject({ reason: 'replayed' });
      // liboath compares LASTOTP with its own length: a 6-digit LASTOTP on an 8-digit line still counts.
      const eight: TotpState = frozen({ ...fresh, digits: 8, lastOtp: at(N) });
      expect(await verifyTotp(eight, at(N, 8), context)).toMatchObject({ reason: 'replayed' });
      expect(await verifyTotp(eight, at(N + 1, 8), context)).toMatchObject({ ok: true });
    });

    it('uses otpd lastStep and LASTOTP together, the higher wins', async () => {
      const both: TotpState = frozen({ ...fresh, lastOtp: at(N - 1), lastStep: N });
      expect(await verifyTotp(both, at(N), context)).toMatchObject({ reason: 'replayed' });
      const onlyStep: TotpState = frozen({ ...fresh, lastStep: N + 1 });
      expect(await verifyTotp(onlyStep, at(N + 1), context)).toMatchObject({ reason: 'replayed' });
      expect(await verifyTotp(onlyStep, at(N), context)).toMatchObject({ reason: 'replayed' });
      // A lastStep far in the future (the clock went back): everything in the window is refused.
      const future: TotpState = frozen({ ...fresh, lastStep: N + 100 });
      expect(await verifyTotp(future, at(N), context)).toMatchObject({ ok: false });
    });

    it('supports 60-second steps and T0', async () => {
      const t60: TotpState = frozen({ ...fresh, step: 60, t0: 1000 });
      const s = Math.floor((now - 1000) / 60);
      expect(await verifyTotp(t60, at(s), context)).toMatchObject({ ok: true, detail: { step: s } });
    });

    it('refuses malformed answers', async () => {
      expect(await verifyTotp(fresh, '12345', context)).toMatchObject({ reason: 'malformed' });
      expect(await verifyTotp(fresh, at(N, 8), context)).toMatchObject({ reason: 'malformed' });
    });
  });
}
