/**
 * Target ts-usersfile: the users.oath parser (src/store/usersfile/parse.ts `parseUsersFile`).
 *
 * - arbitrary lines (random bytes, invalid UTF-8, fields drawn from every token type's vocabulary,
 *   and valid lines with one field broken): the parse never throws; every error is a StoreLineError
 *   whose line number names a line of the file and whose message starts `FILE:LINE: `; every entry
 *   is a line of the file; the lines join back to the exact bytes; a parse limited to some users gives
 *   exactly the full parse's entries and errors for them;
 * - valid files generated from random values (HOTP/TOTP, S/KEY, mOTP, static and backup lines, with
 *   and without a `#OTPD/META` line, any delimiters, comments, CRLF): every token parses back to the
 *   values it was written from, with no error; formatMetaLine's lines parse back too.
 */
import { deepStrictEqual } from 'node:assert/strict';
import fc from 'fast-check';
import { describe } from 'vitest';
import { StoreLineError } from '../../src/store/errors.js';
import type { TokenEntry, TokenMeta } from '../../src/store/usersfile/entry.js';
import { EXTENSION_TYPES } from '../../src/store/usersfile/extension-lines.js';
import { splitLines, toBinary } from '../../src/store/usersfile/lines.js';
import { META_TYPE, MAX_SKEW_STEPS, formatMetaLine } from '../../src/store/usersfile/meta-line.js';
import { OATH_TYPE_NAMES } from '../../src/store/usersfile/oath-type.js';
import { joinLines, parseUsersFile, type UsersFile } from '../../src/store/usersfile/parse.js';
import { formatOathTimestamp } from '../../src/store/usersfile/timestamp.js';
import { SKEY_ALGORITHMS } from '../../src/tokens/algorithms.js';
import type { PasswordSpec } from '../../src/tokens/password.js';
import { check, fuzzProperty, tally } from './harness.js';

const TARGET = 'ts-usersfile';
const PATH = '/etc/users.oath';

// ---------------------------------------------------------------- valid lines from random values

// fc.stringMatching is slow (its regex walk costs ~10 µs a string): strings over a character set instead.
const chars = (set: string, minLength: number, maxLength: number): fc.Arbitrary<string> => fc.string({ unit: fc.constantFrom(...set), minLength, maxLength });
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const ALNUM = `${LOWER}ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789`;
const DIGITS = '0123456789';
const HEX = '0123456789abcdefABCDEF';
const PRINTABLE = Array.from({ length: 94 }, (_, i) => String.fromCharCode(33 + i)).join('');

const hexCase = (bytes: Uint8Array, upper: readonly boolean[]): string =>
  [...Buffer.from(bytes).toString('hex')].map((c, i) => (upper[i % Math.max(1, upper.length)] ? c.toUpperCase() : c)).join('');
const hexText = (min: number, max: number): fc.Arbitrary<{ bytes: Uint8Array; text: string }> =>
  fc
    .tuple(fc.uint8Array({ minLength: min, maxLength: max }), fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }))
    .map(([bytes, upper]) => ({ bytes, text: hexCase(bytes, upper) }));

const delim = fc.constantFrom(' ', ' ', '\t', '  ', ' \t', '\t\t', '\t  ');
const lineEnd = fc.constantFrom('\n', '\n', '\r\n', ' \t\n');
/** A user name: mostly plain, sometimes any Unicode without a field delimiter. */
const userName = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(chars(LOWER, 1, 1), chars(`${LOWER}${DIGITS}._-`, 0, 11)).map(([a, b]) => a + b) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 6 }).filter((s) => !/[ \t\r\n\uFFFD]/.test(s)) },
);
/** Seconds since the epoch of a timestamp, written in local time as liboath writes it. */
const timestamp = fc.integer({ min: 0, max: 4_000_000_000 }).map((s) => formatOathTimestamp(new Date(s * 1000)));

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64').replace(/=+$/, '');
const scryptParams = fc.record({ ln: fc.integer({ min: 10, max: 14 }), r: fc.integer({ min: 1, max: 8 }), p: fc.integer({ min: 1, max: 2 }) });
const scryptHash = fc
  .record({ params: scryptParams, salt: fc.uint8Array({ minLength: 8, maxLength: 64 }), hash: fc.uint8Array({ minLength: 16, maxLength: 64 }) })
  .map(({ params, salt, hash }) => ({ ...params, salt, hash, text: `$scrypt$ln=${params.ln},r=${params.r},p=${params.p}$${b64(salt)}$${b64(hash)}` }));

