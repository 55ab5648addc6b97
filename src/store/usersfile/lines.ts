/**
 * Splitting a users file into lines and fields exactly as liboath does.
 *
 * Text is handled as "binary strings" (latin1: one char per byte) so that every byte of the file,
 * valid UTF-8 or not, survives a round trip unchanged. {@link toBinary} and {@link fromBinary}
 * convert between those and ordinary (UTF-8) strings at the API boundary.
 *
 * liboath reads lines with getline(3) (split after each `\n`, the last line may lack one) and splits
 * fields with strtok_r(3) on exactly four delimiters: space, tab, CR and LF. Leading delimiters are
 * skipped, so `  HOTP alice …` is still a token line, and CRLF line ends are harmless.
 */

/** One line of the file: its text without and with its terminator, in binary-string form. */
export interface RawLine {
  /** 1-based line number. */
  readonly number: number;
  /** The line including its `\n` (absent on a last line without one). */
  readonly raw: string;
}

/** liboath's field delimiters. @internal */
const DELIMITERS = ' \t\r\n';

/**
 * Splits file content into lines the way getline(3) does.
 *
 * @param content - the file's bytes
 * @returns the lines in order; concatenating their `raw` gives back the content exactly
 * @example
 * splitLines(Buffer.from('a\nb')); // [{ number: 1, raw: 'a\n' }, { number: 2, raw: 'b' }]
 */
export function splitLines(content: Uint8Array): RawLine[] {
  const text = Buffer.from(content.buffer, content.byteOffset, content.byteLength).toString('latin1');
  const lines: RawLine[] = [];
  let start = 0;
  while (start < text.length) {
    const end = text.indexOf('\n', start);
    const stop = end < 0 ? text.length : end + 1;
    lines.push({ number: lines.length + 1, raw: text.slice(start, stop) });
    start = stop;
  }
  return lines;
}

/**
 * Splits a line into fields as strtok_r(3) with `" \t\r\n"` does: runs of delimiters separate
 * fields and produce no empty fields.
 *
 * @param raw - one line, binary string
 * @returns the fields (binary strings), possibly none
 * @example
 * splitFields('HOTP\talice  -\r\n'); // ['HOTP', 'alice', '-']
 */
export function splitFields(raw: string): string[] {
  const fields: string[] = [];
  let i = 0;
  while (i < raw.length) {
    while (i < raw.length && DELIMITERS.includes(raw.charAt(i))) i++;
    if (i >= raw.length) break;
    const start = i;
    while (i < raw.length && !DELIMITERS.includes(raw.charAt(i))) i++;
    fields.push(raw.slice(start, i));
  }
  return fields;
}

/**
 * Converts a binary string (one char per byte) to an ordinary string, reading the bytes as UTF-8.
 *
 * @param binary - a binary string
 * @returns the decoded text (invalid sequences become U+FFFD)
 */
export function fromBinary(binary: string): string {
  return Buffer.from(binary, 'latin1').toString('utf8');
}

/**
 * Converts an ordinary string to its UTF-8 bytes as a binary string, the form lines are kept in.
 *
 * @param text - any string
 * @returns one char per UTF-8 byte
 */
export function toBinary(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

/**
 * Whether a field can be written into a line and read back as the same single field.
 *
 * @param binary - a field, binary string
 * @returns false for an empty field or one containing a delimiter
 */
export function isWritableField(binary: string): boolean {
  if (binary.length === 0) return false;
  for (const c of binary) if (DELIMITERS.includes(c)) return false;
  return true;
}

/** Whether a char code is one of liboath's field delimiters. @internal */
/** liboath's four field delimiters: space, tab, CR, LF. @internal */
export function isDelimiter(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
}

/**
 * The user a binary field names, as {@link fromBinary} reads it, without decoding pure ASCII.
 * @internal
 */
export function userOfField(field: string): string {
  for (let i = 0; i < field.length; i++) if (field.charCodeAt(i) > 0x7f) return fromBinary(field);
  return field;
}
