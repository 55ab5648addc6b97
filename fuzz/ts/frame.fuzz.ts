/**
 * Target ts-frame: the daemon's frame decoder (src/protocol/codec.ts `decodeFrame`,
 * `peekFrameLength`) and its stream reader (src/protocol/reader.ts `FrameReader`).
 *
 * - arbitrary bytes, and frames built from arbitrary header fields and items: decoding either returns
 *   a message or throws a ProtocolError with one of the decoder's reasons; an accepted frame is
 *   16 .. 8192 bytes, its header names its own length, and it re-encodes to a frame of that length
 *   that decodes to the same message; peekFrameLength never reports a length above its limit;
 * - valid frames with a few mutations (bit flips, byte writes, inserts, deletes, truncation, rewritten
 *   total or item lengths): the same promises;
 * - encodeFrame → decodeFrame gives back the message, and decodeFrame → encodeFrame the bytes;
 * - FrameReader fed valid frames split at random byte boundaries emits the same messages and no error;
 *   with a lower maxFrame it emits the frames up to the first over-long one, then `too-large`; with
 *   garbage after them, the valid messages first and at most one ProtocolError; push never throws.
 */
import { deepStrictEqual } from 'node:assert/strict';
import fc from 'fast-check';
import { describe } from 'vitest';
import { FLAGS_ALL, Flag, Framing, Limits, Style, Verdict, type StyleName, type VerdictName } from '../../src/protocol/constants.js';
import { decodeFrame, encodeFrame, peekFrameLength } from '../../src/protocol/codec.js';
import { ProtocolError, type ProtocolErrorReason } from '../../src/protocol/errors.js';
import type { Message } from '../../src/protocol/messages.js';
import { FrameReader } from '../../src/protocol/reader.js';
import { check, fuzzProperty, tally } from './harness.js';

const TARGET = 'ts-frame';

/** What decodeFrame and peekFrameLength may refuse a frame for (the reader adds timeout, truncated, internal). */
const DECODE_REASONS: ReadonlySet<ProtocolErrorReason> = new Set<ProtocolErrorReason>([
  'bad-marker',
  'bad-length',
  'too-large',
  'too-many-items',
  'unknown-type',
  'unknown-item',
  'bad-string',
  'bad-item',
  'bad-status',
  'version',
]);

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Cuts a string to at most `max` UTF-8 bytes, at a code point boundary. */
function fitBytes(s: string, max: number): string {
  if (Buffer.byteLength(s, 'utf8') <= max) return s;
  let bytes = 0;
  let out = '';
  for (const c of s) {
    const n = Buffer.byteLength(c, 'utf8');
    if (bytes + n > max) break;
    bytes += n;
    out += c;
  }
  return out;
}

const unit = fc.constantFrom<'grapheme' | 'grapheme-ascii' | 'binary' | 'binary-ascii'>('grapheme', 'grapheme-ascii', 'binary', 'binary-ascii');
/** A string the protocol can carry: no NUL, no lone surrogate, at most 1023 UTF-8 bytes. */
const wireText = (minLength: 0 | 1): fc.Arbitrary<string> =>
  unit
    .chain((u) =>
      fc.oneof(
        { weight: 12, arbitrary: fc.string({ unit: u, maxLength: 24 }) },
        // long ones: a short string repeated (cheap to make) up to past the 1023-byte limit
        {
          weight: 1,
          arbitrary: fc
            .tuple(fc.string({ unit: u, minLength: 1, maxLength: 8 }), fc.integer({ min: 40, max: 1100 }))
            .map(([s, n]) => s.repeat(Math.ceil(n / s.length))),
        },
      ),
    )
    .map((s) => fitBytes(s.replace(/\0/g, '').replace(LONE_SURROGATE, ''), Limits.MAX_STRING - 1))
    .filter((s) => s.length >= minLength);

const STYLES = Object.keys(Style) as StyleName[];
const VERDICTS = Object.keys(Verdict) as VerdictName[];

/** Every valid message shape. */
const message: fc.Arbitrary<Message> = fc.oneof(
  fc.constant<Message>({ type: 'HELLO', version: 1 }),
  fc
    .record(
      {
        service: wireText(1),
        user: wireText(1),
        rhost: wireText(1),
        tty: wireText(1),
        authtok: wireText(1),
        flags: fc.integer({ min: 0, max: FLAGS_ALL }),
      },
      { requiredKeys: ['service', 'user'] },
    )
    .map((r): Message => {
      let flags = r.flags;
      const first = Flag.TRY_FIRST_PASS | Flag.USE_FIRST_PASS;
      if (flags !== undefined && (flags & first) === first) flags &= ~Flag.USE_FIRST_PASS;
      if (flags !== undefined && r.authtok === undefined) flags &= ~first;
      const { flags: _drop, ...rest } = r;
      return { type: 'AUTH_START', ...rest, ...(flags !== undefined && { flags }) };
    }),
  fc.record({ style: fc.constantFrom(...STYLES), text: wireText(1) }).map((r): Message => ({ type: 'CONV', ...r })),
  wireText(0).map((response): Message => ({ type: 'ANSWER', response })),
  fc.constantFrom(...VERDICTS).map((verdict): Message => ({ type: 'RESULT', verdict })),
  fc.record({ code: fc.integer({ min: 1, max: 0xffff }), message: wireText(1) }, { requiredKeys: ['code'] }).map((r): Message => ({ type: 'ERROR', ...r })),
);

