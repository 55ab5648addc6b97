/* SPDX-License-Identifier: MIT */
/*
 * Frame building and parsing for the otpd protocol. Layout: otpd_protocol.h; rules: docs/protocol.md.
 * Every length read from the wire is checked against what remains before it is used.
 */
#include "wire.h"

#include <string.h>

#define ITEM_BIT(t) (1u << (t))
#define STR_ITEMS                                                                                  \
  (ITEM_BIT(OTPD_ITEM_SERVICE) | ITEM_BIT(OTPD_ITEM_USER) | ITEM_BIT(OTPD_ITEM_RHOST) |            \
   ITEM_BIT(OTPD_ITEM_TTY) | ITEM_BIT(OTPD_ITEM_AUTHTOK) | ITEM_BIT(OTPD_ITEM_TEXT) |              \
   ITEM_BIT(OTPD_ITEM_RESPONSE) | ITEM_BIT(OTPD_ITEM_MESSAGE))

/* Which items each message type allows and requires (index: OTPD_MSG_*). */
static const struct {
  uint32_t allowed;
  uint32_t required;
} rules[] = {
  [OTPD_MSG_HELLO] = {0, 0},
  [OTPD_MSG_AUTH_START] = {ITEM_BIT(OTPD_ITEM_SERVICE) | ITEM_BIT(OTPD_ITEM_USER) |
                             ITEM_BIT(OTPD_ITEM_RHOST) | ITEM_BIT(OTPD_ITEM_TTY) |
                             ITEM_BIT(OTPD_ITEM_AUTHTOK) | ITEM_BIT(OTPD_ITEM_FLAGS),
                           ITEM_BIT(OTPD_ITEM_SERVICE) | ITEM_BIT(OTPD_ITEM_USER)},
  [OTPD_MSG_CONV] = {ITEM_BIT(OTPD_ITEM_TEXT), ITEM_BIT(OTPD_ITEM_TEXT)},
  [OTPD_MSG_ANSWER] = {ITEM_BIT(OTPD_ITEM_RESPONSE), ITEM_BIT(OTPD_ITEM_RESPONSE)},
  [OTPD_MSG_RESULT] = {0, 0},
  [OTPD_MSG_ERROR] = {ITEM_BIT(OTPD_ITEM_MESSAGE), 0},
};

static uint16_t get16(const uint8_t *p) { return (uint16_t)((p[0] << 8) | p[1]); }

static uint32_t get32(const uint8_t *p) {
  return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static void put16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)(v >> 8);
  p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}

int otpd_utf8_valid(const uint8_t *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    uint8_t c = s[i];
    size_t need;
    uint32_t cp, min;
    if (c < 0x80) {
      i++;
      continue;
    }
    if (c >= 0xc2 && c <= 0xdf) {
      need = 1, cp = c & 0x1fu, min = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
      need = 2, cp = c & 0x0fu, min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3, cp = c & 0x07u, min = 0x10000;
    } else {
      return 0;
    }
    if (n - i - 1 < need) return 0;
    for (size_t k = 1; k <= need; k++) {
      uint8_t d = s[i + k];
      if ((d & 0xc0) != 0x80) return 0;
      cp = (cp << 6) | (d & 0x3fu);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
    i += need + 1;
  }
  return 1;
}

/* strlen that stops looking at max (strnlen is POSIX, this file is plain C11). */
static size_t bounded_len(const char *s, size_t max) {
  size_t n = 0;
  while (n < max && s[n] != '\0') n++;
  return n;
}

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

void otpd_msg_init(otpd_msg *m, uint16_t type, uint16_t status) {
  memset(m, 0, sizeof *m);
  m->type = type;
  m->status = status;
}