type Password = { text: string; spec: PasswordSpec };
const password: fc.Arbitrary<Password> = fc.oneof(
  fc.constant<Password>({ text: '-', spec: { kind: 'none' } }),
  fc.constant<Password>({ text: '+', spec: { kind: 'any' } }),
  chars(PRINTABLE, 1, 16)
    .filter((s) => s !== '-' && s !== '+' && !s.startsWith('$scrypt$'))
    .map((s): Password => ({ text: s, spec: { kind: 'plain', value: s } })),
  scryptHash.map(({ text, ln, r, p, salt, hash }): Password => ({ text, spec: { kind: 'scrypt', hash: { ln, r, p, salt, hash } } })),
);

type Meta = { name?: string; enabled?: boolean; groups?: string[]; skew?: number; lastStep?: number };
const meta: fc.Arbitrary<Meta> = fc.record(
  {
    name: chars(`${ALNUM}._@-`, 1, 20),
    enabled: fc.boolean(),
    groups: fc.array(chars(`${ALNUM}._-`, 1, 12), { minLength: 1, maxLength: 4 }),
    skew: fc.integer({ min: -MAX_SKEW_STEPS, max: MAX_SKEW_STEPS }),
    lastStep: fc.integer({ min: 0, max: 999_999_999_999_999 }),
  },
  { requiredKeys: [] },
);

/** The fields after the type and the user, and what parsing them must give. */
type Token = { type: string; fields: string[]; expect: (e: TokenEntry) => void };

const oath: fc.Arbitrary<Token> = fc
  .record({
    type: fc.constantFrom(...OATH_TYPE_NAMES),
    password,
    key: hexText(1, 32),
    counter: fc.option(fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.maxSafeNat())),
    lastOtp: fc.option(chars(DIGITS, 6, 8)),
    time: fc.option(timestamp),
    extra: fc.array(chars(PRINTABLE, 1, 6), { maxLength: 2 }),
  })
  .map(({ type, password: pw, key, counter, lastOtp, time, extra }) => {
    const fields = [pw.text, key.text];
    // optional fields only in order: COUNTER [LASTOTP [TIMESTAMP [ignored …]]]
    if (counter !== null) {
      fields.push(String(counter));
      if (lastOtp !== null) {
        fields.push(lastOtp);
        if (time !== null) fields.push(time, ...extra);
      }
    }
    return {
      type,
      fields,
      expect: (e: TokenEntry) => {
        check(e.kind === 'oath', `kind ${e.kind}`);
        check(e.type.name === type, `type ${e.type.name}`);
        deepStrictEqual(e.password, pw.spec);
        check(Buffer.from(e.key).equals(Buffer.from(key.bytes)), 'key');
        check(e.counter === (counter ?? 0), `counter ${e.counter}`);
        check(e.lastOtp === (counter !== null && lastOtp !== null ? lastOtp : undefined), 'lastOtp');
        const t = counter !== null && lastOtp !== null && time !== null ? time : undefined;
        check((e.lastTime === undefined ? undefined : formatOathTimestamp(e.lastTime)) === t, 'lastTime');
      },
    };
  });

