/** Messages of every type and shape, shared by the protocol's unit and cross-language tests. */
import type { Message } from '../../src/protocol/index.js';

export const SAMPLE_MESSAGES: readonly Message[] = [
  { type: 'HELLO', version: 1 },
  { type: 'AUTH_START', service: 'sshd', user: 'alice' },
  { type: 'AUTH_START', service: 'sshd', user: 'alice', rhost: '192.0.2.7', flags: 0 },
  { type: 'AUTH_START', service: 'openvpn', user: 'bob', rhost: '2001:db8::1', tty: 'ssh', authtok: 'pwé755224', flags: 0x1 | 0x8 },
  { type: 'AUTH_START', service: 'su', user: 'Ünïcødé-🔑', tty: '/dev/pts/3', authtok: 'x', flags: 0x2 | 0x4 },
  { type: 'CONV', style: 'PROMPT_ECHO_OFF', text: 'One-time password: ' },
  { type: 'CONV', style: 'PROMPT_ECHO_ON', text: 'otp-md5 498 bi0617 ext, Response: ' },
  { type: 'CONV', style: 'ERROR_MSG', text: 'Wrong code.' },
  { type: 'CONV', style: 'TEXT_INFO', text: 'S/KEY sequence is low (9 left)' },
  { type: 'CONV', style: 'TEXT_INFO', text: 'x'.repeat(1023) },
  { type: 'ANSWER', response: '' },
  { type: 'ANSWER', response: '755224' },
  { type: 'ANSWER', response: '\uFEFFFOWL BORN DOCK SEEN LIMB FAIR' },
  { type: 'RESULT', verdict: 'SUCCESS' },
  { type: 'RESULT', verdict: 'AUTH_ERR' },
  { type: 'RESULT', verdict: 'USER_UNKNOWN' },
  { type: 'RESULT', verdict: 'AUTHINFO_UNAVAIL' },
  { type: 'RESULT', verdict: 'MAXTRIES' },
  { type: 'RESULT', verdict: 'CRED_INSUFFICIENT' },
  { type: 'ERROR', code: 2 },
  { type: 'ERROR', code: 3, message: 'ANSWER before AUTH_START' },
  { type: 'ERROR', code: 0xffff },
];

/** A frame built by hand: header + body + end marker, with the right total length unless given. */
export function rawFrame(type: number, status: number, body: Uint8Array | string = '', totalOverride?: number): Buffer {
  const b = typeof body === 'string' ? Buffer.from(body, 'latin1') : Buffer.from(body);
  const out = Buffer.alloc(12 + b.length + 4);
  out.write('OTPD', 0, 'latin1');
  out.writeUInt32BE(totalOverride ?? out.length, 4);
  out.writeUInt16BE(type, 8);
  out.writeUInt16BE(status, 10);
  b.copy(out, 12);
  out.write('.END', 12 + b.length, 'latin1');
  return out;
}

/** One TLV item; `value` as latin1 bytes, `length` overrides the length field. */
export function item(type: number, value: string, length?: number): string {
  const h = Buffer.alloc(4);
  h.writeUInt16BE(type, 0);
  h.writeUInt16BE(length ?? Buffer.byteLength(value, 'latin1'), 2);
  return h.toString('latin1') + value;
}

/** Frames every decoder must refuse, with the reason both sides give. */
export const BAD_FRAMES: ReadonlyArray<readonly [name: string, frame: Buffer, reason: string]> = [
  ['bad start marker', Buffer.concat([Buffer.from('OTPX'), rawFrame(5, 1).subarray(4)]), 'bad-marker'],
  ['bad end marker', Buffer.concat([rawFrame(5, 1).subarray(0, 12), Buffer.from('.ENX')]), 'bad-marker'],
  ['length below minimum', rawFrame(5, 1, '', 15), 'bad-length'],
  ['length above maximum', rawFrame(5, 1, '', 8193), 'too-large'],
  ['length 4 GiB', rawFrame(5, 1, '', 0xffffffff), 'too-large'],
  ['item overruns the frame', rawFrame(4, 0, item(8, 'ab\0', 5)), 'bad-length'],
  ['stray bytes after the last item', rawFrame(4, 0, `${item(8, 'ab\0')}\0\x08\0`), 'bad-length'],
  ['unknown message type 0', rawFrame(0, 0), 'unknown-type'],
  ['unknown message type 7', rawFrame(7, 0), 'unknown-type'],
  ['unknown item type 10', rawFrame(6, 1, item(10, 'x\0')), 'unknown-item'],
  ['unknown item type 0', rawFrame(6, 1, item(0, 'x\0')), 'unknown-item'],
  ['missing NUL', rawFrame(4, 0, item(8, 'abc')), 'bad-string'],
  ['NUL inside', rawFrame(4, 0, item(8, 'a\0b\0')), 'bad-string'],
  ['overlong UTF-8', rawFrame(4, 0, item(8, '\xc0\x80\0')), 'bad-string'],
  ['UTF-8 surrogate', rawFrame(4, 0, item(8, '\xed\xa0\x80\0')), 'bad-string'],
  ['UTF-8 above U+10FFFF', rawFrame(4, 0, item(8, '\xf4\x90\x80\x80\0')), 'bad-string'],
  ['truncated UTF-8', rawFrame(4, 0, item(8, '\xe2\x82\0')), 'bad-string'],
  ['empty user', rawFrame(2, 0, item(1, 's\0') + item(2, '\0')), 'bad-string'],
  ['string of 1024 bytes', rawFrame(4, 0, item(8, `${'z'.repeat(1024)}\0`)), 'bad-string'],
  ['duplicate item', rawFrame(6, 1, item(9, 'x\0') + item(9, 'y\0')), 'bad-item'],
  ['item not allowed here', rawFrame(6, 1, item(8, 'x\0')), 'bad-item'],
  ['required item missing', rawFrame(2, 0, item(1, 's\0')), 'bad-item'],
  ['flags of 2 bytes', rawFrame(2, 0, item(1, 's\0') + item(2, 'u\0') + item(6, '\0\x01')), 'bad-item'],
  ['unknown flag bit', rawFrame(2, 0, item(1, 's\0') + item(2, 'u\0') + item(6, '\0\0\0\x20')), 'bad-status'],
  ['use_first_pass without authtok', rawFrame(2, 0, item(1, 's\0') + item(2, 'u\0') + item(6, '\0\0\0\x08')), 'bad-item'],
  ['both first-pass flags', rawFrame(2, 0, item(1, 's\0') + item(2, 'u\0') + item(5, 'p\0') + item(6, '\0\0\0\x0c')), 'bad-status'],
  ['17 items', rawFrame(6, 1, item(9, 'm\0').repeat(17)), 'too-many-items'],
  ['HELLO version 2', rawFrame(1, 2), 'version'],
  ['HELLO version 2 with items of its own', rawFrame(1, 2, item(99, '\0')), 'version'],
  ['HELLO version 0', rawFrame(1, 0), 'version'],
  ['CONV style 5', rawFrame(3, 5, item(7, 't\0')), 'bad-status'],
  ['RESULT verdict 0', rawFrame(5, 0), 'bad-status'],
  ['RESULT verdict 7', rawFrame(5, 7), 'bad-status'],
  ['ERROR code 0', rawFrame(6, 0), 'bad-status'],
  ['ANSWER status 1', rawFrame(4, 1, item(8, '\0')), 'bad-status'],
];