/* Status and flags rules shared by check and parse; items are checked by the callers. */
static otpd_wire_rc check_status(const otpd_msg *m) {
  switch (m->type) {
  case OTPD_MSG_HELLO: return m->status == OTPD_PROTOCOL_VERSION ? OTPD_WIRE_OK : OTPD_WIRE_VERSION;
  case OTPD_MSG_AUTH_START:
    if (m->status != 0) return OTPD_WIRE_BAD_STATUS;
    if (m->has_flags) {
      uint32_t first = m->flags & (OTPD_FLAG_TRY_FIRST_PASS | OTPD_FLAG_USE_FIRST_PASS);
      if (m->flags & ~OTPD_FLAGS_ALL) return OTPD_WIRE_BAD_STATUS;
      if (first == (OTPD_FLAG_TRY_FIRST_PASS | OTPD_FLAG_USE_FIRST_PASS)) return OTPD_WIRE_BAD_STATUS;
      if (first != 0 && m->authtok == NULL) return OTPD_WIRE_BAD_ITEM;
    }
    return OTPD_WIRE_OK;
  case OTPD_MSG_CONV:
    return m->status >= OTPD_STYLE_PROMPT_ECHO_OFF && m->status <= OTPD_STYLE_TEXT_INFO ? OTPD_WIRE_OK
                                                                                       : OTPD_WIRE_BAD_STATUS;
  case OTPD_MSG_ANSWER: return m->status == 0 ? OTPD_WIRE_OK : OTPD_WIRE_BAD_STATUS;
  case OTPD_MSG_RESULT:
    return m->status >= OTPD_VERDICT_SUCCESS && m->status <= OTPD_VERDICT_CRED_INSUFFICIENT
               ? OTPD_WIRE_OK
               : OTPD_WIRE_BAD_STATUS;
  case OTPD_MSG_ERROR: return m->status != 0 ? OTPD_WIRE_OK : OTPD_WIRE_BAD_STATUS;
  default: return OTPD_WIRE_UNKNOWN_TYPE;
  }
}

/* A string value as it sits on the wire (NUL included). */
static otpd_wire_rc check_str(uint16_t item, const uint8_t *v, size_t len) {
  if (len < 1 || len > OTPD_MAX_STRING || v[len - 1] != 0) return OTPD_WIRE_BAD_STRING;
  if (memchr(v, 0, len - 1) != NULL) return OTPD_WIRE_BAD_STRING;
  if (len == 1 && item != OTPD_ITEM_RESPONSE) return OTPD_WIRE_BAD_STRING;
  return otpd_utf8_valid(v, len - 1) ? OTPD_WIRE_OK : OTPD_WIRE_BAD_STRING;
}

otpd_wire_rc otpd_msg_check(const otpd_msg *m) {
  if (m == NULL) return OTPD_WIRE_INVALID;
  if (m->type < OTPD_MSG_HELLO || m->type > OTPD_MSG_ERROR) return OTPD_WIRE_UNKNOWN_TYPE;
  const char *const strs[] = {NULL,    m->service, m->user, m->rhost,    m->tty,
                              m->authtok, NULL,    m->text, m->response, m->message};
  uint32_t present = m->has_flags ? ITEM_BIT(OTPD_ITEM_FLAGS) : 0;
  for (uint16_t item = OTPD_ITEM_SERVICE; item <= OTPD_ITEM_MESSAGE; item++) {
    const char *s = strs[item];
    if (s == NULL) continue;
    present |= ITEM_BIT(item);
    size_t n = bounded_len(s, OTPD_MAX_STRING);
    if (n >= OTPD_MAX_STRING) return OTPD_WIRE_BAD_STRING;
    otpd_wire_rc rc = check_str(item, (const uint8_t *)s, n + 1);
    if (rc != OTPD_WIRE_OK) return rc;
  }
  if (present & ~rules[m->type].allowed) return OTPD_WIRE_BAD_ITEM;
  if ((present & rules[m->type].required) != rules[m->type].required) return OTPD_WIRE_BAD_ITEM;
  return check_status(m);
}

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
  put32(buf, OTPD_START_MARKER);
  put32(buf + 4, 0);
  put16(buf + 8, type);
  put16(buf + 10, status);
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
  size_t n = bounded_len(s, OTPD_MAX_STRING);
  if (n >= OTPD_MAX_STRING || !otpd_utf8_valid((const uint8_t *)s, n)) return b->rc = OTPD_WIRE_BAD_STRING;
  if (item_room(b, n + 1) != OTPD_WIRE_OK) return b->rc;
  put16(b->buf + b->len, item);
  put16(b->buf + b->len + 2, (uint16_t)(n + 1));
  memcpy(b->buf + b->len + OTPD_ITEM_HEADER_SIZE, s, n + 1);
  b->len += OTPD_ITEM_HEADER_SIZE + n + 1;
  b->nitems++;
  return OTPD_WIRE_OK;
}

