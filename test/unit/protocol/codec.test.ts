/** encodeFrame/decodeFrame: round trips of every message type, and every way a frame can be wrong. */
import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame, peekFrameLength, ProtocolError, WireErrorCode, type Message } from '../../../src/protocol/index.js';
import { BAD_FRAMES, SAMPLE_MESSAGES, item, rawFrame } from '../../support/protocol-samples.js';

function refusal(f: () => unknown): ProtocolError {
  try {
    f();
  } catch (err) {
    if (err instanceof ProtocolError) return err;
    throw err;
  }
  throw new Error('expected a ProtocolError');
}

describe('encodeFrame / decodeFrame', () => {
  it.each(SAMPLE_MESSAGES.map((m) => [`${m.type} ${JSON.stringify(m).slice(0, 60)}`, m] as const))('round trip: %s', (_n, m) => {
    const frame = encodeFrame(m);
    expect(peekFrameLength(frame)).toBe(frame.length);
    expect(decodeFrame(frame)).toEqual(m);
    expect(encodeFrame(decodeFrame(frame))).toEqual(frame);
  });

  it('matches the documented bytes', () => {
    expect(encodeFrame({ type: 'HELLO', version: 1 }).toString('hex')).toBe('4f54504400000010000100012e454e44');
    expect(encodeFrame({ type: 'ANSWER', response: '755224' }).toString('hex')).toBe('4f5450440000001b0004000000080007373535323234002e454e44');
    expect(decodeFrame(Buffer.from('4f54504400000010000500012e454e44', 'hex'))).toEqual({ type: 'RESULT', verdict: 'SUCCESS' });
  });

  it('accepts items in any order and keeps a leading BOM', () => {
    const m = decodeFrame(rawFrame(2, 0, item(2, 'u\0') + item(1, '\xef\xbb\xbfs\0')));
    expect(m).toEqual({ type: 'AUTH_START', service: '\uFEFFs', user: 'u' });
  });

  it.each(BAD_FRAMES)('refuses: %s', (_name, frame, reason) => {
    const err = refusal(() => decodeFrame(frame));
    expect(err.reason).toBe(reason);
    expect(err.wireCode).toBe(reason === 'too-large' ? WireErrorCode.TOO_LARGE : reason === 'version' ? WireErrorCode.VERSION : WireErrorCode.MALFORMED);
  });

  it('refuses every truncation and an extra byte', () => {
    for (const m of SAMPLE_MESSAGES.slice(0, 8)) {
      const frame = encodeFrame(m);
      for (let k = 0; k < frame.length; k++) expect(refusal(() => decodeFrame(frame.subarray(0, k))).reason).toBe('bad-length');
      expect(refusal(() => decodeFrame(Buffer.concat([frame, Buffer.of(0)]))).reason).toBe('bad-length');
    }
  });

  it('peekFrameLength: waits for 8 bytes, refuses a wrong marker byte at once', () => {
    const frame = encodeFrame({ type: 'RESULT', verdict: 'SUCCESS' });
    for (let k = 0; k < 8; k++) expect(peekFrameLength(frame.subarray(0, k))).toBeUndefined();
    expect(refusal(() => peekFrameLength(Buffer.from('X'))).reason).toBe('bad-marker');
    expect(refusal(() => peekFrameLength(Buffer.from('OTPQ'))).reason).toBe('bad-marker');
  });

  const badMessages: ReadonlyArray<readonly [string, Message, string]> = [
    ['NUL inside a string', { type: 'ANSWER', response: 'a\0b' }, 'bad-string'],
    ['lone surrogate', { type: 'ANSWER', response: 'a\uD800' }, 'bad-string'],
    ['1024 bytes of text', { type: 'CONV', style: 'TEXT_INFO', text: 'x'.repeat(1024) }, 'bad-string'],
    ['1023 bytes made of 2-byte characters plus one', { type: 'CONV', style: 'TEXT_INFO', text: 'é'.repeat(512) }, 'bad-string'],
    ['empty user', { type: 'AUTH_START', service: 's', user: '' }, 'bad-string'],
    ['empty optional string', { type: 'AUTH_START', service: 's', user: 'u', rhost: '' }, 'bad-string'],
    ['unknown flag', { type: 'AUTH_START', service: 's', user: 'u', flags: 0x20 }, 'bad-status'],
    ['use_first_pass without authtok', { type: 'AUTH_START', service: 's', user: 'u', flags: 0x8 }, 'bad-item'],
    ['style unknown', { type: 'CONV', style: 'BINARY' as never, text: 't' }, 'bad-status'],
    ['verdict unknown', { type: 'RESULT', verdict: 'IGNORE' as never }, 'bad-status'],
    ['error code 0', { type: 'ERROR', code: 0 }, 'bad-status'],
    ['error code 65536', { type: 'ERROR', code: 65536 }, 'bad-status'],
    ['HELLO version 2', { type: 'HELLO', version: 2 }, 'version'],
    ['unknown type', { type: 'PING' } as never, 'unknown-type'],
    [
      'the largest AUTH_START (5 strings of 1023 bytes) fits',
      { type: 'AUTH_START', service: 'é'.repeat(511), user: 'é'.repeat(511), rhost: 'é'.repeat(511), tty: 'é'.repeat(511), authtok: 'é'.repeat(511) },
      'ok',
    ],
  ];
  it.each(badMessages)('encodeFrame refuses (or accepts) %s', (_n, m, reason) => {
    if (reason === 'ok') {
      expect(decodeFrame(encodeFrame(m))).toEqual(m);
      return;
    }
    expect(refusal(() => encodeFrame(m)).reason).toBe(reason);
  });
});
