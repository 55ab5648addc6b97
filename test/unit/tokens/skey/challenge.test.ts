import { describe, expect, it } from 'vitest';
import { type SkeyChallenge, findSkeyChallenge, formatSkeyChallenge, parseSkeyChallenge, parseSkeyParameters } from '../../../../src/tokens/skey/challenge.js';
import { expectInvalid } from './support.js';

describe('S/KEY challenges', () => {
  it('parses plain and extended challenges', () => {
    expect(parseSkeyChallenge('otp-md5 499 bi0617')).toEqual({ algorithm: 'md5', sequence: 499, seed: 'bi0617', extended: false });
    expect(parseSkeyChallenge('otp-md5 499 bi0617 ext')).toEqual({ algorithm: 'md5', sequence: 499, seed: 'bi0617', extended: true });
    expect(parseSkeyChallenge('  otp-sha1\t0  TeSt \n')).toEqual({ algorithm: 'sha1', sequence: 0, seed: 'TeSt', extended: false });
    expect(parseSkeyChallenge('OTP-MD4 9999 x ext,foo')).toEqual({ algorithm: 'md4', sequence: 9999, seed: 'x', extended: true });
  });

  it('round-trips through format', () => {
    const cases: SkeyChallenge[] = [
      { algorithm: 'md4', sequence: 0, seed: 'a', extended: false },
      { algorithm: 'md5', sequence: 499, seed: 'ke1234', extended: true },
      { algorithm: 'sha1', sequence: 9999, seed: 'ABCDEFGHIJKLMNOP', extended: false },
    ];
    for (const challenge of cases) expect(parseSkeyChallenge(formatSkeyChallenge(challenge))).toEqual(challenge);
    expect(formatSkeyChallenge({ algorithm: 'md5', sequence: 499, seed: 'ke1234', extended: true })).toBe('otp-md5 499 ke1234 ext');
  });

  it('finds a challenge inside a prompt', () => {
    expect(findSkeyChallenge('otp-md5 499 ke1234 ext, Response: ')).toEqual({ algorithm: 'md5', sequence: 499, seed: 'ke1234', extended: true });
    expect(findSkeyChallenge('[otp-sha1 42 abc9] Password: ')).toEqual({ algorithm: 'sha1', sequence: 42, seed: 'abc9', extended: false });
    expect(findSkeyChallenge('S/Key otp-md4 7 seed1 extra')).toEqual({ algorithm: 'md4', sequence: 7, seed: 'seed1', extended: false });
    expect(findSkeyChallenge('Password: ')).toBeUndefined();
    expectInvalid(() => findSkeyChallenge('otp-md5 10000 ke1234'), 'challenge', /0 to 9999/);
  });

  it('rejects malformed challenges, naming the field', () => {
    expectInvalid(() => parseSkeyChallenge('otp-md5 499'), 'challenge');
    expectInvalid(() => parseSkeyChallenge('md5 499 bi0617'), 'challenge', /otp-/);
    expectInvalid(() => parseSkeyChallenge('otp-sha256 499 bi0617'), 'challenge', /unknown algorithm/);
    expectInvalid(() => parseSkeyChallenge('otp-md5 -1 bi0617'), 'challenge', /decimal/);
    expectInvalid(() => parseSkeyChallenge('otp-md5 10000 bi0617'), 'challenge', /0 to 9999, got 10000/);
    expectInvalid(() => parseSkeyChallenge('otp-md5 499 bi06-17'), 'challenge', /letters A-Z/);
    expectInvalid(() => parseSkeyChallenge('otp-md5 499 abcdefghijklmnopq'), 'challenge', /got 17/);
    expectInvalid(() => parseSkeyChallenge('otp-md5 499 bi0617 extra'), 'challenge', /capability/);
    expectInvalid(() => parseSkeyChallenge('otp-md5 499 bi0617 ext more'), 'challenge');
    expectInvalid(() => formatSkeyChallenge({ algorithm: 'md5', sequence: 1.5, seed: 'x', extended: false }), 'challenge');
    expectInvalid(() => formatSkeyChallenge({ algorithm: 'md5', sequence: 1, seed: 'a b', extended: false }), 'challenge');
  });

  it('parses re-initialisation parameters', () => {
    expect(parseSkeyParameters(' MD5  499\tke1235 ')).toEqual({ algorithm: 'md5', sequence: 499, seed: 'ke1235' });
    expectInvalid(() => parseSkeyParameters('md5 499'), 'response');
  });
});
