import { describe, expect, it } from 'vitest';
import { motpCode, motpSlot } from '../../../../src/tokens/motp.js';
import { type MotpState, verifyMotp } from '../../../../src/policy/verify/motp.js';
import { splitMotpAnswer, splitOathAnswer, splitSkeyAnswer } from '../../../../src/policy/verify/split.js';
import { motpVectors } from '../../../support/shared-data.js';
import { frozen } from './support.js';

describe('Mobile-OTP verifier', () => {
  it('accepts every shared vector at its time, in either case', () => {
    for (const v of motpVectors()) {
      const state: MotpState = frozen({ secret: v.secret, pin: v.pin, offsetHours: v.offsetHours });
      const slot = motpSlot(v.time, v.offsetHours);
      expect(verifyMotp(state, v.otp, v.time)).toMatchObject({ ok: true, detail: { slot, drift: 0 }, state: { lastSlot: slot } });
      expect(verifyMotp(state, v.otp.toUpperCase(), v.time)).toMatchObject({ ok: true });
    }
  });

  const state: MotpState = frozen({ secret: '1234567890abcdef', pin: '1234', offsetHours: 0 });
  const t = 1_700_000_000;
  const at = (time: number): string => motpCode(state.secret, state.pin, time, state.offsetHours);

  it('refuses the same code, an older slot and the last slot itself', () => {
    const first = verifyMotp(state, at(t), t);
    if (!first.ok) throw new Error('refused');
    expect(verifyMotp(first.state, at(t), t)).toMatchObject({ ok: false, reason: 'replayed' });
    expect(verifyMotp(first.state, at(t - 10), t)).toMatchObject({ ok: false, reason: 'replayed' });
    const later = verifyMotp(first.state, at(t + 10), t + 5);
    expect(later).toMatchObject({ ok: true, detail: { drift: 1 } });
    expect(state).toEqual({ secret: '1234567890abcdef', pin: '1234', offsetHours: 0 });
  });

  it('accepts ±180 s by default and is configurable', () => {
    expect(verifyMotp(state, at(t + 180), t)).toMatchObject({ ok: true, detail: { drift: 18 } });
    expect(verifyMotp(state, at(t - 180), t)).toMatchObject({ ok: true, detail: { drift: -18 } });
    expect(verifyMotp(state, at(t + 190), t)).toMatchObject({ ok: false, reason: 'wrong' });
    expect(verifyMotp(state, at(t - 190), t)).toMatchObject({ ok: false, reason: 'wrong' });
    expect(verifyMotp(state, at(t + 190), t, { maxDriftSeconds: 200 })).toMatchObject({ ok: true });
    expect(verifyMotp(state, at(t + 10), t, { maxDriftSeconds: 9 })).toMatchObject({ reason: 'wrong' });
    expect(() => verifyMotp(state, at(t), t, { maxDriftSeconds: -1 })).toThrow(/maxDriftSeconds/);
  });

  it('refuses malformed answers and wrong PINs', () => {
    for (const answer of ['', '660af', '660af9a', 'zzzzzz']) {
      expect(verifyMotp(state, answer, t)).toMatchObject({ ok: false, reason: 'malformed' });
    }
    const otherPin = motpCode(state.secret, '9999', t, 0);
    const wrong = verifyMotp(state, otherPin, t);
    expect(wrong).toMatchObject({ ok: false, reason: 'wrong' });
    expect(JSON.stringify(wrong)).not.toContain(otherPin);
  });
});

describe('password + OTP splitting', () => {
  it('OATH: the last `digits` characters are the OTP (pam_oath digits=)', () => {
    expect(splitOathAnswer('hunter2755224', 6)).toEqual({ password: 'hunter2', otp: '755224' });
    expect(splitOathAnswer('755224', 6)).toEqual({ password: '', otp: '755224' });
    expect(splitOathAnswer('pw 12345678', 8)).toEqual({ password: 'pw ', otp: '12345678' });
    expect(splitOathAnswer('12345', 6)).toBeUndefined();
  });

  it('Mobile-OTP: the last 6 characters', () => {
    expect(splitMotpAnswer('1234660af9')).toEqual({ password: '1234', otp: '660af9' });
    expect(splitMotpAnswer('660af')).toBeUndefined();
  });

  it('S/KEY: words, grouped hex, compact hex and extended responses', () => {
    expect(splitSkeyAnswer('my pass INCH SEA ANNE LONG AHEM TOUR')).toEqual({ password: 'my pass', otp: 'INCH SEA ANNE LONG AHEM TOUR' });
    expect(splitSkeyAnswer('inch sea anne long ahem tour')).toEqual({ password: '', otp: 'inch sea anne long ahem tour' });
    expect(splitSkeyAnswer('pw 9E87 6134 D904 99DD')).toEqual({ password: 'pw', otp: '9E87 6134 D904 99DD' });
    expect(splitSkeyAnswer('pw9e876134d90499dd')).toEqual({ password: 'pw', otp: '9e876134d90499dd' });
    expect(splitSkeyAnswer('pwhex:5bf075d9959d036f')).toEqual({ password: 'pw', otp: 'hex:5bf075d9959d036f' });
    expect(splitSkeyAnswer('pw word:BOND FOGY DRAB NE RISE MART')).toEqual({ password: 'pw', otp: 'word:BOND FOGY DRAB NE RISE MART' });
    const init = 'init-hex:5bf075d9959d036f:md5 499 ke1235:3712dcb4aa5316c1';
    expect(splitSkeyAnswer(`s3cret ${init}`)).toEqual({ password: 's3cret', otp: init });
    expect(splitSkeyAnswer(init)).toEqual({ password: '', otp: init });
    expect(splitSkeyAnswer('hex:pw hex:5bf075d9959d036f\n')).toEqual({ password: 'hex:pw', otp: 'hex:5bf075d9959d036f' });
    expect(splitSkeyAnswer('just a password')).toBeUndefined();
  });
});