const skey: fc.Arbitrary<Token> = fc
  .record({
    password,
    algorithm: fc.constantFrom(...SKEY_ALGORITHMS),
    upper: fc.boolean(),
    sequence: fc.integer({ min: 0, max: 9999 }),
    zeros: fc.nat({ max: 2 }),
    seed: chars(ALNUM, 1, 16),
    last: hexText(8, 8),
    time: fc.option(timestamp),
  })
  .map(({ password: pw, algorithm, upper, sequence, zeros, seed, last, time }) => ({
    type: EXTENSION_TYPES.skey,
    fields: [pw.text, upper ? algorithm.toUpperCase() : algorithm, '0'.repeat(zeros) + String(sequence), seed, last.text, ...(time === null ? [] : [time])],
    expect: (e: TokenEntry) => {
      check(e.kind === 'skey', `kind ${e.kind}`);
      deepStrictEqual(e.password, pw.spec);
      check(e.algorithm === algorithm && e.sequence === sequence && e.seed === seed, 'algorithm, sequence or seed');
      check(Buffer.from(e.last).equals(Buffer.from(last.bytes)), 'last value');
      check((e.lastTime === undefined ? undefined : formatOathTimestamp(e.lastTime)) === (time ?? undefined), 'lastTime');
    },
  }));

const motp: fc.Arbitrary<Token> = fc
  .record({
    password,
    secret: chars(HEX, 16, 32),
    pin: chars(DIGITS, 4, 8),
    offset: fc.integer({ min: -12, max: 14 }),
    plus: fc.boolean(),
    slot: fc.option(fc.oneof(fc.constant('-' as const), fc.maxSafeNat())),
    time: fc.option(timestamp),
  })
  .map(({ password: pw, secret, pin, offset, plus, slot, time }) => {
    const fields = [pw.text, secret, pin, offset > 0 && plus ? `+${offset}` : String(offset)];
    if (slot !== null) {
      fields.push(String(slot));
      if (time !== null) fields.push(time);
    }
    return {
      type: EXTENSION_TYPES.motp,
      fields,
      expect: (e: TokenEntry) => {
        check(e.kind === 'motp', `kind ${e.kind}`);
        deepStrictEqual(e.password, pw.spec);
        check(e.secret === secret && e.pin === pin && e.offsetHours === offset, 'secret, PIN or offset');
        check(e.lastSlot === (slot === null || slot === '-' ? undefined : slot), `lastSlot ${String(e.lastSlot)}`);
        const t = slot !== null && time !== null ? time : undefined;
        check((e.lastTime === undefined ? undefined : formatOathTimestamp(e.lastTime)) === t, 'lastTime');
      },
    };
  });

const staticLine: fc.Arbitrary<Token> = scryptHash.map(({ text, ln, r, p, salt, hash }) => ({
  type: EXTENSION_TYPES.static,
  fields: [text],
  expect: (e: TokenEntry) => {
    check(e.kind === 'static', `kind ${e.kind}`);
    deepStrictEqual(e.password, { kind: 'scrypt', hash: { ln, r, p, salt, hash } });
  },
}));

const backup: fc.Arbitrary<Token> = fc
  .record({
    params: scryptParams,
    salt: fc.uint8Array({ minLength: 8, maxLength: 64 }),
    slots: fc.array(fc.record({ hash: fc.uint8Array({ minLength: 16, maxLength: 40 }), used: fc.boolean() }), { minLength: 1, maxLength: 6 }),
    time: fc.option(timestamp),
  })
  .map(({ params, salt, slots, time }) => ({
    type: EXTENSION_TYPES.backup,
    fields: [
      `ln=${params.ln},r=${params.r},p=${params.p}`,
      b64(salt),
      slots.map((s) => `${s.used ? '!' : ''}${b64(s.hash)}`).join(','),
      ...(time === null ? [] : [time]),
    ],
    expect: (e: TokenEntry) => {
      check(e.kind === 'backup', `kind ${e.kind}`);
      deepStrictEqual(e.scrypt, { ...params, salt });
      deepStrictEqual(
        e.slots,
        slots.map(({ hash, used }) => ({ hash, used })),
      );
      check((e.lastTime === undefined ? undefined : formatOathTimestamp(e.lastTime)) === (time ?? undefined), 'lastTime');
    },
  }));

const token = fc.oneof(oath, oath, skey, motp, staticLine, backup);

/** Lines that are neither tokens nor metadata: liboath and otpd skip them. */
const filler = fc.constantFrom('', '# a comment', '   ', '\t', '#', 'unknown line with words', 'hotp alice - 00', 'HOTP/T30/9 x - 00', '#OTPD/METAX alice');

