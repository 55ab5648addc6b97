import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { RFC2289_WORDS } from '../../../../src/tokens/skey/dictionary.js';
import { parseSixWords, toSixWords } from '../../../../src/tokens/skey/words.js';
import { sharedDataPath } from '../../../support/shared-data.js';
import { expectInvalid, fromHex, hex } from './support.js';

describe('the embedded RFC 2289 dictionary', () => {
  it('equals shared/data/rfc2289-words.txt, word for word', () => {
    const file = readFileSync(sharedDataPath('rfc2289-words.txt'), 'utf8')
      .split(/\s+/)
      .filter((w) => w.length > 0);
    expect(file).toHaveLength(2048);
    expect([...RFC2289_WORDS]).toEqual(file);
  });

  it('is frozen, upper case, one to four letters, no duplicates', () => {
    expect(Object.isFrozen(RFC2289_WORDS)).toBe(true);
    expect(new Set(RFC2289_WORDS).size).toBe(2048);
    for (const word of RFC2289_WORDS) expect(word).toMatch(/^[A-Z]{1,4}$/);
  });
});

describe('six-word encoding', () => {
  const value = fromHex('9E87 6134 D904 99DD');

  it('encodes and decodes the RFC example', () => {
    expect(toSixWords(value)).toBe('INCH SEA ANNE LONG AHEM TOUR');
    expect(hex(parseSixWords('INCH SEA ANNE LONG AHEM TOUR'))).toBe(hex(value));
  });

  it('round-trips random values', () => {
    for (let i = 0; i < 500; i++) {
      const random = new Uint8Array(randomBytes(8));
      const words = toSixWords(random);
      expect(words).toMatch(/^[A-Z]{1,4}( [A-Z]{1,4}){5}$/);
      expect(hex(parseSixWords(words))).toBe(hex(random));
    }
  });

  it('round-trips the extremes', () => {
    for (const text of ['0000000000000000', 'ffffffffffffffff', '8000000000000001']) {
      expect(hex(parseSixWords(toSixWords(fromHex(text))))).toBe(text);
    }
    expect(toSixWords(fromHex('0000000000000000'))).toBe('A A A A A A');
  });

  it('accepts any case and any whitespace', () => {
    for (const text of ['inch sea anne long ahem tour', '  Inch\tSEA  anne\nlong ahem\r\nTour  ', 'iNcH sEa AnNe LoNg AhEm ToUr']) {
      expect(hex(parseSixWords(text))).toBe(hex(value));
    }
  });

  it('detects a checksum failure', () => {
    // Changing the last word's low two bits alters only the checksum; every other change to a word
    // alters the value, and the checksum catches three in four of those.
    const words = 'INCH SEA ANNE LONG AHEM TOUR'.split(' ');
    const last = RFC2289_WORDS.indexOf(words[5] as string);
    const wrong = RFC2289_WORDS[last ^ 1] as string;
    expectInvalid(() => parseSixWords([...words.slice(0, 5), wrong].join(' ')), 'response', /checksum/);
  });

  it('names an unknown word by position and does not quote it', () => {
    const { message } = expectInvalid(() => parseSixWords('INCH SEA ANNE XYZZY AHEM TOUR'), 'response', /word 4 of 6/);
    expect(message).not.toContain('XYZZY');
  });

  it('rejects the wrong number of words', () => {
    expectInvalid(() => parseSixWords('INCH SEA ANNE LONG AHEM'), 'response', /six words, got 5/);
    expectInvalid(() => parseSixWords(''), 'response', /six words, got 0/);
    expectInvalid(() => parseSixWords('INCH SEA ANNE LONG AHEM TOUR TOUR'), 'response', /got 7/);
  });

  it('rejects values that are not 8 bytes', () => {
    expectInvalid(() => toSixWords(new Uint8Array(7)), 'value');
  });
});
