import { describe, expect, it } from 'vitest';
import { skeyChain, skeyList } from '../../../../src/tokens/skey/chain.js';
import { formatSkeyHex, parseSkeyHex } from '../../../../src/tokens/skey/hex.js';
import { skeySecret } from '../../../../src/tokens/skey/secret.js';
import { skeyStep } from '../../../../src/tokens/skey/step.js';
import { parseSixWords, toSixWords } from '../../../../src/tokens/skey/words.js';
import { SKEY_ALGORITHMS } from '../../../../src/tokens/algorithms.js';
import { skeyVectors } from '../../../support/shared-data.js';
import { expectInvalid, hex, utf8 } from './support.js';

const vectors = skeyVectors();

describe('RFC 2289 Appendix C vectors', () => {
  it('has all 27 vectors', () => {
    expect(vectors).toHaveLength(27);
  });

  it.each(vectors.map((v) => [`${v.algorithm} ${v.seed} ${v.count}`, v] as const))('%s: hex and six words', (_, v) => {
    const value = skeyChain(v.algorithm, skeySecret(v.seed, v.passphrase), v.count);
    expect(formatSkeyHex(value)).toBe(v.hex);
    expect(toSixWords(value)).toBe(v.words);
    expect(hex(parseSixWords(v.words))).toBe(hex(value));
    expect(hex(parseSkeyHex(v.hex))).toBe(hex(value));
  });
});

describe('skeyChain and skeyList', () => {
  const secret = skeySecret('TeSt', 'This is a test.');

  it('chain(n) is step applied n + 1 times', () => {
    for (const algorithm of SKEY_ALGORITHMS) {
      let value = skeyStep(algorithm, secret);
      expect(hex(skeyChain(algorithm, secret, 0))).toBe(hex(value));
      for (let n = 1; n <= 5; n++) {
        value = skeyStep(algorithm, value);
        expect(hex(skeyChain(algorithm, secret, n))).toBe(hex(value));
      }
    }
  });

  it('a server hashing response n once gets response n + 1', () => {
    for (const algorithm of SKEY_ALGORITHMS) {
      const response = skeyChain(algorithm, secret, 98);
      expect(hex(skeyChain(algorithm, response, 0))).toBe(hex(skeyChain(algorithm, secret, 99)));
    }
  });

  it('list equals repeated chains', () => {
    for (const algorithm of SKEY_ALGORITHMS) {
      for (const [first, n] of [
        [0, 1],
        [0, 5],
        [97, 3],
        [10, 0],
        [250, 7],
      ] as const) {
        const list = skeyList(algorithm, secret, first, n);
        expect(list).toHaveLength(n);
        list.forEach((value, i) => expect(hex(value), `${algorithm} ${first + i}`).toBe(hex(skeyChain(algorithm, secret, first + i))));
        // Values are independent arrays, not views of one reused buffer.
        expect(new Set(list.map((v) => v.buffer)).size).toBe(n);
      }
    }
  });

  it('does not modify its input', () => {
    const input = Uint8Array.from(secret);
    skeyChain('md4', input, 10);
    skeyList('sha1', input, 3, 3);
    expect(hex(input)).toBe(hex(secret));
  });

  it('rejects bad counts and inputs, naming the argument', () => {
    expectInvalid(() => skeyChain('md5', secret, -1), 'count');
    expectInvalid(() => skeyChain('md5', secret, 1.5), 'count');
    expectInvalid(() => skeyChain('md5', secret, 1_000_001), 'count');
    expectInvalid(() => skeyChain('md5', new Uint8Array(0), 1), 'input');
    expectInvalid(() => skeyChain('md5', new Uint8Array(257), 1), 'input');
    expectInvalid(() => skeyList('md5', secret, -1, 2), 'first');
    expectInvalid(() => skeyList('md5', secret, 1_000_000, 2), 'n');
  });

  it('hashes any UTF-8 pass phrase as its bytes', () => {
    const value = skeyChain('md5', skeySecret('Seed1', 'pässphrase ☃ long enough'), 3);
    expect(hex(value)).toBe(hex(skeyChain('md5', utf8('seed1pässphrase ☃ long enough'), 3)));
  });
});