/** A frame around `body` with the right total length unless `total` is given. */
function frameOf(type: number, status: number, body: Uint8Array, total?: number): Buffer {
  const out = Buffer.alloc(Framing.HEADER_SIZE + body.length + Framing.TRAILER_SIZE);
  out.writeUInt32BE(Framing.START_MARKER, 0);
  out.writeUInt32BE(total ?? out.length, 4);
  out.writeUInt16BE(type, 8);
  out.writeUInt16BE(status, 10);
  out.set(body, Framing.HEADER_SIZE);
  out.writeUInt32BE(Framing.END_MARKER, out.length - Framing.TRAILER_SIZE);
  return out;
}

/** One TLV: a type near the known ones, a value (often a NUL-terminated string), sometimes a wrong length. */
const tlv = fc
  .tuple(
    fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 0, max: 10 }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xffff }) }),
    fc.oneof(
      wireText(0).map((s) => Buffer.from(`${s}\0`, 'utf8')),
      fc.uint8Array({ maxLength: 12 }),
      fc.integer({ min: 0, max: 0xffffffff }).map((n) => {
        const b = Buffer.alloc(4);
        b.writeUInt32BE(n);
        return b;
      }),
    ),
    fc.option(fc.integer({ min: 0, max: 0xffff }), { freq: 8 }),
  )
  .map(([type, value, length]) => {
    const b = Buffer.alloc(4 + value.length);
    b.writeUInt16BE(type, 0);
    b.writeUInt16BE(length ?? value.length, 2);
    b.set(value, 4);
    return b;
  });

const header16 = fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 0, max: 8 }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xffff }) });

/** Bytes a peer might send instead of a frame. */
const hostileBytes: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ maxLength: 64 }),
  fc.tuple(header16, header16, fc.uint8Array({ maxLength: 96 })).map(([t, s, body]) => frameOf(t, s, body)),
  fc.tuple(header16, header16, fc.array(tlv, { maxLength: 18 })).map(([t, s, items]) => frameOf(t, s, Buffer.concat(items))),
  fc
    .tuple(header16, header16, fc.array(tlv, { maxLength: 4 }), fc.option(fc.integer({ min: 0, max: 0xffffffff })))
    .map(([t, s, items, total]) => frameOf(t, s, Buffer.concat(items), total ?? undefined)),
  // around the size limit: a string item filling the frame to 8190 .. 8196 bytes
  fc.tuple(fc.integer({ min: 8190, max: 8196 }), header16).map(([size, s]) => {
    const body = Buffer.alloc(size - Framing.HEADER_SIZE - Framing.TRAILER_SIZE, 0x61);
    body.writeUInt16BE(9, 0);
    body.writeUInt16BE(body.length - 4, 2);
    body[body.length - 1] = 0;
    return frameOf(6, s, body);
  }),
);

/** A mutation of a valid frame. */
type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; count: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'total'; value: number }
  | { kind: 'fix-total' }
  | { kind: 'item-length'; which: number; value: number }
  | { kind: 'header'; offset: 8 | 10; value: number }
  | { kind: 'item'; op: 'drop' | 'repeat' | 'retype'; which: number; type: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('total' as const),
    value: fc.oneof(fc.integer({ min: 0, max: 9000 }), fc.constantFrom(15, 16, 8191, 8192, 8193, 0x10000, 0xffffffff)),
  }),
  fc.constant<Mutation>({ kind: 'fix-total' }),
  fc.record({ kind: fc.constant('item-length' as const), which: fc.nat({ max: 8 }), value: fc.integer({ min: 0, max: 0xffff }) }),
  fc.record({ kind: fc.constant('header' as const), offset: fc.constantFrom<8 | 10>(8, 10), value: header16 }),
  fc.record({
    kind: fc.constant('item' as const),
    op: fc.constantFrom<'drop' | 'repeat' | 'retype'>('drop', 'repeat', 'retype'),
    which: fc.nat({ max: 8 }),
    type: fc.integer({ min: 0, max: 10 }),
  }),
);

