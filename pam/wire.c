/* SPDX-License-Identifier: MIT */
/*
 * The otpd protocol's message rules: which items each type carries, valid strings, status and flags,
 * and the error names. Building frames: wire_encode.c; reading them: wire_parse.c. Layout:
 * otpd_protocol.h; rules: docs/protocol.md.
 */
#include "wire.h"

#include <string.h>

#include "wire_internal.h"

/* Which items each message type allows and requires (index: OTPD_MSG_*). */
const otpd_item_rule otpd_wire_rules[OTPD_MSG_ERROR + 1] = {
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

void otpd_msg_init(otpd_msg *m, uint16_t type, uint16_t status) {
  memset(m, 0, sizeof *m);
  m->type = type;
  m->status = status;
}

otpd_wire_rc otpd_wire_check_status(const otpd_msg *m) {
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
    return m->status >= OTPD_STYLE_PROMPT_ECHO_OFF && m->status <= OTPD_STYLE_TEXT_INFO
               ? OTPD_WIRE_OK
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

otpd_wire_rc otpd_wire_check_str(uint16_t item, const uint8_t *v, size_t len) {
  if (len < 1 || len > OTPD_MAX_STRING || v[len - 1] != 0) return OTPD_WIRE_BAD_STRING;
  if (memchr(v, 0, len - 1) != NULL) return OTPD_WIRE_BAD_STRING;
  if (len == 1 && item != OTPD_ITEM_RESPONSE) return OTPD_WIRE_BAD_STRING;
  return otpd_utf8_valid(v, len - 1) ? OTPD_WIRE_OK : OTPD_WIRE_BAD_STRING;
}

otpd_wire_rc otpd_msg_check(const otpd_msg *m) {
  if (m == NULL) return OTPD_WIRE_INVALID;
  if (m->type < OTPD_MSG_HELLO || m->type > OTPD_MSG_ERROR) return OTPD_WIRE_UNKNOWN_TYPE;
  const char *const strs[] = {NULL,       m->service, m->user, m->rhost,    m->tty,
                              m->authtok, NULL,       m->text, m->response, m->message};
  uint32_t present = m->has_flags ? ITEM_BIT(OTPD_ITEM_FLAGS) : 0;
  for (uint16_t item = OTPD_ITEM_SERVICE; item <= OTPD_ITEM_MESSAGE; item++) {
    const char *s = strs[item];
    if (s == NULL) continue;
    present |= ITEM_BIT(item);
    size_t n = otpd_bounded_len(s, OTPD_MAX_STRING);
    if (n >= OTPD_MAX_STRING) return OTPD_WIRE_BAD_STRING;
    otpd_wire_rc rc = otpd_wire_check_str(item, (const uint8_t *)s, n + 1);
    if (rc != OTPD_WIRE_OK) return rc;
  }
  if (present & ~otpd_wire_rules[m->type].allowed) return OTPD_WIRE_BAD_ITEM;
  if ((present & otpd_wire_rules[m->type].required) != otpd_wire_rules[m->type].required)
    return OTPD_WIRE_BAD_ITEM;
  return otpd_wire_check_status(m);
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
