/**
 * Frames ⇄ messages (docs/protocol.md, "Framing"). The checks, and the order they run in, follow
 * pam/wire.c's `otpd_msg_parse`, so both sides refuse the same frame for the same `reason`.
 */
import { FLAGS_ALL, Flag, Framing, ItemType, Limits, MessageType, PROTOCOL_VERSION, Style, Verdict, nameOf, type MessageTypeName } from './constants.js';
import { ProtocolError } from './errors.js';
import type { Message } from './messages.js';

const START = Uint8Array.of(0x4f, 0x54, 0x50, 0x44);
const STRING_ITEMS: ReadonlySet<number> = new Set([
  ItemType.SERVICE,
  ItemType.USER,
  ItemType.RHOST,
  ItemType.TTY,
  ItemType.AUTHTOK,
  ItemType.TEXT,
  ItemType.RESPONSE,
  ItemType.MESSAGE,
]);
const bit = (item: number): number => 1 << item;

/** Items each message type allows and requires, as bit masks (same table as pam/wire.c). */
const RULES: Readonly<Record<MessageTypeName, { allowed: number; required: number }>> = Object.freeze({
  HELLO: { allowed: 0, required: 0 },
  AUTH_START: {
    allowed: bit(ItemType.SERVICE) | bit(ItemType.USER) | bit(ItemType.RHOST) | bit(ItemType.TTY) | bit(ItemType.AUTHTOK) | bit(ItemType.FLAGS),
    required: bit(ItemType.SERVICE) | bit(ItemType.USER),
  },
  CONV: { allowed: bit(ItemType.TEXT), required: bit(ItemType.TEXT) },
  ANSWER: { allowed: bit(ItemType.RESPONSE), required: bit(ItemType.RESPONSE) },
  RESULT: { allowed: 0, required: 0 },
  ERROR: { allowed: bit(ItemType.MESSAGE), required: 0 },
});

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Where a frame's length stands after its first bytes: `undefined` while fewer than 8 bytes are there
 * (a wrong start-marker byte is refused as soon as it arrives), else the total length.
 *
 * @throws {ProtocolError} `bad-marker`, `bad-length` (below 16), `too-large` (above `maxFrame`).
 */
export function peekFrameLength(bytes: Uint8Array, maxFrame: number = Limits.MAX_FRAME): number | undefined {
  const k = Math.min(bytes.length, 4);
  for (let i = 0; i < k; i++) if (bytes[i] !== START[i]) throw new ProtocolError('bad-marker', 'no start marker');
  if (bytes.length < 8) return undefined;
  const total = view(bytes).getUint32(4);
  if (total < Framing.MIN_FRAME) throw new ProtocolError('bad-length', `total length ${total} is below ${Framing.MIN_FRAME}`);
  if (total > maxFrame) throw new ProtocolError('too-large', `total length ${total} is above ${maxFrame}`);
  return total;
}

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

/** Checks a string value as it sits on the wire (NUL included) and returns its text. */
function wireString(item: number, v: Uint8Array): string {
  const n = v.length;
  if (n < 1 || n > Limits.MAX_STRING || v[n - 1] !== 0)
    throw new ProtocolError('bad-string', `item ${item}: no final NUL or longer than ${Limits.MAX_STRING} bytes`);
  const body = v.subarray(0, n - 1);
  if (body.includes(0)) throw new ProtocolError('bad-string', `item ${item}: NUL inside the string`);
  if (n === 1 && item !== ItemType.RESPONSE) throw new ProtocolError('bad-string', `item ${item}: empty`);
  try {
    return utf8.decode(body);
  } catch (cause) {
    throw new ProtocolError('bad-string', `item ${item}: not UTF-8`, { cause });
  }
}

/** Status and flag rules, after the items (pam/wire.c `check_status`). */
function checkStatus(type: MessageTypeName, status: number, flags: number | undefined, hasAuthtok: boolean): void {
  const badStatus = (what: string): never => {
    throw new ProtocolError('bad-status', `${type}: ${what}`);
  };
  switch (type) {
    case 'HELLO':
      if (status !== PROTOCOL_VERSION) throw new ProtocolError('version', `peer speaks version ${status}, this side ${PROTOCOL_VERSION}`);
      return;
    case 'AUTH_START': {
      if (status !== 0) badStatus(`status ${status}, want 0`);
      if (flags === undefined) return;
      if ((flags & ~FLAGS_ALL) !== 0) badStatus(`unknown flag bits in 0x${flags.toString(16)}`);
      const first = flags & (Flag.TRY_FIRST_PASS | Flag.USE_FIRST_PASS);
      if (first === (Flag.TRY_FIRST_PASS | Flag.USE_FIRST_PASS)) badStatus('both TRY_FIRST_PASS and USE_FIRST_PASS');
      if (first !== 0 && !hasAuthtok) throw new ProtocolError('bad-item', 'AUTH_START: a first-pass flag without AUTHTOK');
      return;
    }
    case 'CONV':
      if (nameOf(Style, status) === undefined) badStatus(`style ${status}`);
      return;
    case 'ANSWER':
      if (status !== 0) badStatus(`status ${status}, want 0`);
      return;
    case 'RESULT':
      if (nameOf(Verdict, status) === undefined) badStatus(`verdict ${status}`);
      return;
    case 'ERROR':
      if (status === 0) badStatus('error code 0');
      return;
  }
}