/** The items of a frame as [offset, end) pairs, as far as their lengths allow. */
function itemSpans(b: Buffer): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  for (let off: number = Framing.HEADER_SIZE; off + 4 <= b.length - Framing.TRAILER_SIZE;) {
    const end = off + 4 + b.readUInt16BE(off + 2);
    if (end > b.length - Framing.TRAILER_SIZE) break;
    spans.push([off, end]);
    off = end;
  }
  return spans;
}

function mutate(frame: Buffer, m: Mutation): Buffer {
  const n = frame.length;
  switch (m.kind) {
    case 'flip': {
      if (n === 0) return frame;
      const b = Buffer.from(frame);
      b[m.at % n] = (b[m.at % n] ?? 0) ^ (1 << m.bit);
      return b;
    }
    case 'set': {
      if (n === 0) return frame;
      const b = Buffer.from(frame);
      b[m.at % n] = m.value;
      return b;
    }
    case 'insert': {
      const at = m.at % (n + 1);
      return Buffer.concat([frame.subarray(0, at), m.bytes, frame.subarray(at)]);
    }
    case 'delete': {
      if (n === 0) return frame;
      const at = m.at % n;
      return Buffer.concat([frame.subarray(0, at), frame.subarray(at + m.count)]);
    }
    case 'truncate':
      return frame.subarray(0, m.at % (n + 1));
    case 'total': {
      if (n < 8) return frame;
      const b = Buffer.from(frame);
      b.writeUInt32BE(m.value, 4);
      return b;
    }
    case 'fix-total': {
      if (n < 8) return frame;
      const b = Buffer.from(frame);
      b.writeUInt32BE(n, 4);
      return b;
    }
    case 'item-length': {
      // walk the items as far as their lengths allow and rewrite the length of the chosen one
      const b = Buffer.from(frame);
      let off: number = Framing.HEADER_SIZE;
      for (let i = 0; off + 4 <= b.length; i++) {
        if (i === m.which) {
          b.writeUInt16BE(m.value, off + 2);
          break;
        }
        off += 4 + b.readUInt16BE(off + 2);
      }
      return b;
    }
    case 'header': {
      if (n < 12) return frame;
      const b = Buffer.from(frame);
      b.writeUInt16BE(m.value, m.offset);
      return b;
    }
    case 'item': {
      // drop, repeat or retype one item, keeping the total length right: reaches the item rules
      const spans = itemSpans(frame);
      const span = spans[m.which % Math.max(1, spans.length)];
      if (span === undefined) return frame;
      const [from, to] = span;
      let b: Buffer;
      if (m.op === 'drop') b = Buffer.concat([frame.subarray(0, from), frame.subarray(to)]);
      else if (m.op === 'repeat') b = Buffer.concat([frame.subarray(0, to), frame.subarray(from, to), frame.subarray(to)]);
      else {
        b = Buffer.from(frame);
        b.writeUInt16BE(m.type, from);
      }
      b.writeUInt32BE(b.length, 4);
      return b;
    }
  }
}

/** Decodes hostile bytes and checks every promise the decoder makes about them. */
function decodeChecked(bytes: Uint8Array): void {
  let m: Message;
  try {
    m = decodeFrame(bytes);
  } catch (err) {
    check(err instanceof ProtocolError, `decodeFrame threw a non-ProtocolError: ${String(err)}`);
    check(DECODE_REASONS.has(err.reason), `decodeFrame refused for reason ${err.reason}`);
    tally(`refused: ${err.reason}`);
    return;
  }
  tally(`accepted: ${m.type}`);
  check(bytes.length >= Framing.MIN_FRAME && bytes.length <= Limits.MAX_FRAME, `accepted a frame of ${bytes.length} bytes`);
  check(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).readUInt32BE(4) === bytes.length, 'accepted a frame whose header names another length');
  const again = encodeFrame(m);
  check(again.length === bytes.length, `re-encoded to ${again.length} bytes, not ${bytes.length}`);
  deepStrictEqual(decodeFrame(again), m);
}

function peekChecked(bytes: Uint8Array, maxFrame: number): void {
  let total: number | undefined;
  try {
    total = peekFrameLength(bytes, maxFrame);
  } catch (err) {
    check(err instanceof ProtocolError, `peekFrameLength threw a non-ProtocolError: ${String(err)}`);
    check(['bad-marker', 'bad-length', 'too-large'].includes(err.reason), `peekFrameLength refused for reason ${err.reason}`);
    return;
  }
  if (bytes.length < 8) check(total === undefined, 'a length reported before the header was in');
  else check(total !== undefined && total >= Framing.MIN_FRAME && total <= maxFrame, `length ${String(total)} reported with maxFrame ${maxFrame}`);
}

