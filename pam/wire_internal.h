/* SPDX-License-Identifier: MIT */
/*
 * What wire.c, wire_encode.c and wire_parse.c share and nothing else may use: big-endian byte access,
 * the item rules per message type, and the string and status checks both directions apply.
 */
#ifndef OTPD_WIRE_INTERNAL_H
#define OTPD_WIRE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "wire.h"

#define ITEM_BIT(t) (1u << (t))
#define STR_ITEMS                                                                                            \
  (ITEM_BIT(OTPD_ITEM_SERVICE) | ITEM_BIT(OTPD_ITEM_USER) | ITEM_BIT(OTPD_ITEM_RHOST) |                      \
   ITEM_BIT(OTPD_ITEM_TTY) | ITEM_BIT(OTPD_ITEM_AUTHTOK) | ITEM_BIT(OTPD_ITEM_TEXT) |                        \
   ITEM_BIT(OTPD_ITEM_RESPONSE) | ITEM_BIT(OTPD_ITEM_MESSAGE))

/* Which items each message type allows and requires (index: OTPD_MSG_*). */
typedef struct otpd_item_rule {
  uint32_t allowed;
  uint32_t required;
} otpd_item_rule;
extern const otpd_item_rule otpd_wire_rules[OTPD_MSG_ERROR + 1];

static inline uint16_t otpd_get16(const uint8_t *p) { return (uint16_t)((p[0] << 8) | p[1]); }

static inline uint32_t otpd_get32(const uint8_t *p) {
  return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static inline void otpd_put16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)(v >> 8);
  p[1] = (uint8_t)v;
}

static inline void otpd_put32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}

/* strlen that stops looking at max (strnlen is POSIX, these files are plain C11). */
static inline size_t otpd_bounded_len(const char *s, size_t max) {
  size_t n = 0;
  while (n < max && s[n] != '\0') n++;
  return n;
}

/* A string value as it sits on the wire (NUL included): OTPD_WIRE_OK or OTPD_WIRE_BAD_STRING. */
otpd_wire_rc otpd_wire_check_str(uint16_t item, const uint8_t *v, size_t len);

/* Status and flags rules shared by check and parse; items are checked by the callers. */
otpd_wire_rc otpd_wire_check_status(const otpd_msg *m);

#endif