/**
 * Decodes exactly one whole frame.
 *
 * @param frame - the frame's bytes, nothing before or after.
 * @returns the message, with copies of its strings.
 * @throws {ProtocolError} naming the first rule the frame breaks (docs/protocol.md, "Framing").
 * @example
 * decodeFrame(Buffer.from('4f54504400000010000500012e454e44', 'hex')); // { type: 'RESULT', verdict: 'SUCCESS' }
 */
export function decodeFrame(frame: Uint8Array): Message {
  const total = peekFrameLength(frame);
  if (total === undefined || total !== frame.length) throw new ProtocolError('bad-length', `total length ${total ?? '?'} but ${frame.length} bytes`);
  const dv = view(frame);
  if (dv.getUint32(total - Framing.TRAILER_SIZE) !== Framing.END_MARKER) throw new ProtocolError('bad-marker', 'no end marker');

  const end = total - Framing.TRAILER_SIZE;
  let count = 0;
  for (let off = Framing.HEADER_SIZE; off < end;) {
    if (end - off < Framing.ITEM_HEADER_SIZE) throw new ProtocolError('bad-length', `${end - off} stray bytes at offset ${off}`);
    const vlen = dv.getUint16(off + 2);
    if (end - off - Framing.ITEM_HEADER_SIZE < vlen) throw new ProtocolError('bad-length', `item at offset ${off} claims ${vlen} bytes`);
    if (++count > Limits.MAX_ITEMS) throw new ProtocolError('too-many-items', `more than ${Limits.MAX_ITEMS} items`);
    off += Framing.ITEM_HEADER_SIZE + vlen;
  }

  const typeCode = dv.getUint16(8);
  const status = dv.getUint16(10);
  const type = nameOf(MessageType, typeCode);
  if (type === undefined) throw new ProtocolError('unknown-type', `message type ${typeCode}`);
  if (type === 'HELLO' && status !== PROTOCOL_VERSION) throw new ProtocolError('version', `peer speaks version ${status}, this side ${PROTOCOL_VERSION}`);

  const rules = RULES[type];
  const strings = new Map<number, string>();
  let present = 0;
  let flags: number | undefined;
  for (let off = Framing.HEADER_SIZE; off < end;) {
    const item = dv.getUint16(off);
    const vlen = dv.getUint16(off + 2);
    const v = frame.subarray(off + Framing.ITEM_HEADER_SIZE, off + Framing.ITEM_HEADER_SIZE + vlen);
    off += Framing.ITEM_HEADER_SIZE + vlen;
    if (nameOf(ItemType, item) === undefined) throw new ProtocolError('unknown-item', `item type ${item}`);
    if ((present & bit(item)) !== 0) throw new ProtocolError('bad-item', `item ${item} twice`);
    if ((rules.allowed & bit(item)) === 0) throw new ProtocolError('bad-item', `item ${item} not allowed in ${type}`);
    present |= bit(item);
    if (STRING_ITEMS.has(item)) strings.set(item, wireString(item, v));
    else if (vlen !== 4) throw new ProtocolError('bad-item', `item ${item}: ${vlen} bytes, want 4`);
    else flags = view(v).getUint32(0);
  }
  if ((present & rules.required) !== rules.required) throw new ProtocolError('bad-item', `${type}: a required item is missing`);
  checkStatus(type, status, flags, strings.has(ItemType.AUTHTOK));
  return toMessage(type, status, strings, flags);
}

function toMessage(type: MessageTypeName, status: number, s: ReadonlyMap<number, string>, flags: number | undefined): Message {
  const req = (item: number): string => s.get(item) ?? '';
  switch (type) {
    case 'HELLO':
      return { type, version: status };
    case 'AUTH_START': {
      const rhost = s.get(ItemType.RHOST);
      const tty = s.get(ItemType.TTY);
      const authtok = s.get(ItemType.AUTHTOK);
      return {
        type,
        service: req(ItemType.SERVICE),
        user: req(ItemType.USER),
        ...(rhost !== undefined && { rhost }),
        ...(tty !== undefined && { tty }),
        ...(authtok !== undefined && { authtok }),
        ...(flags !== undefined && { flags }),
      };
    }
    case 'CONV':
      return { type, style: nameOf(Style, status) ?? 'PROMPT_ECHO_OFF', text: req(ItemType.TEXT) };
    case 'ANSWER':
      return { type, response: req(ItemType.RESPONSE) };
    case 'RESULT':
      return { type, verdict: nameOf(Verdict, status) ?? 'AUTH_ERR' };
    case 'ERROR': {
      const message = s.get(ItemType.MESSAGE);
      return { type, code: status, ...(message !== undefined && { message }) };
    }
  }
}

