/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the C frame parser (pam/wire.h). Each input is read three ways:
 *
 *   - as one whole frame: otpd_msg_parse(data, size);
 *   - as a stream, the way the client reads its socket: otpd_frame_peek, then each frame it names
 *     copied into a buffer of exactly its length (so ASan sees any read past it) and parsed;
 *   - byte by byte: otpd_frame_peek on every prefix of the first 8 bytes.
 *
 * A parsed message must keep wire.h's promises (strings inside the frame, NUL-terminated, valid
 * UTF-8, below OTPD_MAX_STRING; the rules of its type), re-encode into a buffer of the frame's exact
 * size and not one byte less, and parse back to the same message. A refused frame leaves the message
 * all-absent. A broken promise aborts, which libFuzzer reports as a crash.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                          \
  do {                                                                                                       \
    if (!(cond)) {                                                                                           \
      fprintf(stderr, "fuzz_wire: %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);                    \
      abort();                                                                                               \
    }                                                                                                        \
  } while (0)

static const char *const *strings_of(const otpd_msg *m, const char *out[8]) {
  out[0] = m->service, out[1] = m->user, out[2] = m->rhost, out[3] = m->tty;
  out[4] = m->authtok, out[5] = m->text, out[6] = m->response, out[7] = m->message;
  return out;
}

static void check_absent(const otpd_msg *m) {
  const char *s[8];
  strings_of(m, s);
  CHECK(m->type == 0 && m->status == 0 && m->has_flags == 0 && m->flags == 0);
  for (int i = 0; i < 8; i++) CHECK(s[i] == NULL);
}

static void check_same(const otpd_msg *a, const otpd_msg *b) {
  const char *sa[8], *sb[8];
  strings_of(a, sa);
  strings_of(b, sb);
  CHECK(a->type == b->type && a->status == b->status && a->has_flags == b->has_flags);
  CHECK(!a->has_flags || a->flags == b->flags);
  for (int i = 0; i < 8; i++) {
    CHECK((sa[i] == NULL) == (sb[i] == NULL));
    if (sa[i] != NULL) CHECK(strcmp(sa[i], sb[i]) == 0);
  }
}

/* Parses buf[0 .. len) as one frame and checks the outcome. */
static void check_frame(const uint8_t *buf, size_t len) {
  otpd_msg m;
  memset(&m, 0xa5, sizeof m); /* parse must set every field, whatever was there */
  otpd_wire_rc rc = otpd_msg_parse(buf, len, &m);
  CHECK(strcmp(otpd_wire_rc_name(rc), "unknown") != 0);
  if (rc != OTPD_WIRE_OK) {
    CHECK(rc != OTPD_WIRE_NEED_MORE && rc != OTPD_WIRE_NO_SPACE && rc != OTPD_WIRE_INVALID);
    CHECK(otpd_wire_error_code(rc) != 0);
    check_absent(&m);
    return;
  }
  CHECK(len >= OTPD_MIN_FRAME && len <= OTPD_MAX_FRAME);
  CHECK(m.type >= OTPD_MSG_HELLO && m.type <= OTPD_MSG_ERROR);
  const char *s[8];
  strings_of(&m, s);
  for (int i = 0; i < 8; i++) {
    if (s[i] == NULL) continue;
    const uint8_t *p = (const uint8_t *)s[i];
    CHECK(p >= buf + OTPD_HEADER_SIZE && p < buf + len - OTPD_TRAILER_SIZE);
    const uint8_t *nul = memchr(p, 0, (size_t)(buf + len - OTPD_TRAILER_SIZE - p));
    CHECK(nul != NULL);
    CHECK((size_t)(nul - p) < OTPD_MAX_STRING);
    CHECK(otpd_utf8_valid(p, (size_t)(nul - p)));
  }
  CHECK(otpd_msg_check(&m) == OTPD_WIRE_OK);

  /* Re-encoding: the same items, so exactly len bytes; one byte less must be refused, not overrun. */
  uint8_t *out = malloc(len);
  CHECK(out != NULL);
  size_t out_len = 0;
  CHECK(otpd_msg_encode(&m, out, len, &out_len) == OTPD_WIRE_OK);
  CHECK(out_len == len);
  CHECK(memcmp(out, buf, OTPD_HEADER_SIZE) == 0);
  otpd_msg back;
  CHECK(otpd_msg_parse(out, out_len, &back) == OTPD_WIRE_OK);
  check_same(&m, &back);
  free(out);
  uint8_t *small = malloc(len - 1);
  CHECK(small != NULL);
  CHECK(otpd_msg_encode(&m, small, len - 1, &out_len) == OTPD_WIRE_NO_SPACE);
  free(small);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 2 * OTPD_MAX_FRAME + 64) return -1; /* keep inputs near the frame limit, not beyond */

  check_frame(data, size);

  /* A stream of frames. */
  size_t off = 0;
  while (off < size) {
    size_t len = 0, avail = size - off;
    otpd_wire_rc rc = otpd_frame_peek(data + off, avail, &len);
    if (rc == OTPD_WIRE_NEED_MORE) CHECK(avail < 8);
    if (rc != OTPD_WIRE_OK) {
      CHECK(rc == OTPD_WIRE_NEED_MORE || rc == OTPD_WIRE_BAD_MARKER || rc == OTPD_WIRE_BAD_LENGTH ||
            rc == OTPD_WIRE_TOO_LARGE);
      break;
    }
    CHECK(avail >= 8 && len >= OTPD_MIN_FRAME && len <= OTPD_MAX_FRAME);
    if (len > avail) break;
    uint8_t *frame = malloc(len);
    CHECK(frame != NULL);
    memcpy(frame, data + off, len);
    check_frame(frame, len);
    free(frame);
    off += len;
  }

  /* The header byte by byte: a wrong start-marker byte is refused as soon as it arrives, and a
   * verdict once given never changes as more bytes come. */
  otpd_wire_rc last = OTPD_WIRE_NEED_MORE;
  size_t last_len = 0;
  for (size_t k = 0; k <= size && k <= 12; k++) {
    uint8_t *prefix = malloc(k == 0 ? 1 : k);
    CHECK(prefix != NULL);
    memcpy(prefix, data, k);
    size_t len = 0;
    otpd_wire_rc rc = otpd_frame_peek(prefix, k, &len);
    free(prefix);
    if (last != OTPD_WIRE_NEED_MORE) CHECK(rc == last && (rc != OTPD_WIRE_OK || len == last_len));
    if (k < 8) CHECK(rc == OTPD_WIRE_NEED_MORE || rc == OTPD_WIRE_BAD_MARKER);
    last = rc;
    last_len = len;
  }
  return 0;
}
