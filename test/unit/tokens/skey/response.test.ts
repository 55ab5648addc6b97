import { describe, expect, it } from 'vitest';
import { skeyChain } from '../../../../src/tokens/skey/chain.js';
import { parseSkeyChallenge } from '../../../../src/tokens/skey/challenge.js';
import { type SkeyResponse, formatSkeyResponse, parseSkeyResponse } from '../../../../src/tokens/skey/response.js';
import { skeySecret } from '../../../../src/tokens/skey/secret.js';
import { expectInvalid, fromHex, hex } from './support.js';

/** Replaces byte arrays by hex so that toEqual compares values, not array types. */
function plain(response: SkeyResponse): unknown {
  return JSON.parse(JSON.stringify(response, (_, v: unknown) => (v instanceof Uint8Array ? hex(v) : v)));
}

// RFC 2243 examples. Challenge "otp-md5 499 ke1234 ext", pass phrase "This is a test."; the
// re-initialisation moves to "md5 499 ke1235". Each value below was recomputed with our chain: the new
// sequence's value reproduces with the same pass phrase, "This is a test.", under the new seed.
const RFC2243 = {
  challenge: 'otp-md5 499 ke1234 ext',
  hex: 'hex:5Bf0 75d9 959d 036f',
  word: 'word:BOND FOGY DRAB NE RISE MART',
  initHex: 'init-hex:5bf075d9959d036f:md5 499 ke1235:3712dcb4aa5316c1',
  initWord: 'init-word:BOND FOGY DRAB NE RISE MART:md5 499 ke1235:RED HERD NOW BEAN PA BURG',
  current: '5bf075d9959d036f',
  next: '3712dcb4aa5316c1',
};

describe('RFC 2243 examples, recomputed', () => {
  const challenge = parseSkeyChallenge(RFC2243.challenge);
  const current = skeyChain(challenge.algorithm, skeySecret(challenge.seed, 'This is a test.'), challenge.sequence);
  const next = skeyChain('md5', skeySecret('ke1235', 'This is a test.'), 499);

  it('computes the example values', () => {
    expect(challenge).toEqual({ algorithm: 'md5', sequence: 499, seed: 'ke1234', extended: true });
    expect(hex(current)).toBe(RFC2243.current);
    expect(hex(next)).toBe(RFC2243.next);
  });

  it('parses hex: and word:', () => {
    expect(plain(parseSkeyResponse(RFC2243.hex))).toEqual({ kind: 'typed', encoding: 'hex', value: RFC2243.current });
    expect(plain(parseSkeyResponse(RFC2243.word))).toEqual({ kind: 'typed', encoding: 'words', value: RFC2243.current });
  });

  it('parses init-hex: and init-word:', () => {
    const expected = { current: RFC2243.current, next: { algorithm: 'md5', sequence: 499, seed: 'ke1235' }, newValue: RFC2243.next };
    expect(plain(parseSkeyResponse(RFC2243.initHex))).toEqual({ kind: 'init', encoding: 'hex', ...expected });
    expect(plain(parseSkeyResponse(RFC2243.initWord))).toEqual({ kind: 'init', encoding: 'words', ...expected });
  });

  it('formats exactly the example texts', () => {
    const next2 = { algorithm: 'md5', sequence: 499, seed: 'ke1235' } as const;
    expect(formatSkeyResponse({ kind: 'init', encoding: 'hex', current, next: next2, newValue: next })).toBe(RFC2243.initHex);
    expect(formatSkeyResponse({ kind: 'init', encoding: 'words', current, next: next2, newValue: next })).toBe(RFC2243.initWord);
    expect(formatSkeyResponse({ kind: 'typed', encoding: 'words', value: current })).toBe(RFC2243.word);
    expect(formatSkeyResponse({ kind: 'typed', encoding: 'hex', value: current })).toBe('hex:5bf075d9959d036f');
  });
});

