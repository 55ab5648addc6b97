/**
 * FrameReader: frames split at random byte boundaries (seeded; OTPD_TEST_SEED replays one) and
 * concatenated, the size limit enforced from the header alone, the partial-frame timer, errors as
 * events and never as throws.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { encodeFrame, FrameReader, ProtocolError, type Message } from '../../../src/protocol/index.js';
import { BAD_FRAMES, SAMPLE_MESSAGES, rawFrame } from '../../support/protocol-samples.js';
import { seededRandom } from '../../support/random.js';

const SEED = Number(process.env.OTPD_TEST_SEED ?? Date.now() % 2 ** 31);

function collect(reader: FrameReader): { messages: Message[]; errors: ProtocolError[] } {
  const messages: Message[] = [];
  const errors: ProtocolError[] = [];
  reader.onMessage((m) => messages.push(m));
  reader.onError((e) => errors.push(e));
  return { messages, errors };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('FrameReader', () => {
  it(`decodes frames split at random byte boundaries (seed ${SEED})`, () => {
    const rnd = seededRandom(SEED);
    const stream = Buffer.concat(SAMPLE_MESSAGES.map(encodeFrame));
    for (let iter = 0; iter < 500; iter++) {
      const reader = new FrameReader();
      const got = collect(reader);
      for (let off = 0; off < stream.length;) {
        const n = Math.min(stream.length - off, 1 + rnd.below(iter % 2 === 0 ? 8 : 600));
        reader.push(stream.subarray(off, off + n));
        off += n;
      }
      reader.end();
      expect(got.errors, `seed ${SEED} iteration ${iter}`).toEqual([]);
      expect(got.messages, `seed ${SEED} iteration ${iter}`).toEqual(SAMPLE_MESSAGES);
      expect(reader.pending).toBe(0);
      reader.dispose();
    }
  });

  it('decodes concatenated frames from one chunk, one byte at a time too, in order', () => {
    const stream = Buffer.concat(SAMPLE_MESSAGES.map(encodeFrame));
    const whole = new FrameReader();
    const a = collect(whole);
    whole.push(stream);
    expect(a.messages).toEqual(SAMPLE_MESSAGES);
    const bytewise = new FrameReader();
    const b = collect(bytewise);
    for (const byte of stream) bytewise.push(Uint8Array.of(byte));
    expect(b.messages).toEqual(SAMPLE_MESSAGES);
    whole.dispose();
    bytewise.dispose();
  });

  it('refuses an oversized frame as soon as its header arrives', () => {
    const reader = new FrameReader();
    const got = collect(reader);
    reader.push(rawFrame(4, 0, '', 100_000).subarray(0, 8));
    expect(got.errors.map((e) => e.reason)).toEqual(['too-large']);
    expect(reader.failed).toBe(true);
    const small = new FrameReader({ maxFrame: 64 });
    const s = collect(small);
    small.push(encodeFrame({ type: 'CONV', style: 'TEXT_INFO', text: 'x'.repeat(100) }).subarray(0, 8));
    expect(s.errors.map((e) => e.reason)).toEqual(['too-large']);
  });

  it('refuses a wrong start marker at its first byte', () => {
    const reader = new FrameReader();
    const got = collect(reader);
    reader.push(Buffer.from('G'));
    expect(got.errors.map((e) => e.reason)).toEqual(['bad-marker']);
  });

  it.each(BAD_FRAMES)('reports, once, and drops what follows: %s', (_name, frame, reason) => {
    const reader = new FrameReader();
    const got = collect(reader);
    expect(() => {
      reader.push(Buffer.concat([encodeFrame({ type: 'HELLO', version: 1 }), frame]));
      reader.push(encodeFrame({ type: 'ANSWER', response: 'after' }));
      reader.end();
    }).not.toThrow();
    expect(got.messages).toEqual([{ type: 'HELLO', version: 1 }]);
    expect(got.errors.map((e) => e.reason)).toEqual([reason]);
    expect(reader.pending).toBe(0);
  });

  it('times out a partial frame, and only a partial one', () => {
    vi.useFakeTimers();
    const reader = new FrameReader({ partialFrameMs: 2000 });
    const got = collect(reader);
    const frame = encodeFrame({ type: 'ANSWER', response: '123456' });
    reader.push(frame); // complete: no timer
    vi.advanceTimersByTime(10_000);
    expect(got.errors).toEqual([]);
    reader.push(frame.subarray(0, 5));
    vi.advanceTimersByTime(1500);
    reader.push(frame.subarray(5, 20)); // progress does not restart the frame's clock
    vi.advanceTimersByTime(499);
    expect(got.errors).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(got.errors.map((e) => [e.reason, e.wireCode])).toEqual([['timeout', 5]]);
    reader.push(frame.subarray(20));
    expect(got.messages).toHaveLength(1);
  });

  it('a frame that completes in time stops its timer; the next frame gets a fresh one', () => {
    vi.useFakeTimers();
    const reader = new FrameReader({ partialFrameMs: 2000 });
    const got = collect(reader);
    const frame = encodeFrame({ type: 'ANSWER', response: '123456' });
    reader.push(frame.subarray(0, 10));
    vi.advanceTimersByTime(1900);
    reader.push(Buffer.concat([frame.subarray(10), frame.subarray(0, 3)]));
    vi.advanceTimersByTime(1900);
    expect(got.errors).toEqual([]);
    vi.advanceTimersByTime(100);
    expect(got.errors.map((e) => e.reason)).toEqual(['timeout']);
    expect(got.messages).toHaveLength(1);
  });

  it('end() inside a frame reports truncated; dispose() stops everything', () => {
    vi.useFakeTimers();
    const reader = new FrameReader();
    const got = collect(reader);
    reader.push(encodeFrame({ type: 'RESULT', verdict: 'SUCCESS' }).subarray(0, 9));
    reader.end();
    expect(got.errors.map((e) => e.reason)).toEqual(['truncated']);
    const other = new FrameReader();
    const o = collect(other);
    other.push(Buffer.from('OTP'));
    other.dispose();
    vi.advanceTimersByTime(60_000);
    other.push(encodeFrame({ type: 'RESULT', verdict: 'SUCCESS' }));
    expect(o).toEqual({ messages: [], errors: [] });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a throwing message listener becomes an internal error, not a throw into push', () => {
    const reader = new FrameReader();
    const errors: string[] = [];
    reader.onMessage(() => {
      throw new Error('boom');
    });
    reader.onError((e) => errors.push(e.reason));
    reader.onError(() => {
      throw new Error('error listener fails too');
    });
    expect(() => reader.push(Buffer.concat([encodeFrame({ type: 'HELLO', version: 1 }), encodeFrame({ type: 'HELLO', version: 1 })]))).not.toThrow();
    expect(errors).toEqual(['internal']);
  });

  it('a listener may dispose the reader mid-chunk', () => {
    const reader = new FrameReader();
    const seen: Message[] = [];
    reader.onMessage((m) => {
      seen.push(m);
      reader.dispose();
    });
    reader.push(Buffer.concat(SAMPLE_MESSAGES.slice(0, 3).map(encodeFrame)));
    expect(seen).toHaveLength(1);
  });

  it('refuses options out of range', () => {
    expect(() => new FrameReader({ maxFrame: 8193 })).toThrow(RangeError);
    expect(() => new FrameReader({ partialFrameMs: -1 })).toThrow(RangeError);
  });
});
