import { describe, expect, it } from 'vitest';
import { SKEY_LIMITS } from '../../../../src/tokens/skey/limits.js';
import { normaliseSeed, skeySecret, validatePassphrase, validateSeed } from '../../../../src/tokens/skey/secret.js';
import { expectInvalid, hex, utf8 } from './support.js';

describe('seed and pass phrase rules (RFC 2289 §6)', () => {
  it('accepts 1 to 16 alphanumerics and returns the seed as given', () => {
    for (const seed of ['a', 'TeSt', 'alpha1', '0123456789abcdef', 'ABCDEFGHIJKLMNOP']) expect(validateSeed(seed)).toBe(seed);
    expect(normaliseSeed('TeSt')).toBe('test');
  });

  it('rejects a seed with a blank, punctuation, non-ASCII, empty or 17 characters', () => {
    expectInvalid(() => validateSeed('te st'), 'seed', /letters A-Z/);
    expectInvalid(() => validateSeed('te-st'), 'seed');
    expectInvalid(() => validateSeed('tést'), 'seed');
    expectInvalid(() => validateSeed(''), 'seed', /got 0 characters/);
    expectInvalid(() => validateSeed('a'.repeat(17)), 'seed', /1 to 16 .* got 17 characters/);
    expectInvalid(() => validateSeed('a b', 'new seed'), 'new seed');
  });

  it('accepts pass phrases of 10 to 63 characters, counting code points', () => {
    validatePassphrase('x'.repeat(10));
    validatePassphrase('x'.repeat(63));
    validatePassphrase('☃'.repeat(63));
    validatePassphrase('😀'.repeat(10)); // 20 UTF-16 units, 10 characters
  });

  it('rejects a pass phrase of 9 or 64 characters, or with control characters, without quoting it', () => {
    const secret = 'ninechars';
    const { message } = expectInvalid(() => validatePassphrase(secret), 'pass phrase', /10 to 63 characters, got 9/);
    expect(message).not.toContain(secret);
    expectInvalid(() => validatePassphrase('y'.repeat(64)), 'pass phrase', /got 64/);
    expectInvalid(() => validatePassphrase('line one\nline two'), 'pass phrase', /control/);
  });

  it('keeps seed ‖ pass phrase within the backend input limit', () => {
    expect(SKEY_LIMITS.maxPassphraseBytes + SKEY_LIMITS.maxSeedLength).toBe(256);
    expectInvalid(() => validatePassphrase('😀'.repeat(61)), 'pass phrase', /bytes in UTF-8, got 244/);
  });

  it('builds lower(seed) ‖ pass phrase as UTF-8', () => {
    expect(hex(skeySecret('TeSt', 'This is a test.'))).toBe(hex(utf8('testThis is a test.')));
    expectInvalid(() => skeySecret('Te St', 'This is a test.'), 'seed');
    expectInvalid(() => skeySecret('TeSt', 'too short'), 'pass phrase');
  });
});
