/* SPDX-License-Identifier: MIT */
/* Escaping for one-line log records; see escape.h. */
#include "escape.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* The code points escapeChar names although they are valid text: C1 controls, line and paragraph
 * separators, bidirectional controls (they reorder what a reader sees) and the BOM. */
static int invisible(uint32_t cp) {
  return (cp >= 0x80 && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029 || cp == 0x200e || cp == 0x200f ||
         (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0xfeff;
}

/* The length (2 .. 4) of the valid UTF-8 sequence at s[0 .. n) with its code point, or 0. */
static size_t utf8_seq(const unsigned char *s, size_t n, uint32_t *cp) {
  size_t need;
  uint32_t c, min;
  if (s[0] >= 0xc2 && s[0] <= 0xdf)
    need = 2, c = s[0] & 0x1fu, min = 0x80;
  else if ((s[0] & 0xf0) == 0xe0)
    need = 3, c = s[0] & 0x0fu, min = 0x800;
  else if (s[0] >= 0xf0 && s[0] <= 0xf4)
    need = 4, c = s[0] & 0x07u, min = 0x10000;
  else
    return 0;
  if (n < need) return 0;
  for (size_t k = 1; k < need; k++) {
    if ((s[k] & 0xc0) != 0x80) return 0;
    c = (c << 6) | (s[k] & 0x3fu);
  }
  if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) return 0;
  *cp = c;
  return need;
}

size_t otpd_escape(char *out, size_t cap, const char *in, size_t len, int *cut) {
  const unsigned char *s = (const unsigned char *)in;
  size_t o = 0, i = 0;
  int short_of_room = 0;
  if (cap == 0) {
    if (cut != NULL) *cut = len > 0;
    return 0;
  }
  while (i < len) {
    char esc[16];
    const char *piece = esc;
    size_t plen = 2, used = 1;
    uint32_t cp = 0;
    switch (s[i]) {
    case '\\': memcpy(esc, "\\\\", 2); break;
    case '"': memcpy(esc, "\\\"", 2); break;
    case '\n': memcpy(esc, "\\n", 2); break;
    case '\r': memcpy(esc, "\\r", 2); break;
    case '\t': memcpy(esc, "\\t", 2); break;
    default:
      if (s[i] >= 0x20 && s[i] < 0x7f) {
        piece = in + i, plen = 1;
      } else if (s[i] < 0x80 || (used = utf8_seq(s + i, len - i, &cp)) == 0) {
        used = 1;
        plen = (size_t)snprintf(esc, sizeof esc, "\\x%02x", (unsigned)s[i]);
      } else if (invisible(cp)) {
        plen = (size_t)snprintf(esc, sizeof esc, "\\u{%X}", (unsigned)cp);
      } else {
        piece = in + i, plen = used;
      }
    }
    if (plen > cap - 1 - o) {
      short_of_room = 1;
      break;
    }
    memcpy(out + o, piece, plen);
    o += plen;
    i += used;
  }
  out[o] = '\0';
  if (cut != NULL) *cut = short_of_room;
  return o;
}
