/**
 * How a string someone else chose (a user name, an rhost, a file name) is written into a log line:
 * every control character, line or paragraph separator and bidirectional control escaped, so it can
 * neither end the line nor disguise what follows. Every log otpd writes goes through here.
 */

/**
 * Escapes one character for a one-line log record: the audit log, explain mode, the daemon's and
 * otpctl's messages.
 */
export function escapeChar(char: string): string {
  switch (char) {
    case '\\':
      return '\\\\';
    case '"':
      return '\\"';
    case '\n':
      return '\\n';
    case '\r':
      return '\\r';
    case '\t':
      return '\\t';
    default:
      break;
  }
  const point = char.codePointAt(0) as number;
  if (point < 0x20 || point === 0x7f) return `\\x${point.toString(16).padStart(2, '0')}`;
  if (isInvisibleControl(point)) return `\\u{${point.toString(16).toUpperCase()}}`;
  return char;
}

/** C1 controls, line/paragraph separators, bidi controls, lone surrogates, BOM. */
function isInvisibleControl(point: number): boolean {
  return (
    (point >= 0x80 && point <= 0x9f) ||
    point === 0x2028 ||
    point === 0x2029 ||
    point === 0x200e ||
    point === 0x200f ||
    (point >= 0x202a && point <= 0x202e) ||
    (point >= 0x2066 && point <= 0x2069) ||
    (point >= 0xd800 && point <= 0xdfff) ||
    point === 0xfeff
  );
}

/**
 * Replaces every control character of a free text so it stays on one line (explain mode, log lines).
 */
export function escapeText(text: string): string {
  return Array.from(text, (char) => (char === '"' ? char : escapeChar(char))).join('');
}

/**
 * A line as every sink writes it: control characters, line and paragraph separators and bidirectional
 * controls escaped exactly as in an audit value ({@link escapeChar}: `\n`, `\r`, `\t`, `\xHH`,
 * `\u{HHHH}`), while `\` and `"` stay as they are — so an audit line, escaped already, passes
 * unchanged, and any other line (the daemon's own log, a message naming a user) cannot become two.
 *
 * @param line - one line, as given
 * @returns the same text on one line
 * @example
 * escapeLine('sshd/x\ncode=AUTH_OK_OTP'); // 'sshd/x\\ncode=AUTH_OK_OTP'
 */
export function escapeLine(line: string): string {
  return Array.from(line, (char) => (char === '\\' || char === '"' ? char : escapeChar(char))).join('');
}