/** A token with its user, optional metadata, and the filler before it. */
const block = fc.record({
  user: fc.nat({ max: 2 }),
  meta: fc.option(meta, { freq: 3 }),
  token,
  before: fc.array(filler, { maxLength: 2 }),
  sep: fc.array(delim, { minLength: 3, maxLength: 3 }),
  lead: fc.constantFrom('', '', ' ', '\t '),
  end: lineEnd,
});

/** Joins fields with the generated delimiters, used in turn. */
function joinFields(fields: readonly string[], sep: readonly string[]): string {
  return fields.map((f, i) => (i === 0 ? f : `${sep[(i - 1) % sep.length] ?? ' '}${f}`)).join('');
}

/** The metadata fields this file writes and checks (the line may grow others, with their defaults). */
type MetaWant = Pick<TokenMeta, 'name' | 'enabled' | 'groups' | 'skew' | 'lastStep' | 'line'>;

type ValidFile = { content: Buffer; users: string[]; blocks: Array<{ line: number; user: string; meta: MetaWant | undefined; token: Token }> };

const validFile: fc.Arbitrary<ValidFile> = fc
  .record({
    users: fc.uniqueArray(userName, { minLength: 3, maxLength: 3 }),
    blocks: fc.array(block, { minLength: 1, maxLength: 4 }),
    lastEnd: fc.boolean(),
  })
  .map(({ users, blocks, lastEnd }) => {
    let text = '';
    let line = 0;
    const out: ValidFile['blocks'] = [];
    blocks.forEach((b, i) => {
      const user = users[b.user] ?? 'u';
      const ub = toBinary(user);
      for (const f of b.before) {
        text += `${f}\n`;
        line++;
      }
      let parsedMeta: MetaWant | undefined;
      if (b.meta !== null) {
        // a name unique per user: the block's index makes it so
        const m = b.meta;
        const name = m.name === undefined ? undefined : `${m.name}.${i}`;
        const kv: string[] = [];
        if (name !== undefined) kv.push(`name=${name}`);
        if (m.enabled !== undefined) kv.push(`enabled=${m.enabled ? 'yes' : 'no'}`);
        if (m.groups !== undefined) kv.push(`groups=${m.groups.join(',')}`);
        if (m.skew !== undefined) kv.push(`skew=${m.skew > 0 && i % 2 === 0 ? '+' : ''}${m.skew}`);
        if (m.lastStep !== undefined) kv.push(`laststep=${m.lastStep}`);
        if (i % 3 === 1) kv.reverse();
        text += `${b.lead}${joinFields([META_TYPE, ub, ...kv], b.sep)}${b.end}`;
        line++;
        parsedMeta = {
          name,
          enabled: m.enabled ?? true,
          groups: m.groups ?? [],
          skew: m.skew ?? 0,
          lastStep: m.lastStep,
          line,
        };
      }
      line++;
      const isLast = i === blocks.length - 1;
      text += `${b.lead}${joinFields([b.token.type, ub, ...b.token.fields], b.sep)}${isLast && !lastEnd ? '' : b.end}`;
      out.push({ line, user, meta: parsedMeta, token: b.token });
    });
    return { content: Buffer.from(text, 'latin1'), users, blocks: out };
  });

function checkMeta(got: TokenMeta, want: MetaWant | undefined): void {
  if (want === undefined) {
    check(
      got.line === undefined && got.name === undefined && got.enabled && got.groups.length === 0 && got.skew === 0 && got.lastStep === undefined,
      'default metadata',
    );
    return;
  }
  const pick = (m: MetaWant) => ({
    name: m.name,
    enabled: m.enabled,
    groups: [...m.groups],
    skew: m.skew === 0 ? 0 : m.skew,
    lastStep: m.lastStep,
    line: m.line,
  });
  deepStrictEqual(pick(got), pick(want));
}

// ---------------------------------------------------------------- hostile lines

