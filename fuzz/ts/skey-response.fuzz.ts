/**
 * Target ts-skey-response: the S/KEY response parser (src/tokens/skey/response.ts
 * `parseSkeyResponse`).
 *
 * - arbitrary strings (any Unicode, ASCII noise, responses assembled from the grammar's own pieces —
 *   type prefixes, colons, dictionary words, hex runs, algorithm names, sequence numbers, seeds —
 *   lengths around the 512-character limit, and valid responses with a few characters changed): the
 *   parser returns or throws InvalidInputError naming `response`, and its message never quotes the
 *   text; an accepted response has 8-byte values and in-range parameters, and formatSkeyResponse's
 *   form of it parses back to the same response;
 * - every form generated from random values — hex (RFC 2289 groups, compact, any case and spacing),
 *   six words (any case and spacing), `hex:`, `word:`, `init-hex:` and `init-word:` (type in any
 *   case, whitespace around every part) — parses back to exactly those values.
 */
import fc from 'fast-check';
import { describe } from 'vitest';
import { InvalidInputError } from '../../src/errors.js';
import { SKEY_ALGORITHMS } from '../../src/tokens/algorithms.js';
import { RFC2289_WORDS } from '../../src/tokens/skey/dictionary.js';
import { SKEY_LIMITS } from '../../src/tokens/skey/limits.js';
import { formatSkeyResponse, parseSkeyResponse, type SkeyResponse } from '../../src/tokens/skey/response.js';
import { toSixWords } from '../../src/tokens/skey/words.js';
import { check, fuzzProperty, tally } from './harness.js';

const TARGET = 'ts-skey-response';

const chars = (set: string, minLength: number, maxLength: number): fc.Arbitrary<string> => fc.string({ unit: fc.constantFrom(...set), minLength, maxLength });
const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const WS = fc.constantFrom('', '', ' ', '  ', '\t', ' \t', '\n');
const WS1 = fc.constantFrom(' ', ' ', '  ', '\t', ' \t ', '\r\n');

const value = fc.uint8Array({ minLength: 8, maxLength: 8 });
const hex = (v: Uint8Array): string => Buffer.from(v).toString('hex');
const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));

/** Each character upper- or lower-cased by the flags, in turn. */
function recase(s: string, flags: readonly boolean[]): string {
  if (flags.length === 0) return s;
  return [...s].map((c, i) => (flags[i % flags.length] ? c.toUpperCase() : c.toLowerCase())).join('');
}
const caseFlags = fc.array(fc.boolean(), { maxLength: 6 });

/** 16 hex digits in any case, cut into groups by whitespace (never six groups: six tokens read as words first). */
const hexForm = (v: Uint8Array): fc.Arbitrary<string> =>
  fc
    .tuple(caseFlags, fc.uniqueArray(fc.integer({ min: 1, max: 15 }), { maxLength: 7 }), fc.array(WS1, { minLength: 8, maxLength: 8 }), WS, WS)
    .filter(([, cuts]) => cuts.length !== 5)
    .map(([flags, cuts, spaces, before, after]) => {
      const digits = recase(hex(v), flags);
      const points = [0, ...[...cuts].sort((a, b) => a - b), 16];
      const groups = points.slice(1).map((p, i) => digits.slice(points[i], p));
      return before + groups.map((g, i) => (i === 0 ? g : `${spaces[i % spaces.length] ?? ' '}${g}`)).join('') + after;
    });

/** Six words in any case and spacing. */
const wordsForm = (v: Uint8Array): fc.Arbitrary<string> =>
  fc.tuple(caseFlags, fc.array(WS1, { minLength: 5, maxLength: 5 }), WS, WS).map(([flags, spaces, before, after]) => {
    const words = toSixWords(v).split(' ');
    return before + words.map((w, i) => (i === 0 ? recase(w, flags) : `${spaces[i - 1] ?? ' '}${recase(w, flags.slice(i))}`)).join('') + after;
  });

const encoded = (v: Uint8Array, encoding: 'hex' | 'words'): fc.Arbitrary<string> => (encoding === 'hex' ? hexForm(v) : wordsForm(v));
const typeName = (name: string): fc.Arbitrary<string> => fc.tuple(caseFlags, WS, WS).map(([flags, a, b]) => `${a}${recase(name, flags)}${b}`);

const parameters = fc.record({
  algorithm: fc.constantFrom(...SKEY_ALGORITHMS),
  sequence: fc.integer({ min: 0, max: SKEY_LIMITS.maxSequence }),
  seed: chars(ALNUM, 1, 16),
});

/** A response text and what it must parse to. */
type Case = { text: string; want: SkeyResponse };

const validCase: fc.Arbitrary<Case> = fc.oneof(
  value.chain((v) => hexForm(v).map((text): Case => ({ text, want: { kind: 'plain', encoding: 'hex', value: v } }))),
  value.chain((v) => wordsForm(v).map((text): Case => ({ text, want: { kind: 'plain', encoding: 'words', value: v } }))),
  fc
    .tuple(value, fc.constantFrom<'hex' | 'words'>('hex', 'words'))
    .chain(([v, encoding]) =>
      fc
        .tuple(typeName(encoding === 'hex' ? 'hex' : 'word'), encoded(v, encoding))
        .map(([type, body]): Case => ({ text: `${type}:${body}`, want: { kind: 'typed', encoding, value: v } })),
    ),
  fc.tuple(value, value, parameters, fc.constantFrom<'hex' | 'words'>('hex', 'words')).chain(([current, newValue, next, encoding]) =>
    fc
      .tuple(
        typeName(encoding === 'hex' ? 'init-hex' : 'init-word'),
        encoded(current, encoding),
        fc.tuple(caseFlags, fc.nat({ max: 3 }), WS, WS1, WS1, WS),
        encoded(newValue, encoding),
      )
      .map(([type, cur, [flags, zeros, a, b, c, d], nu]): Case => ({
        text: `${type}:${cur}:${a}${recase(next.algorithm, flags)}${b}${'0'.repeat(zeros)}${next.sequence}${c}${next.seed}${d}:${nu}`,
        want: { kind: 'init', encoding, current, next: { ...next }, newValue },
      })),
  ),
);