describe('response parsing and formatting', () => {
  const value = fromHex('9e876134d90499dd');

  it('auto-detects plain six words and hex', () => {
    expect(plain(parseSkeyResponse('INCH SEA ANNE LONG AHEM TOUR'))).toEqual({ kind: 'plain', encoding: 'words', value: hex(value) });
    expect(plain(parseSkeyResponse(' inch sea\tanne long ahem tour\n'))).toEqual({ kind: 'plain', encoding: 'words', value: hex(value) });
    expect(plain(parseSkeyResponse('9E87 6134 D904 99DD'))).toEqual({ kind: 'plain', encoding: 'hex', value: hex(value) });
    expect(plain(parseSkeyResponse('9e876134d90499dd'))).toEqual({ kind: 'plain', encoding: 'hex', value: hex(value) });
    // Six hex groups are hex when they are not six dictionary words with a valid checksum.
    expect(plain(parseSkeyResponse('9e 87 61 34 d904 99dd'))).toEqual({ kind: 'plain', encoding: 'hex', value: hex(value) });
  });

  it('accepts any case in the type and whitespace around every part', () => {
    const parsed = parseSkeyResponse('  INIT-Hex : 5bf0 75d9 959d 036f :  md5  499  ke1235 : 3712 DCB4 aa53 16c1 \r\n');
    expect(plain(parsed)).toEqual({
      kind: 'init',
      encoding: 'hex',
      current: RFC2243.current,
      next: { algorithm: 'md5', sequence: 499, seed: 'ke1235' },
      newValue: RFC2243.next,
    });
    expect(plain(parseSkeyResponse('Word: bond fogy drab ne rise mart'))).toEqual({ kind: 'typed', encoding: 'words', value: RFC2243.current });
  });

  it('round-trips every kind', () => {
    const responses: SkeyResponse[] = [
      { kind: 'plain', encoding: 'hex', value },
      { kind: 'plain', encoding: 'words', value },
      { kind: 'typed', encoding: 'hex', value },
      { kind: 'typed', encoding: 'words', value },
      { kind: 'init', encoding: 'hex', current: value, next: { algorithm: 'sha1', sequence: 9999, seed: 'NewSeed1' }, newValue: fromHex('0001020304050607') },
      { kind: 'init', encoding: 'words', current: value, next: { algorithm: 'md4', sequence: 0, seed: 'z' }, newValue: fromHex('ffffffffffffffff') },
    ];
    for (const response of responses) {
      const text = formatSkeyResponse(response);
      expect(plain(parseSkeyResponse(text)), text).toEqual(plain(response));
    }
    expect(formatSkeyResponse({ kind: 'plain', encoding: 'hex', value })).toBe('9E87 6134 D904 99DD');
    expect(formatSkeyResponse({ kind: 'plain', encoding: 'words', value })).toBe('INCH SEA ANNE LONG AHEM TOUR');
  });

  it('rejects bad responses, naming the field and never quoting the text', () => {
    const secretLooking = 'my pass phrase: hunter22';
    const { message } = expectInvalid(() => parseSkeyResponse(secretLooking), 'response', /unsupported response type/);
    expect(message).not.toContain('hunter22');
    expect(expectInvalid(() => parseSkeyResponse('This is a test.'), 'response').message).not.toContain('test');
    expectInvalid(() => parseSkeyResponse(''), 'response', /empty/);
    expectInvalid(() => parseSkeyResponse('INCH SEA ANNE XYZZY AHEM TOUR'), 'response', /word 4 of 6/);
    expectInvalid(() => parseSkeyResponse('INCH SEA ANNE LONG AHEM AHEM'), 'response', /checksum/);
    expectInvalid(() => parseSkeyResponse('9E87 6134 D904 99D'), 'response', /got 15/);
    expectInvalid(() => parseSkeyResponse('hex:9E87 6134 D904 99DG'), 'response', /hex digits/);
    expectInvalid(() => parseSkeyResponse('hex:9E87:6134'), 'response', /exactly one value/);
    expectInvalid(() => parseSkeyResponse('word:INCH SEA'), 'response', /six words/);
    expectInvalid(() => parseSkeyResponse('init-hex:5bf075d9959d036f:md5 499 ke1235'), 'response', /init-hex:<current>/);
    expectInvalid(() => parseSkeyResponse('init-hex:5bf075d9959d036f:md5 10000 ke1235:3712dcb4aa5316c1'), 'response', /0 to 9999/);
    expectInvalid(() => parseSkeyResponse('init-hex:5bf075d9959d036f:sha256 499 ke1235:3712dcb4aa5316c1'), 'response', /unknown algorithm/);
    expectInvalid(() => parseSkeyResponse('init-hex:5bf075d9959d036f:md5 499 ke 1235:3712dcb4aa5316c1'), 'response');
    expectInvalid(() => parseSkeyResponse(`hex:${' '.repeat(600)}9e876134d90499dd`), 'response', /at most 512/);
    expectInvalid(() => formatSkeyResponse({ kind: 'typed', encoding: 'hex', value: new Uint8Array(7) }), 'response');
  });
});