const VOCABULARY = [
  ...OATH_TYPE_NAMES,
  ...Object.values(EXTENSION_TYPES),
  META_TYPE,
  'OTPD/',
  'OTPD/SKEYX',
  'alice',
  'bob',
  '-',
  '+',
  '$scrypt$',
  '$scrypt$ln=10,r=8,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA',
  '$scrypt$ln=99,r=0,p=1$$',
  'ln=10,r=8,p=1',
  'ln=20,r=32,p=16',
  'c2FsdHNhbHQ',
  'aGFzaGhhc2hoYXNoaGFzaA,!aGFzaGhhc2hoYXNoaGFzaA',
  '3132333435363738393031323334353637383930',
  '00',
  '0',
  '9007199254740991',
  '9007199254740992',
  '99999999999999999',
  '755224',
  '2026-11-22T05:30:27L',
  '2026-02-31T05:30:27L',
  '2026-11-22T25:30:27L',
  'md5',
  'MD4',
  'sha1',
  'sha256',
  '499',
  '10000',
  'ke1234',
  '0123456789abcdef',
  '12345678',
  '+14',
  '-13',
  'name=t1',
  'name=',
  'enabled=yes',
  'enabled=maybe',
  'groups=a,b',
  'groups=,',
  'skew=+1',
  'skew=-1051201',
  'laststep=5',
  'laststep=1234567890123456',
  'unknown=1',
  '\xff\xfe',
  '\xc3\xa9',
];

const word = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...VOCABULARY) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 8 }) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 6 }).map((b) => Buffer.from(b).toString('latin1')) },
);
/**
 * Valid token lines and files drawn once per run (from its seed) for the hostile inputs to start
 * from: generating them afresh for every input would cost more than the parse under test.
 */
type Pool = { readonly lines: readonly string[][]; readonly files: readonly ValidFile[] };
function pool(seed: number): Pool {
  const lines = fc.sample(
    fc.tuple(token, userName).map(([t, u]) => [t.type, toBinary(u), ...t.fields]),
    { numRuns: 500, seed },
  );
  return { lines, files: fc.sample(validFile, { numRuns: 300, seed: seed + 1 }) };
}

const hostileLine = (p: Pool): fc.Arbitrary<string> =>
  fc.oneof(
    fc.tuple(fc.array(word, { maxLength: 10 }), fc.array(delim, { minLength: 3, maxLength: 3 })).map(([ws, sep]) => joinFields(ws, sep)),
    fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b).toString('latin1').replace(/\n/g, ' ')),
    fc.string({ unit: 'grapheme', maxLength: 30 }).map((s) => toBinary(s).replace(/\n/g, ' ')),
    // a valid token line with one or two fields replaced, dropped or doubled
    fc
      .tuple(
        fc.constantFrom(...p.lines),
        fc.array(fc.tuple(fc.nat(), fc.nat({ max: 2 }), word), { minLength: 1, maxLength: 2 }),
        fc.array(delim, { minLength: 3, maxLength: 3 }),
      )
      .map(([line, edits, sep]) => {
        const fields = [...line];
        for (const [at, op, w] of edits) {
          const i = at % Math.max(1, fields.length);
          if (op === 0) fields[i] = w;
          else if (op === 1) fields.splice(i, 1);
          else fields.splice(i, 0, fields[i] ?? w);
        }
        return joinFields(fields, sep);
      }),
  );

const hostileFile = (p: Pool): fc.Arbitrary<Buffer> =>
  fc
    .tuple(
      fc.array(fc.tuple(hostileLine(p), fc.constantFrom('\n', '\r\n', '\r')), { maxLength: 5 }),
      fc.option(fc.constantFrom(...p.files), { freq: 4 }),
      fc.nat(),
    )
    .map(([lines, valid, at]) => {
      const hostile = lines.map(([l, e]) => l + e);
      if (valid !== null) {
        // valid lines and hostile ones mixed: errors next to good entries
        const good = splitLines(valid.content).map((l) => (l.raw.endsWith('\n') ? l.raw : `${l.raw}\n`));
        hostile.splice(at % (hostile.length + 1), 0, ...good);
      }
      return Buffer.from(hostile.join(''), 'latin1');
    });