function same(got: SkeyResponse, want: SkeyResponse): boolean {
  if (got.kind !== want.kind || got.encoding !== want.encoding) return false;
  if (got.kind === 'init' && want.kind === 'init') {
    return (
      sameBytes(got.current, want.current) &&
      sameBytes(got.newValue, want.newValue) &&
      got.next.algorithm === want.next.algorithm &&
      got.next.sequence === want.next.sequence &&
      got.next.seed === want.next.seed
    );
  }
  return got.kind !== 'init' && want.kind !== 'init' && sameBytes(got.value, want.value);
}

const PIECES = [
  'hex:',
  'word:',
  'init-hex:',
  'init-word:',
  'HEX:',
  'Init-Word:',
  'otp-md5',
  ':',
  '::',
  ' ',
  '\t',
  '\n',
  'md4',
  'md5',
  'sha1',
  'sha256',
  '0',
  '499',
  '9999',
  '10000',
  '-1',
  '1e3',
  'ke1235',
  '0123456789abcdef',
  '9E87 6134 D904 99DD',
  'xyz',
  '\u00a0',
  '\u3000',
  '\uFEFF',
  'ß',
  'İ',
];
const piece = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...PIECES) },
  { weight: 4, arbitrary: fc.constantFrom(...RFC2289_WORDS) },
  { weight: 1, arbitrary: chars('0123456789abcdefABCDEF', 1, 17) },
  { weight: 1, arbitrary: fc.string({ maxLength: 4 }) },
);

/** A valid response with a few characters replaced, inserted or deleted. */
const mutatedCase = fc
  .tuple(
    validCase,
    fc.array(fc.tuple(fc.nat(), fc.nat({ max: 2 }), fc.oneof(fc.constantFrom(...PIECES), fc.string({ maxLength: 2 }))), { minLength: 1, maxLength: 3 }),
  )
  .map(([c, edits]) =>
    edits.reduce((t, [at, op, s]) => {
      const i = at % (t.length + 1);
      if (op === 0) return t.slice(0, i) + s + t.slice(i);
      if (op === 1) return t.slice(0, i) + t.slice(i + 1);
      return t.slice(0, i) + s + t.slice(i + s.length);
    }, c.text),
  );

const hostileText: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 80 }) },
  { weight: 4, arbitrary: fc.array(piece, { maxLength: 16 }).map((ps) => ps.join('')) },
  { weight: 3, arbitrary: fc.array(piece, { maxLength: 12 }).map((ps) => ps.join(' ')) },
  { weight: 6, arbitrary: mutatedCase },
  // around the length limit
  { weight: 1, arbitrary: fc.tuple(validCase, fc.integer({ min: 380, max: 520 })).map(([c, n]) => c.text + ' '.repeat(Math.max(0, n - c.text.length))) },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 505, max: 520 }), fc.constantFrom('a', ' ', '0', ':')).map(([n, c]) => c.repeat(n)) },
);

function checkAccepted(r: SkeyResponse): void {
  if (r.kind === 'init') {
    check(r.current.length === 8 && r.newValue.length === 8, 'an init value that is not 8 bytes');
    check(SKEY_ALGORITHMS.includes(r.next.algorithm), `algorithm ${r.next.algorithm}`);
    check(Number.isSafeInteger(r.next.sequence) && r.next.sequence >= 0 && r.next.sequence <= SKEY_LIMITS.maxSequence, `sequence ${r.next.sequence}`);
    check(/^[A-Za-z0-9]{1,16}$/.test(r.next.seed), 'a seed out of range');
  } else {
    check(r.value.length === 8, 'a value that is not 8 bytes');
  }
  const again = parseSkeyResponse(formatSkeyResponse(r));
  check(same(again, r), 'formatSkeyResponse → parseSkeyResponse changed the response');
}

describe(TARGET, () => {
  fuzzProperty(TARGET, 'arbitrary strings: only InvalidInputError, text never quoted', 0.5, () =>
    fc.property(hostileText, (text) => {
      let r: SkeyResponse;
      try {
        r = parseSkeyResponse(text);
      } catch (err) {
        check(err instanceof InvalidInputError, `threw a non-InvalidInputError: ${String(err)}`);
        check(err.field === 'response', `error names field ${err.field}`);
        const quoted = text.trim();
        check(quoted.length < 16 || !err.message.includes(quoted), 'the error message quotes the response');
        tally(`refused: ${err.message.replace(/[0-9]+/g, 'N')}`);
        return;
      }
      tally(`accepted: ${r.kind} ${r.encoding}`);
      checkAccepted(r);
    }),
  );

  fuzzProperty(TARGET, 'valid forms from random values parse back to them', 0.5, () =>
    fc.property(validCase, ({ text, want }) => {
      check(text.length <= SKEY_LIMITS.maxResponseLength, `generated ${text.length} characters`);
      const got = parseSkeyResponse(text);
      check(same(got, want), `parsed as ${got.kind}/${got.encoding}, want ${want.kind}/${want.encoding} with other values`);
      check(same(parseSkeyResponse(formatSkeyResponse(want)), want), 'formatSkeyResponse → parseSkeyResponse changed the response');
    }),
  );
});
