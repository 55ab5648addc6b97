/* SPDX-License-Identifier: MIT */
/* Building otpd frames into a caller's buffer (layout: otpd_protocol.h). Never writes past cap. */
#include <string.h>

#include "wire.h"
#include "wire_internal.h"

void otpd_build_begin(otpd_builder *b, uint8_t *buf, size_t cap, uint16_t type, uint16_t status) {
  b->buf = buf;
  b->cap = cap < OTPD_MAX_FRAME ? cap : OTPD_MAX_FRAME;
  b->len = 0;
  b->nitems = 0;
  b->rc = OTPD_WIRE_OK;
  if (buf == NULL) {
    b->rc = OTPD_WIRE_INVALID;
    return;
  }
  if (b->cap < OTPD_MIN_FRAME) {
    b->rc = OTPD_WIRE_NO_SPACE;
    return;
  }
  otpd_put32(buf, OTPD_START_MARKER);
  otpd_put32(buf + 4, 0);
  otpd_put16(buf + 8, type);
  otpd_put16(buf + 10, status);
  b->len = OTPD_HEADER_SIZE;
}

/* Room for an item of vlen value bytes, keeping OTPD_TRAILER_SIZE for the end marker. */
static otpd_wire_rc item_room(otpd_builder *b, size_t vlen) {
  if (b->rc != OTPD_WIRE_OK) return b->rc;
  if (b->nitems >= OTPD_MAX_ITEMS) return b->rc = OTPD_WIRE_TOO_MANY_ITEMS;
  if (b->cap - b->len < OTPD_ITEM_HEADER_SIZE + OTPD_TRAILER_SIZE ||
      b->cap - b->len - OTPD_ITEM_HEADER_SIZE - OTPD_TRAILER_SIZE < vlen)
    return b->rc = OTPD_WIRE_NO_SPACE;
  return OTPD_WIRE_OK;
}

otpd_wire_rc otpd_build_str(otpd_builder *b, uint16_t item, const char *s) {
  if (b->rc == OTPD_WIRE_OK && s == NULL) b->rc = OTPD_WIRE_INVALID;
  if (b->rc != OTPD_WIRE_OK) return b->rc;
  size_t n = otpd_bounded_len(s, OTPD_MAX_STRING);
  if (n >= OTPD_MAX_STRING || !otpd_utf8_valid((const uint8_t *)s, n)) return b->rc = OTPD_WIRE_BAD_STRING;
  if (item_room(b, n + 1) != OTPD_WIRE_OK) return b->rc;
  otpd_put16(b->buf + b->len, item);
  otpd_put16(b->buf + b->len + 2, (uint16_t)(n + 1));
  memcpy(b->buf + b->len + OTPD_ITEM_HEADER_SIZE, s, n + 1);
  b->len += OTPD_ITEM_HEADER_SIZE + n + 1;
  b->nitems++;
  return OTPD_WIRE_OK;
}

otpd_wire_rc otpd_build_u32(otpd_builder *b, uint16_t item, uint32_t value) {
  if (item_room(b, 4) != OTPD_WIRE_OK) return b->rc;
  otpd_put16(b->buf + b->len, item);
  otpd_put16(b->buf + b->len + 2, 4);
  otpd_put32(b->buf + b->len + OTPD_ITEM_HEADER_SIZE, value);
  b->len += OTPD_ITEM_HEADER_SIZE + 4;
  b->nitems++;
  return OTPD_WIRE_OK;
}

otpd_wire_rc otpd_build_finish(otpd_builder *b, size_t *frame_len) {
  if (b->rc != OTPD_WIRE_OK) return b->rc;
  if (frame_len == NULL) return b->rc = OTPD_WIRE_INVALID;
  /* item_room kept the trailer's room. */
  otpd_put32(b->buf + b->len, OTPD_END_MARKER);
  b->len += OTPD_TRAILER_SIZE;
  otpd_put32(b->buf + 4, (uint32_t)b->len);
  *frame_len = b->len;
  return OTPD_WIRE_OK;
}

otpd_wire_rc otpd_msg_encode(const otpd_msg *m, uint8_t *buf, size_t cap, size_t *frame_len) {
  otpd_wire_rc rc = otpd_msg_check(m);
  if (rc != OTPD_WIRE_OK) return rc;
  otpd_builder b;
  otpd_build_begin(&b, buf, cap, m->type, m->status);
  const char *strs[] = {NULL, m->service, m->user, m->rhost, m->tty, m->authtok};
  for (uint16_t item = OTPD_ITEM_SERVICE; item <= OTPD_ITEM_AUTHTOK; item++)
    if (strs[item] != NULL) otpd_build_str(&b, item, strs[item]);
  if (m->has_flags) otpd_build_u32(&b, OTPD_ITEM_FLAGS, m->flags);
  if (m->text != NULL) otpd_build_str(&b, OTPD_ITEM_TEXT, m->text);
  if (m->response != NULL) otpd_build_str(&b, OTPD_ITEM_RESPONSE, m->response);
  if (m->message != NULL) otpd_build_str(&b, OTPD_ITEM_MESSAGE, m->message);
  return otpd_build_finish(&b, frame_len);
}