function checkParse(content: Buffer, file: UsersFile): void {
  const lines = splitLines(content);
  check(joinLines(file.lines).equals(content), 'lines do not join back to the content');
  check(file.lines.length === lines.length, `${file.lines.length} lines, want ${lines.length}`);
  for (const e of file.errors) {
    check(e instanceof StoreLineError, `an error that is not a StoreLineError: ${String(e)}`);
    check(Number.isSafeInteger(e.line) && e.line >= 1 && e.line <= lines.length, `error names line ${e.line} of ${lines.length}`);
    check(e.message.startsWith(`${PATH}:${e.line}: `) && e.problem.length > 0, `error message ${JSON.stringify(e.message)}`);
    check(e.file === PATH, 'error names another file');
    tally(`error: ${e.problem.replace(/[0-9]+/g, 'N').slice(0, 60)}`);
  }
  for (const t of file.entries) {
    check(t.line >= 1 && t.line <= lines.length && t.raw === lines[t.line - 1]?.raw, `entry at line ${t.line} is not that line`);
    tally(`entry: ${t.kind}`);
  }
}

const summary = (f: UsersFile, users: ReadonlySet<string>) => ({
  entries: f.entries.filter((e) => users.has(e.user)).map((e) => [e.line, e.user, e.kind]),
  errors: f.errors.filter((e) => e.user !== undefined && users.has(e.user)).map((e) => [e.line, e.user, e.problem]),
});

describe(TARGET, () => {
  fuzzProperty(TARGET, 'arbitrary lines: never throws, errors name a line', 0.6, (seed) =>
    fc.property(hostileFile(pool(seed)), (content) => {
      checkParse(content, parseUsersFile(content, PATH));
    }),
  );

  fuzzProperty(TARGET, 'arbitrary lines: a parse limited to some users is the full parse for them', 0.1, (seed) =>
    fc.property(hostileFile(pool(seed)), fc.array(fc.oneof(userName, fc.constantFrom('alice', 'bob', '')), { maxLength: 3 }), (content, asked) => {
      const file = parseUsersFile(content, PATH);
      const named = [...new Set([...file.entries.map((e) => e.user), ...file.errors.flatMap((e) => (e.user === undefined ? [] : [e.user]))])];
      const users = new Set([...asked, ...named.slice(0, 2)]);
      const limited = parseUsersFile(content, PATH, { users });
      checkParse(content, limited);
      deepStrictEqual(summary(limited, users), summary(file, users));
      check(
        limited.entries.every((e) => users.has(e.user)),
        'a limited parse returned another user’s entry',
      );
    }),
  );

  fuzzProperty(TARGET, 'valid lines from random values parse back to them', 0.3, () =>
    fc.property(validFile, (v) => {
      const file = parseUsersFile(v.content, PATH);
      checkParse(v.content, file);
      check(file.errors.length === 0, `valid file refused: ${file.errors[0]?.message ?? ''}`);
      check(file.entries.length === v.blocks.length, `${file.entries.length} entries, want ${v.blocks.length}`);
      let rewritten = false;
      v.blocks.forEach((b, i) => {
        const e = file.entries[i] as TokenEntry;
        check(e.line === b.line && e.user === b.user, `entry ${i}: line ${e.line} user ${e.user}, want ${b.line} ${b.user}`);
        b.token.expect(e);
        checkMeta(e.meta, b.meta);
        if (b.meta !== undefined && !rewritten) {
          // the writer's form of the same metadata reads back the same (once a file: it costs a parse)
          rewritten = true;
          const written = `${formatMetaLine(toBinary(b.user), { ...b.meta, skew: b.meta.skew })}${e.raw}`;
          const again = parseUsersFile(Buffer.from(written, 'latin1'), PATH);
          check(again.errors.length === 0 && again.entries.length === 1, 'formatMetaLine output refused');
          checkMeta((again.entries[0] as TokenEntry).meta, { ...b.meta, line: 1 });
        }
      });
    }),
  );
});
