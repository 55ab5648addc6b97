/* SPDX-License-Identifier: MIT */
/*
 * Escaping for one-line log records. A user name, remote host, tty or a daemon's message is the
 * caller's text: unescaped, a newline in it starts a forged log line. The escapes are the daemon's
 * audit log's (src/audit/format.ts, escapeChar), so one reader handles both:
 *
 *   \  "  LF  CR  TAB            \\  \"  \n  \r  \t
 *   other bytes < 0x20, 0x7f     \xHH (lower case)
 *   U+0080..U+009F, U+2028, U+2029, U+200E, U+200F, U+202A..U+202E, U+2066..U+2069, U+FEFF
 *                                \u{HHHH} (upper case, no leading zeros)
 *   a byte that is not part of valid UTF-8 (stray, overlong, surrogate, past U+10FFFF, cut short)
 *                                \xHH
 *   anything else                copied
 */
#ifndef OTPD_ESCAPE_H
#define OTPD_ESCAPE_H

#include <stddef.h>

/*
 * Writes in[0 .. len) escaped into out[0 .. cap), NUL-terminated (cap >= 1), and returns the bytes
 * written before the NUL. Stops before an escape or a UTF-8 sequence that would not fit whole, and
 * then sets *cut (when cut is not NULL) to 1; else to 0.
 */
size_t otpd_escape(char *out, size_t cap, const char *in, size_t len, int *cut);

#endif /* OTPD_ESCAPE_H */
