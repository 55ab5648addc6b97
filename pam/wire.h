/* SPDX-License-Identifier: MIT */
/*
 * Framing of the otpd protocol (docs/protocol.md, constants in otpd_protocol.h): building a frame into
 * the caller's bounded buffer and parsing a received frame defensively. No PAM, no sockets, no
 * allocation: parsed strings point into the caller's buffer, which must outlive the otpd_msg.
 */
#ifndef OTPD_WIRE_H
#define OTPD_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "otpd_protocol.h"

/* Results of every wire function. OK is 0; the names (otpd_wire_rc_name) are also the TS `reason`s. */
typedef enum otpd_wire_rc {
  OTPD_WIRE_OK = 0,
  OTPD_WIRE_NEED_MORE,      /* otpd_frame_peek: not enough bytes yet to know the frame's length */
  OTPD_WIRE_BAD_MARKER,     /* start or end marker wrong */
  OTPD_WIRE_BAD_LENGTH,     /* total length below the minimum or not what was given; an item overruns */
  OTPD_WIRE_TOO_LARGE,      /* total length above OTPD_MAX_FRAME */
  OTPD_WIRE_TOO_MANY_ITEMS, /* more than OTPD_MAX_ITEMS items */
  OTPD_WIRE_UNKNOWN_TYPE,   /* message type not in this version */
  OTPD_WIRE_UNKNOWN_ITEM,   /* item type not in this version */
  OTPD_WIRE_BAD_STRING,     /* no final NUL, NUL inside, bad UTF-8, too long, empty where not allowed */
  OTPD_WIRE_BAD_ITEM,       /* wrong size, duplicate, not allowed in this message, required one missing */
  OTPD_WIRE_BAD_STATUS,     /* status (style, verdict, error code) or flags out of range */
  OTPD_WIRE_VERSION,        /* a HELLO of another protocol version */
  OTPD_WIRE_NO_SPACE,       /* building: the caller's buffer is too small */
  OTPD_WIRE_INVALID         /* NULL argument or misuse */
} otpd_wire_rc;

/* One message, parsed or to be encoded. A string item is present when its pointer is non-NULL;
 * FLAGS is present when has_flags is non-zero. */
typedef struct otpd_msg {
  uint16_t type;   /* OTPD_MSG_* */
  uint16_t status; /* version, style, verdict or error code; 0 for AUTH_START and ANSWER */
  int has_flags;
  uint32_t flags; /* OTPD_FLAG_* */
  const char *service;
  const char *user;
  const char *rhost;
  const char *tty;
  const char *authtok;
  const char *text;
  const char *response;
  const char *message;
} otpd_msg;

/* Low-level builder. Errors are sticky: after the first failure every call is a no-op and
 * otpd_build_finish returns that failure. */
typedef struct otpd_builder {
  uint8_t *buf;
  size_t cap; /* min(caller's size, OTPD_MAX_FRAME) */
  size_t len;
  unsigned nitems;
  otpd_wire_rc rc;
} otpd_builder;

/* Starts a frame of `type` with `status` in buf[0 .. cap). */
void otpd_build_begin(otpd_builder *b, uint8_t *buf, size_t cap, uint16_t type, uint16_t status);
/* Appends a string item: s must be valid UTF-8 of at most OTPD_MAX_STRING - 1 bytes; the NUL is added. */
otpd_wire_rc otpd_build_str(otpd_builder *b, uint16_t item, const char *s);
otpd_wire_rc otpd_build_u32(otpd_builder *b, uint16_t item, uint32_t value);
/* Writes the end marker and the total length; *frame_len receives the frame's size. */
otpd_wire_rc otpd_build_finish(otpd_builder *b, size_t *frame_len);

/* Sets every field to "absent" and type/status as given. */
void otpd_msg_init(otpd_msg *m, uint16_t type, uint16_t status);

/* Checks a message against the rules of its type (docs/protocol.md, "Messages"), the same rules
 * otpd_msg_parse applies, so the module never sends what the daemon would refuse. */
otpd_wire_rc otpd_msg_check(const otpd_msg *m);

/* Checks, then encodes m into buf[0 .. cap) with items in ascending type order. */
otpd_wire_rc otpd_msg_encode(const otpd_msg *m, uint8_t *buf, size_t cap, size_t *frame_len);

/* Given the first `avail` bytes of a frame: NEED_MORE until the header is there (a wrong start-marker
 * byte is reported as soon as it arrives), then BAD_MARKER, BAD_LENGTH or TOO_LARGE, or OK with
 * *frame_len set (OTPD_MIN_FRAME .. OTPD_MAX_FRAME). Read exactly that many bytes, then parse. */
otpd_wire_rc otpd_frame_peek(const uint8_t *buf, size_t avail, size_t *frame_len);

/* Parses exactly one whole frame of `len` bytes. On OK, m's strings point into buf. On failure m is
 * reset to all-absent (no pointer into a refused frame survives). */
otpd_wire_rc otpd_msg_parse(const uint8_t *buf, size_t len, otpd_msg *m);

/* The ERROR code a receiver sends back for a parse failure (OTPD_ERR_*). */
uint16_t otpd_wire_error_code(otpd_wire_rc rc);

/* A stable lower-case name ("bad-marker") and a sentence, for logs. */
const char *otpd_wire_rc_name(otpd_wire_rc rc);
const char *otpd_wire_strerror(otpd_wire_rc rc);

/* Non-zero when s[0 .. n) is well-formed UTF-8 (no overlong forms, no surrogates, <= U+10FFFF). */
int otpd_utf8_valid(const uint8_t *s, size_t n);

#endif /* OTPD_WIRE_H */
