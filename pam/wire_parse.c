/* SPDX-License-Identifier: MIT */
/*
 * Reading otpd frames. Every length read from the wire is checked against what remains before it is
 * used; strings point into the caller's buffer.
 */
#include <string.h>

#include "wire.h"
#include "wire_internal.h"

static const char **str_slot(otpd_msg *m, uint16_t item) {
  switch (item) {
  case OTPD_ITEM_SERVICE: return &m->service;
  case OTPD_ITEM_USER: return &m->user;
  case OTPD_ITEM_RHOST: return &m->rhost;
  case OTPD_ITEM_TTY: return &m->tty;
  case OTPD_ITEM_AUTHTOK: return &m->authtok;
  case OTPD_ITEM_TEXT: return &m->text;
  case OTPD_ITEM_RESPONSE: return &m->response;
  case OTPD_ITEM_MESSAGE: return &m->message;
  default: return NULL;
  }
}

otpd_wire_rc otpd_frame_peek(const uint8_t *buf, size_t avail, size_t *frame_len) {
  static const uint8_t start[4] = {0x4f, 0x54, 0x50, 0x44};
  if (buf == NULL || frame_len == NULL) return OTPD_WIRE_INVALID;
  _Static_assert(OTPD_START_MARKER == 0x4f545044u, "start[] mirrors OTPD_START_MARKER");
  size_t k = avail < 4 ? avail : 4;
  if (memcmp(buf, start, k) != 0) return OTPD_WIRE_BAD_MARKER;
  if (avail < 8) return OTPD_WIRE_NEED_MORE;
  uint32_t total = otpd_get32(buf + 4);
  if (total < OTPD_MIN_FRAME) return OTPD_WIRE_BAD_LENGTH;
  if (total > OTPD_MAX_FRAME) return OTPD_WIRE_TOO_LARGE;
  *frame_len = total;
  return OTPD_WIRE_OK;
}

static otpd_wire_rc parse(const uint8_t *buf, size_t len, otpd_msg *m) {
  size_t total = 0;
  otpd_wire_rc rc = otpd_frame_peek(buf, len, &total);
  if (rc == OTPD_WIRE_NEED_MORE) return OTPD_WIRE_BAD_LENGTH;
  if (rc != OTPD_WIRE_OK) return rc;
  if (total != len) return OTPD_WIRE_BAD_LENGTH;
  if (otpd_get32(buf + len - OTPD_TRAILER_SIZE) != OTPD_END_MARKER) return OTPD_WIRE_BAD_MARKER;

  /* Structure first: every item must fit in what remains before the end marker. */
  const size_t end = len - OTPD_TRAILER_SIZE;
  unsigned count = 0;
  for (size_t off = OTPD_HEADER_SIZE; off < end;) {
    if (end - off < OTPD_ITEM_HEADER_SIZE) return OTPD_WIRE_BAD_LENGTH;
    size_t vlen = otpd_get16(buf + off + 2);
    if (end - off - OTPD_ITEM_HEADER_SIZE < vlen) return OTPD_WIRE_BAD_LENGTH;
    if (++count > OTPD_MAX_ITEMS) return OTPD_WIRE_TOO_MANY_ITEMS;
    off += OTPD_ITEM_HEADER_SIZE + vlen;
  }

  m->type = otpd_get16(buf + 8);
  m->status = otpd_get16(buf + 10);
  if (m->type < OTPD_MSG_HELLO || m->type > OTPD_MSG_ERROR) return OTPD_WIRE_UNKNOWN_TYPE;
  /* HELLO is frozen: its version is read before items a future version may add. */
  if (m->type == OTPD_MSG_HELLO && m->status != OTPD_PROTOCOL_VERSION) return OTPD_WIRE_VERSION;

  uint32_t present = 0;
  for (size_t off = OTPD_HEADER_SIZE; off < end;) {
    uint16_t item = otpd_get16(buf + off);
    size_t vlen = otpd_get16(buf + off + 2);
    const uint8_t *v = buf + off + OTPD_ITEM_HEADER_SIZE;
    off += OTPD_ITEM_HEADER_SIZE + vlen;
    if (item < OTPD_ITEM_SERVICE || item > OTPD_ITEM_MESSAGE) return OTPD_WIRE_UNKNOWN_ITEM;
    if (present & ITEM_BIT(item)) return OTPD_WIRE_BAD_ITEM;
    if (!(otpd_wire_rules[m->type].allowed & ITEM_BIT(item))) return OTPD_WIRE_BAD_ITEM;
    present |= ITEM_BIT(item);
    if (ITEM_BIT(item) & STR_ITEMS) {
      if ((rc = otpd_wire_check_str(item, v, vlen)) != OTPD_WIRE_OK) return rc;
      *str_slot(m, item) = (const char *)v;
    } else {
      if (vlen != 4) return OTPD_WIRE_BAD_ITEM;
      m->has_flags = 1;
      m->flags = otpd_get32(v);
    }
  }
  if ((present & otpd_wire_rules[m->type].required) != otpd_wire_rules[m->type].required)
    return OTPD_WIRE_BAD_ITEM;
  return otpd_wire_check_status(m);
}

otpd_wire_rc otpd_msg_parse(const uint8_t *buf, size_t len, otpd_msg *m) {
  if (buf == NULL || m == NULL) return OTPD_WIRE_INVALID;
  otpd_msg_init(m, 0, 0);
  otpd_wire_rc rc = parse(buf, len, m);
  if (rc != OTPD_WIRE_OK) otpd_msg_init(m, 0, 0);
  return rc;
}