otpd_wire_rc otpd_build_u32(otpd_builder *b, uint16_t item, uint32_t value) {
  if (item_room(b, 4) != OTPD_WIRE_OK) return b->rc;
  put16(b->buf + b->len, item);
  put16(b->buf + b->len + 2, 4);
  put32(b->buf + b->len + OTPD_ITEM_HEADER_SIZE, value);
  b->len += OTPD_ITEM_HEADER_SIZE + 4;
  b->nitems++;
  return OTPD_WIRE_OK;
}

otpd_wire_rc otpd_build_finish(otpd_builder *b, size_t *frame_len) {
  if (b->rc != OTPD_WIRE_OK) return b->rc;
  if (frame_len == NULL) return b->rc = OTPD_WIRE_INVALID;
  /* item_room kept the trailer's room. */
  put32(b->buf + b->len, OTPD_END_MARKER);
  b->len += OTPD_TRAILER_SIZE;
  put32(b->buf + 4, (uint32_t)b->len);
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

otpd_wire_rc otpd_frame_peek(const uint8_t *buf, size_t avail, size_t *frame_len) {
  static const uint8_t start[4] = {0x4f, 0x54, 0x50, 0x44};
  if (buf == NULL || frame_len == NULL) return OTPD_WIRE_INVALID;
  _Static_assert(OTPD_START_MARKER == 0x4f545044u, "start[] mirrors OTPD_START_MARKER");
  size_t k = avail < 4 ? avail : 4;
  if (memcmp(buf, start, k) != 0) return OTPD_WIRE_BAD_MARKER;
  if (avail < 8) return OTPD_WIRE_NEED_MORE;
  uint32_t total = get32(buf + 4);
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
  if (get32(buf + len - OTPD_TRAILER_SIZE) != OTPD_END_MARKER) return OTPD_WIRE_BAD_MARKER;

  /* Structure first: every item must fit in what remains before the end marker. */
  const size_t end = len - OTPD_TRAILER_SIZE;
  unsigned count = 0;
  for (size_t off = OTPD_HEADER_SIZE; off < end;) {
    if (end - off < OTPD_ITEM_HEADER_SIZE) return OTPD_WIRE_BAD_LENGTH;
    size_t vlen = get16(buf + off + 2);
    if (end - off - OTPD_ITEM_HEADER_SIZE < vlen) return OTPD_WIRE_BAD_LENGTH;
    if (++count > OTPD_MAX_ITEMS) return OTPD_WIRE_TOO_MANY_ITEMS;
    off += OTPD_ITEM_HEADER_SIZE + vlen;
  }

  m->type = get16(buf + 8);
  m->status = get16(buf + 10);
  if (m->type < OTPD_MSG_HELLO || m->type > OTPD_MSG_ERROR) return OTPD_WIRE_UNKNOWN_TYPE;
  /* HELLO is frozen: its version is read before items a future version may add. */
  if (m->type == OTPD_MSG_HELLO && m->status != OTPD_PROTOCOL_VERSION) return OTPD_WIRE_VERSION;

  uint32_t present = 0;
  for (size_t off = OTPD_HEADER_SIZE; off < end;) {
    uint16_t item = get16(buf + off);
    size_t vlen = get16(buf + off + 2);
    const uint8_t *v = buf + off + OTPD_ITEM_HEADER_SIZE;
    off += OTPD_ITEM_HEADER_SIZE + vlen;
    if (item < OTPD_ITEM_SERVICE || item > OTPD_ITEM_MESSAGE) return OTPD_WIRE_UNKNOWN_ITEM;
    if (present & ITEM_BIT(item)) return OTPD_WIRE_BAD_ITEM;
    if (!(rules[m->type].allowed & ITEM_BIT(item))) return OTPD_WIRE_BAD_ITEM;
    present |= ITEM_BIT(item);
    if (ITEM_BIT(item) & STR_ITEMS) {
      if ((rc = check_str(item, v, vlen)) != OTPD_WIRE_OK) return rc;
      *str_slot(m, item) = (const char *)v;
    } else {
      if (vlen != 4) return OTPD_WIRE_BAD_ITEM;
      m->has_flags = 1;
      m->flags = get32(v);
    }
  }
  if ((present & rules[m->type].required) != rules[m->type].required) return OTPD_WIRE_BAD_ITEM;
  return check_status(m);
}

otpd_wire_rc otpd_msg_parse(const uint8_t *buf, size_t len, otpd_msg *m) {
  if (buf == NULL || m == NULL) return OTPD_WIRE_INVALID;
  otpd_msg_init(m, 0, 0);
  otpd_wire_rc rc = parse(buf, len, m);
  if (rc != OTPD_WIRE_OK) otpd_msg_init(m, 0, 0);
  return rc;
}

uint16_t otpd_wire_error_code(otpd_wire_rc rc) {
  switch (rc) {
  case OTPD_WIRE_TOO_LARGE: return OTPD_ERR_TOO_LARGE;
  case OTPD_WIRE_VERSION: return OTPD_ERR_VERSION;
  case OTPD_WIRE_OK:
  case OTPD_WIRE_NO_SPACE:
  case OTPD_WIRE_INVALID: return OTPD_ERR_INTERNAL;
  default: return OTPD_ERR_MALFORMED;
  }
}

static const char *const names[][2] = {
  [OTPD_WIRE_OK] = {"ok", "no error"},
  [OTPD_WIRE_NEED_MORE] = {"need-more", "frame incomplete"},
  [OTPD_WIRE_BAD_MARKER] = {"bad-marker", "start or end marker wrong"},
  [OTPD_WIRE_BAD_LENGTH] = {"bad-length", "frame or item length inconsistent"},
  [OTPD_WIRE_TOO_LARGE] = {"too-large", "frame longer than the maximum"},
  [OTPD_WIRE_TOO_MANY_ITEMS] = {"too-many-items", "more items than allowed"},
  [OTPD_WIRE_UNKNOWN_TYPE] = {"unknown-type", "unknown message type"},
  [OTPD_WIRE_UNKNOWN_ITEM] = {"unknown-item", "unknown item type"},
  [OTPD_WIRE_BAD_STRING] = {"bad-string", "string not NUL-terminated, too long, empty or not UTF-8"},
  [OTPD_WIRE_BAD_ITEM] = {"bad-item", "item duplicated, missing, misplaced or of the wrong size"},
  [OTPD_WIRE_BAD_STATUS] = {"bad-status", "status or flags out of range"},
  [OTPD_WIRE_VERSION] = {"version", "protocol version mismatch"},
  [OTPD_WIRE_NO_SPACE] = {"no-space", "buffer too small"},
  [OTPD_WIRE_INVALID] = {"invalid", "invalid argument"},
};

const char *otpd_wire_rc_name(otpd_wire_rc rc) {
  return (unsigned)rc < sizeof names / sizeof names[0] ? names[rc][0] : "unknown";
}

const char *otpd_wire_strerror(otpd_wire_rc rc) {
  return (unsigned)rc < sizeof names / sizeof names[0] ? names[rc][1] : "unknown error";
}