/** Feeds `chunks` to a fresh reader; returns what it emitted. push must never throw. */
function feed(chunks: readonly Uint8Array[], maxFrame?: number): { messages: Message[]; errors: unknown[]; pending: number } {
  const reader = new FrameReader({ partialFrameMs: 0, ...(maxFrame !== undefined && { maxFrame }) });
  const messages: Message[] = [];
  const errors: unknown[] = [];
  reader.onMessage((m) => messages.push(m));
  reader.onError((e) => errors.push(e));
  for (const c of chunks) reader.push(c);
  const pending = reader.pending;
  reader.end();
  reader.dispose();
  return { messages, errors, pending };
}

/** `bytes` cut at the given points (any numbers; taken modulo the length), or byte by byte. */
function split(bytes: Buffer, cuts: readonly number[] | 'every-byte'): Buffer[] {
  if (cuts === 'every-byte') return [...bytes].map((b) => Buffer.of(b));
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let at = 0;
  for (const p of [...points, bytes.length]) {
    out.push(bytes.subarray(at, p)); // empty chunks on purpose: a reader must take them
    at = p;
  }
  return out;
}

const cuts = fc.oneof({ weight: 8, arbitrary: fc.array(fc.nat(), { maxLength: 16 }) }, { weight: 1, arbitrary: fc.constant('every-byte' as const) });

describe(TARGET, () => {
  fuzzProperty(TARGET, 'arbitrary bytes: only ProtocolError, no over-long frame', 0.3, () =>
    fc.property(hostileBytes, fc.integer({ min: Framing.MIN_FRAME, max: Limits.MAX_FRAME }), (bytes, maxFrame) => {
      decodeChecked(bytes);
      peekChecked(bytes, maxFrame);
      peekChecked(bytes.subarray(0, 8), maxFrame);
    }),
  );

  fuzzProperty(TARGET, 'mutated valid frames: only ProtocolError, no over-long frame', 0.3, () =>
    fc.property(message, fc.oneof(fc.array(mutation, { minLength: 1, maxLength: 1 }), fc.array(mutation, { minLength: 2, maxLength: 4 })), (m, mutations) => {
      const bytes = mutations.reduce(mutate, encodeFrame(m));
      decodeChecked(bytes);
      peekChecked(bytes, Limits.MAX_FRAME);
    }),
  );

  fuzzProperty(TARGET, 'encodeFrame → decodeFrame round-trips', 0.25, () =>
    fc.property(message, (m) => {
      const frame = encodeFrame(m);
      check(frame.length >= Framing.MIN_FRAME && frame.length <= Limits.MAX_FRAME, `encoded ${frame.length} bytes`);
      const back = decodeFrame(frame);
      deepStrictEqual(back, m);
      check(encodeFrame(back).equals(frame), 're-encoding the decoded message gave other bytes');
    }),
  );

  fuzzProperty(TARGET, 'FrameReader: frames split anywhere yield the same messages', 0.1, () =>
    fc.property(fc.array(message, { minLength: 1, maxLength: 6 }), cuts, (messages, at) => {
      const got = feed(split(Buffer.concat(messages.map(encodeFrame)), at));
      check(got.errors.length === 0, `reader reported ${String(got.errors[0])}`);
      check(got.pending === 0, `${got.pending} bytes left pending`);
      deepStrictEqual(got.messages, messages);
    }),
  );

  fuzzProperty(TARGET, 'FrameReader: maxFrame and trailing garbage', 0.05, () =>
    fc.property(
      fc.array(message, { minLength: 1, maxLength: 4 }),
      fc.integer({ min: Framing.MIN_FRAME, max: Limits.MAX_FRAME }),
      fc.oneof(fc.uint8Array({ maxLength: 40 }), hostileBytes),
      cuts,
      (messages, maxFrame, garbage, at) => {
        const frames = messages.map(encodeFrame);
        const fitting = frames.findIndex((f) => f.length > maxFrame);
        const limited = feed(split(Buffer.concat(frames), at), maxFrame);
        if (fitting < 0) {
          check(limited.errors.length === 0, `reader reported ${String(limited.errors[0])}`);
          deepStrictEqual(limited.messages, messages);
        } else {
          check(limited.errors.length === 1, `${limited.errors.length} errors for an over-long frame`);
          const err = limited.errors[0];
          check(err instanceof ProtocolError && err.reason === 'too-large', `over-long frame refused as ${String(err)}`);
          deepStrictEqual(limited.messages, messages.slice(0, fitting));
        }

        const dirty = feed(split(Buffer.concat([...frames, garbage]), at));
        check(dirty.errors.length <= 1, `${dirty.errors.length} errors reported`);
        check(
          dirty.errors.every((e) => e instanceof ProtocolError),
          'a non-ProtocolError reported',
        );
        deepStrictEqual(dirty.messages.slice(0, messages.length), messages);
        for (const extra of dirty.messages.slice(messages.length)) encodeFrame(extra); // anything more was valid
      },
    ),
  );
});