/** Status, items (ascending type order) of a message, after checking every field. */
function fields(m: Message): { typeCode: number; status: number; items: Array<[number, string | number]> } {
  const items: Array<[number, string | number]> = [];
  const str = (item: number, value: unknown, optional = false): void => {
    if (value === undefined && optional) return;
    if (typeof value !== 'string') throw new ProtocolError('bad-item', `item ${item}: not a string`);
    items.push([item, value]);
  };
  const u16 = (what: string, v: unknown, min: number): number => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > 0xffff) throw new ProtocolError('bad-status', `${what} ${String(v)}`);
    return v;
  };
  switch (m.type) {
    case 'HELLO':
      if (m.version !== PROTOCOL_VERSION) throw new ProtocolError('version', `HELLO version ${m.version}, this side ${PROTOCOL_VERSION}`);
      return { typeCode: MessageType.HELLO, status: m.version, items };
    case 'AUTH_START': {
      str(ItemType.SERVICE, m.service);
      str(ItemType.USER, m.user);
      str(ItemType.RHOST, m.rhost, true);
      str(ItemType.TTY, m.tty, true);
      str(ItemType.AUTHTOK, m.authtok, true);
      if (m.flags !== undefined) {
        if (!Number.isInteger(m.flags) || m.flags < 0 || m.flags > 0xffffffff) throw new ProtocolError('bad-status', `flags ${m.flags}`);
        items.push([ItemType.FLAGS, m.flags]);
      }
      checkStatus('AUTH_START', 0, m.flags, m.authtok !== undefined);
      return { typeCode: MessageType.AUTH_START, status: 0, items };
    }
    case 'CONV': {
      const style = Style[m.style] as number | undefined;
      if (style === undefined) throw new ProtocolError('bad-status', `style ${String(m.style)}`);
      str(ItemType.TEXT, m.text);
      return { typeCode: MessageType.CONV, status: style, items };
    }
    case 'ANSWER':
      str(ItemType.RESPONSE, m.response);
      return { typeCode: MessageType.ANSWER, status: 0, items };
    case 'RESULT': {
      const verdict = Verdict[m.verdict] as number | undefined;
      if (verdict === undefined) throw new ProtocolError('bad-status', `verdict ${String(m.verdict)}`);
      return { typeCode: MessageType.RESULT, status: verdict, items };
    }
    case 'ERROR':
      str(ItemType.MESSAGE, m.message, true);
      return { typeCode: MessageType.ERROR, status: u16('error code', m.code, 1), items };
    default:
      throw new ProtocolError('unknown-type', `message type ${String((m as { type: unknown }).type)}`);
  }
}

/**
 * Encodes one message as a frame, items in ascending type order (the bytes pam/wire.c's
 * `otpd_msg_encode` produces for the same message).
 *
 * @throws {ProtocolError} when a field breaks a rule the receiver would refuse it for: a string with
 *   a NUL, a lone surrogate, more than 1023 UTF-8 bytes, or empty (except `response`); a style,
 *   verdict, code or flag out of range; a HELLO of another version.
 * @example
 * encodeFrame({ type: 'ANSWER', response: '755224' }); // 27 bytes
 */
export function encodeFrame(m: Message): Buffer {
  const { typeCode, status, items } = fields(m);
  const encoded = items.map(([item, value]): [number, Buffer] => {
    if (typeof value === 'number') {
      const b = Buffer.alloc(4);
      b.writeUInt32BE(value);
      return [item, b];
    }
    if (value.includes('\0')) throw new ProtocolError('bad-string', `item ${item}: NUL inside the string`);
    if (LONE_SURROGATE.test(value)) throw new ProtocolError('bad-string', `item ${item}: not UTF-8 (lone surrogate)`);
    if (value === '' && item !== ItemType.RESPONSE) throw new ProtocolError('bad-string', `item ${item}: empty`);
    const b = Buffer.from(`${value}\0`, 'utf8');
    if (b.length > Limits.MAX_STRING) throw new ProtocolError('bad-string', `item ${item}: ${b.length - 1} bytes, at most ${Limits.MAX_STRING - 1}`);
    return [item, b];
  });
  const total = Framing.HEADER_SIZE + encoded.reduce((n, [, b]) => n + Framing.ITEM_HEADER_SIZE + b.length, 0) + Framing.TRAILER_SIZE;
  if (total > Limits.MAX_FRAME) throw new ProtocolError('too-large', `frame of ${total} bytes, at most ${Limits.MAX_FRAME}`);
  const out = Buffer.alloc(total);
  out.writeUInt32BE(Framing.START_MARKER, 0);
  out.writeUInt32BE(total, 4);
  out.writeUInt16BE(typeCode, 8);
  out.writeUInt16BE(status, 10);
  let off = Framing.HEADER_SIZE;
  for (const [item, b] of encoded) {
    out.writeUInt16BE(item, off);
    out.writeUInt16BE(b.length, off + 2);
    b.copy(out, off + Framing.ITEM_HEADER_SIZE);
    off += Framing.ITEM_HEADER_SIZE + b.length;
  }
  out.writeUInt32BE(Framing.END_MARKER, off);
  return out;
}
