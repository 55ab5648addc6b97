/* SPDX-License-Identifier: MIT */
/* Framing tests: round trips, truncated frames, bad lengths and markers, oversized frames, missing
 * NULs, bad UTF-8, unknown types and items, message rules, the builder's bounds, random corruption. */
#undef NDEBUG
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "wire.h"

static uint8_t frame[OTPD_MAX_FRAME + 64];

/* header + body + end marker, with the correct total length; returns the frame's size */
static size_t raw(uint16_t type, uint16_t status, const void *body, size_t n) {
  size_t total = OTPD_HEADER_SIZE + n + OTPD_TRAILER_SIZE;
  assert(total <= sizeof frame);
  const uint8_t head[] = {0x4f,
                          0x54,
                          0x50,
                          0x44,
                          (uint8_t)(total >> 24),
                          (uint8_t)(total >> 16),
                          (uint8_t)(total >> 8),
                          (uint8_t)total,
                          (uint8_t)(type >> 8),
                          (uint8_t)type,
                          (uint8_t)(status >> 8),
                          (uint8_t)status};
  memcpy(frame, head, sizeof head);
  if (n > 0) memcpy(frame + OTPD_HEADER_SIZE, body, n);
  memcpy(frame + OTPD_HEADER_SIZE + n, "\x2e\x45\x4e\x44", 4);
  return total;
}

static otpd_wire_rc parse_raw(uint16_t type, uint16_t status, const void *body, size_t n) {
  otpd_msg m;
  return otpd_msg_parse(frame, raw(type, status, body, n), &m);
}

static int same_str(const char *a, const char *b) {
  return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static void round_trip(const otpd_msg *in) {
  uint8_t buf[OTPD_MAX_FRAME], again[OTPD_MAX_FRAME];
  size_t n = 0, n2 = 0;
  otpd_msg out;
  assert(otpd_msg_encode(in, buf, sizeof buf, &n) == OTPD_WIRE_OK);
  size_t peeked = 0;
  assert(otpd_frame_peek(buf, n, &peeked) == OTPD_WIRE_OK && peeked == n);
  assert(otpd_msg_parse(buf, n, &out) == OTPD_WIRE_OK);
  assert(out.type == in->type && out.status == in->status);
  assert(out.has_flags == in->has_flags && (!in->has_flags || out.flags == in->flags));
  assert(same_str(out.service, in->service) && same_str(out.user, in->user));
  assert(same_str(out.rhost, in->rhost) && same_str(out.tty, in->tty));
  assert(same_str(out.authtok, in->authtok) && same_str(out.text, in->text));
  assert(same_str(out.response, in->response) && same_str(out.message, in->message));
  assert(otpd_msg_encode(&out, again, sizeof again, &n2) == OTPD_WIRE_OK);
  assert(n2 == n && memcmp(buf, again, n) == 0);
  /* every strict prefix is refused as a whole frame, and peek never overreads it */
  for (size_t k = 0; k < n; k++) {
    otpd_msg m;
    assert(otpd_msg_parse(buf, k, &m) == OTPD_WIRE_BAD_LENGTH);
    assert(m.type == 0 && m.user == NULL);
    otpd_wire_rc rc = otpd_frame_peek(buf, k, &peeked);
    assert(k < 8 ? rc == OTPD_WIRE_NEED_MORE : rc == OTPD_WIRE_OK && peeked == n);
  }
  /* one byte too many */
  buf[n] = 0;
  assert(otpd_msg_parse(buf, n + 1, &out) == OTPD_WIRE_BAD_LENGTH);
}

static void test_round_trips(void) {
  otpd_msg m;
  otpd_msg_init(&m, OTPD_MSG_HELLO, OTPD_PROTOCOL_VERSION);
  round_trip(&m);
  otpd_msg_init(&m, OTPD_MSG_AUTH_START, 0);
  m.service = "sshd";
  m.user = "alice";
  round_trip(&m);
  m.rhost = "2001:db8::1";
  m.tty = "ssh";
  m.authtok = "pw\xc3\xa9"
              "123456"; /* "pwé123456" */
  m.has_flags = 1;
  m.flags = OTPD_FLAG_NO_INFO | OTPD_FLAG_SILENT | OTPD_FLAG_USE_FIRST_PASS;
  round_trip(&m);
  m.flags = OTPD_FLAG_NO_PROMPT_UNKNOWN | OTPD_FLAG_NO_INFO;
  round_trip(&m);
  m.flags = 0;
  round_trip(&m);
  for (uint16_t style = OTPD_STYLE_PROMPT_ECHO_OFF; style <= OTPD_STYLE_TEXT_INFO; style++) {
    otpd_msg_init(&m, OTPD_MSG_CONV, style);
    m.text = "otp-md5 498 bi0617 ext, Response: ";
    round_trip(&m);
  }
  otpd_msg_init(&m, OTPD_MSG_ANSWER, 0);
  m.response = "";
  round_trip(&m);
  m.response = "FOWL BORN DOCK SEEN LIMB FAIR";
  round_trip(&m);
  for (uint16_t v = OTPD_VERDICT_SUCCESS; v <= OTPD_VERDICT_CRED_INSUFFICIENT; v++) {
    otpd_msg_init(&m, OTPD_MSG_RESULT, v);
    round_trip(&m);
  }
  otpd_msg_init(&m, OTPD_MSG_ERROR, OTPD_ERR_VERSION);
  round_trip(&m);
  m.message = "version mismatch: daemon speaks 1";
  round_trip(&m);
  otpd_msg_init(&m, OTPD_MSG_ERROR, 0xffff); /* codes of later versions are carried */
  round_trip(&m);
}

static void test_markers_and_lengths(void) {
  otpd_msg m;
  size_t n = raw(OTPD_MSG_RESULT, OTPD_VERDICT_AUTH_ERR, NULL, 0), len = 0;
  assert(n == OTPD_MIN_FRAME);
  assert(otpd_msg_parse(frame, n, &m) == OTPD_WIRE_OK && m.status == OTPD_VERDICT_AUTH_ERR);
  for (size_t i = 0; i < n; i++) {
    if (i >= 4 && i < n - 4) continue;
    raw(OTPD_MSG_RESULT, OTPD_VERDICT_AUTH_ERR, NULL, 0);
    frame[i] ^= 0x20;
    assert(otpd_msg_parse(frame, n, &m) == OTPD_WIRE_BAD_MARKER);
    if (i < 4) assert(otpd_frame_peek(frame, i + 1, &len) == OTPD_WIRE_BAD_MARKER);
  }
  /* total length: too small, too large, not what was given */
  const uint32_t lens[] = {0, 1, 15, 17, 0x7fffffffu, 0xffffffffu, OTPD_MAX_FRAME + 1};
  for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
    raw(OTPD_MSG_RESULT, 1, NULL, 0);
    frame[4] = (uint8_t)(lens[i] >> 24), frame[5] = (uint8_t)(lens[i] >> 16);
    frame[6] = (uint8_t)(lens[i] >> 8), frame[7] = (uint8_t)lens[i];
    otpd_wire_rc want = lens[i] > OTPD_MAX_FRAME ? OTPD_WIRE_TOO_LARGE : OTPD_WIRE_BAD_LENGTH;
    assert(otpd_msg_parse(frame, n, &m) == want);
    assert(otpd_frame_peek(frame, 8, &len) ==
           (lens[i] < 16 || lens[i] > OTPD_MAX_FRAME ? want : OTPD_WIRE_OK));
  }
  /* the largest frame is accepted, one more byte is too large */
  static char big[OTPD_MAX_STRING];
  memset(big, 'x', sizeof big - 1);
  otpd_msg_init(&m, OTPD_MSG_AUTH_START, 0);
  m.service = m.user = m.rhost = m.tty = m.authtok = big;
  uint8_t buf[OTPD_MAX_FRAME + 8];
  size_t flen = 0;
  assert(otpd_msg_encode(&m, buf, sizeof buf, &flen) == OTPD_WIRE_OK && flen == 16 + 5 * (4 + 1024));
  assert(otpd_msg_parse(buf, flen, &m) == OTPD_WIRE_OK);
  /* a frame of exactly OTPD_MAX_FRAME bytes passes the size checks (its oversized string does not);
   * one byte more is too large */
  size_t pad = OTPD_MAX_FRAME - OTPD_HEADER_SIZE - OTPD_TRAILER_SIZE;
  uint8_t padded[OTPD_MAX_FRAME];
  memset(padded, 0, sizeof padded);
  padded[1] = OTPD_ITEM_MESSAGE, padded[2] = (uint8_t)((pad - 4) >> 8), padded[3] = (uint8_t)(pad - 4);
  assert(parse_raw(OTPD_MSG_ERROR, 1, padded, pad) == OTPD_WIRE_BAD_STRING); /* size fine, string not */
  assert(parse_raw(OTPD_MSG_ERROR, 1, padded, pad + 1) == OTPD_WIRE_TOO_LARGE);
}

static void test_items(void) {
  otpd_msg m;
  /* The vectors split their literals to end a \x escape: clang-format 14 would give each piece a line. */
  /* clang-format off */
  /* item overruns the end, or leftover bytes that cannot hold an item header */
  assert(parse_raw(OTPD_MSG_ANSWER, 0, "\x00\x08\x00\x05" "ab\0", 7) == OTPD_WIRE_BAD_LENGTH);
  assert(parse_raw(OTPD_MSG_ANSWER, 0, "\x00\x08\x00\x03" "ab\0" "\x00", 8) == OTPD_WIRE_BAD_LENGTH);
  assert(parse_raw(OTPD_MSG_ANSWER, 0, "\x00\x08\x00\x03" "ab\0" "\x00\x08\x00", 10) == OTPD_WIRE_BAD_LENGTH);
  assert(parse_raw(OTPD_MSG_ANSWER, 0, "\x00\x08\xff\xff", 4) == OTPD_WIRE_BAD_LENGTH);
  assert(parse_raw(OTPD_MSG_ANSWER, 0, "\x00\x08\x00\x03" "ab\0", 7) == OTPD_WIRE_OK);
  /* strings: NUL missing, NUL inside, empty where not allowed, empty answer allowed, bad UTF-8 */
  assert(parse_raw(OTPD_MSG_ANSWER, 0, "\x00\x08\x00\x03" "abc", 7) == OTPD_WIRE_BAD_STRING);
  assert(parse_raw(OTPD_MSG_ANSWER, 0, "\x00\x08\x00\x03" "a\0\0", 7) == OTPD_WIRE_BAD_STRING);
  /* clang-format on */
  assert(parse_raw(OTPD_MSG_ANSWER, 0, "\x00\x08\x00\x00", 4) == OTPD_WIRE_BAD_STRING);
  assert(parse_raw(OTPD_MSG_ANSWER, 0, "\x00\x08\x00\x01\0", 5) == OTPD_WIRE_OK);
  assert(parse_raw(OTPD_MSG_CONV, 1, "\x00\x07\x00\x01\0", 5) == OTPD_WIRE_BAD_STRING);
  const char *bad_utf8[] = {
      "\xc0\x80", "\xc1\xbf", "\xed\xa0\x80", "\xf5\x80\x80\x80", "\xf4\x90\x80\x80", "\xe0\x80\x80", "\xc3",
      "\xe2\x82", "\x80",     "\xff"};
  for (size_t i = 0; i < sizeof bad_utf8 / sizeof bad_utf8[0]; i++) {
    uint8_t body[16] = {0, OTPD_ITEM_RESPONSE, 0, 0};
    size_t n = strlen(bad_utf8[i]);
    body[3] = (uint8_t)(n + 1);
    memcpy(body + 4, bad_utf8[i], n + 1);
    assert(parse_raw(OTPD_MSG_ANSWER, 0, body, 4 + n + 1) == OTPD_WIRE_BAD_STRING);
  }
  /* clang-format off */
  assert(parse_raw(OTPD_MSG_ANSWER, 0, "\x00\x08\x00\x05" "\xf0\x9f\x94\x91\0", 9) == OTPD_WIRE_OK);
  /* clang-format on */
  /* string length limit: 1023 bytes + NUL fine, 1024 + NUL not */
  static uint8_t body[2048];
  for (size_t vlen = OTPD_MAX_STRING; vlen <= OTPD_MAX_STRING + 1; vlen++) {
    body[0] = 0, body[1] = OTPD_ITEM_RESPONSE, body[2] = (uint8_t)(vlen >> 8), body[3] = (uint8_t)vlen;
    memset(body + 4, 'z', vlen - 1);
    body[4 + vlen - 1] = 0;
    assert(parse_raw(OTPD_MSG_ANSWER, 0, body, 4 + vlen) ==
           (vlen == OTPD_MAX_STRING ? OTPD_WIRE_OK : OTPD_WIRE_BAD_STRING));
  }
  /* unknown message types and item types are refused */
  const uint16_t types[] = {0, 7, 0x100, 0xffff};
  for (size_t i = 0; i < 4; i++) assert(parse_raw(types[i], 0, NULL, 0) == OTPD_WIRE_UNKNOWN_TYPE);
  assert(parse_raw(OTPD_MSG_ERROR, 1, "\x00\x00\x00\x01\0", 5) == OTPD_WIRE_UNKNOWN_ITEM);
  assert(parse_raw(OTPD_MSG_ERROR, 1, "\x00\x0a\x00\x01\0", 5) == OTPD_WIRE_UNKNOWN_ITEM);
  assert(parse_raw(OTPD_MSG_ERROR, 1, "\xff\xff\x00\x00", 4) == OTPD_WIRE_UNKNOWN_ITEM);
  /* duplicates, misplaced items, required items missing */
  assert(parse_raw(OTPD_MSG_ERROR, 1, "\x00\x09\x00\x02x\0\x00\x09\x00\x02y\0", 12) == OTPD_WIRE_BAD_ITEM);
  assert(parse_raw(OTPD_MSG_ERROR, 1, "\x00\x08\x00\x02x\0", 6) == OTPD_WIRE_BAD_ITEM);
  assert(parse_raw(OTPD_MSG_HELLO, 1, "\x00\x09\x00\x02x\0", 6) == OTPD_WIRE_BAD_ITEM);
  assert(parse_raw(OTPD_MSG_ANSWER, 0, NULL, 0) == OTPD_WIRE_BAD_ITEM);
  assert(parse_raw(OTPD_MSG_CONV, 1, NULL, 0) == OTPD_WIRE_BAD_ITEM);
  assert(parse_raw(OTPD_MSG_AUTH_START, 0, "\x00\x01\x00\x02s\0", 6) == OTPD_WIRE_BAD_ITEM);
  assert(parse_raw(OTPD_MSG_AUTH_START, 0, "\x00\x02\x00\x02u\0\x00\x01\x00\x02s\0", 12) == OTPD_WIRE_OK);
  /* flags: u32 only, known bits only, one first-pass mode, and it needs the authtok */
#define SU "\x00\x01\x00\x02s\0\x00\x02\x00\x02u\0"
  assert(parse_raw(OTPD_MSG_AUTH_START, 0, SU "\x00\x06\x00\x02\x00\x01", 18) == OTPD_WIRE_BAD_ITEM);
  assert(parse_raw(OTPD_MSG_AUTH_START, 0, SU "\x00\x06\x00\x04\x00\x00\x00\x20", 20) ==
         OTPD_WIRE_BAD_STATUS);
  assert(parse_raw(OTPD_MSG_AUTH_START, 0, SU "\x00\x06\x00\x04\x80\x00\x00\x00", 20) ==
         OTPD_WIRE_BAD_STATUS);
  assert(parse_raw(OTPD_MSG_AUTH_START, 0, SU "\x00\x06\x00\x04\x00\x00\x00\x10", 20) == OTPD_WIRE_OK);
  assert(parse_raw(OTPD_MSG_AUTH_START, 0, SU "\x00\x06\x00\x04\x00\x00\x00\x13", 20) == OTPD_WIRE_OK);
  assert(parse_raw(OTPD_MSG_AUTH_START, 0, SU "\x00\x06\x00\x04\x00\x00\x00\x03", 20) == OTPD_WIRE_OK);
  assert(parse_raw(OTPD_MSG_AUTH_START, 0, SU "\x00\x06\x00\x04\x00\x00\x00\x08", 20) == OTPD_WIRE_BAD_ITEM);
  assert(parse_raw(OTPD_MSG_AUTH_START, 0, SU "\x00\x05\x00\x02p\0\x00\x06\x00\x04\x00\x00\x00\x0c", 26) ==
         OTPD_WIRE_BAD_STATUS);
  assert(parse_raw(OTPD_MSG_AUTH_START, 0, SU "\x00\x05\x00\x02p\0\x00\x06\x00\x04\x00\x00\x00\x08", 26) ==
         OTPD_WIRE_OK);
  /* too many items: counted before anything else about them */
  uint8_t many[17 * 6];
  for (int i = 0; i < 17; i++) memcpy(many + 6 * i, "\x00\x09\x00\x02m\0", 6);
  assert(parse_raw(OTPD_MSG_ERROR, 1, many, 16 * 6) == OTPD_WIRE_BAD_ITEM); /* 16: duplicates */
  assert(parse_raw(OTPD_MSG_ERROR, 1, many, 17 * 6) == OTPD_WIRE_TOO_MANY_ITEMS);
  (void)m;
}

static void test_status(void) {
  assert(parse_raw(OTPD_MSG_HELLO, 0, NULL, 0) == OTPD_WIRE_VERSION);
  assert(parse_raw(OTPD_MSG_HELLO, 2, NULL, 0) == OTPD_WIRE_VERSION);
  /* a later version's HELLO may carry items we do not know: the version is what we report */
  assert(parse_raw(OTPD_MSG_HELLO, 2, "\x00\x63\x00\x01\0", 5) == OTPD_WIRE_VERSION);
  assert(parse_raw(OTPD_MSG_AUTH_START, 1, "\x00\x01\x00\x02s\0\x00\x02\x00\x02u\0", 12) ==
         OTPD_WIRE_BAD_STATUS);
  assert(parse_raw(OTPD_MSG_CONV, 0, "\x00\x07\x00\x02t\0", 6) == OTPD_WIRE_BAD_STATUS);
  assert(parse_raw(OTPD_MSG_CONV, 5, "\x00\x07\x00\x02t\0", 6) == OTPD_WIRE_BAD_STATUS);
  assert(parse_raw(OTPD_MSG_ANSWER, 1, "\x00\x08\x00\x01\0", 5) == OTPD_WIRE_BAD_STATUS);
  assert(parse_raw(OTPD_MSG_RESULT, 0, NULL, 0) == OTPD_WIRE_BAD_STATUS);
  assert(parse_raw(OTPD_MSG_RESULT, 7, NULL, 0) == OTPD_WIRE_BAD_STATUS);
  assert(parse_raw(OTPD_MSG_ERROR, 0, NULL, 0) == OTPD_WIRE_BAD_STATUS);
  assert(otpd_wire_error_code(OTPD_WIRE_VERSION) == OTPD_ERR_VERSION);
  assert(otpd_wire_error_code(OTPD_WIRE_TOO_LARGE) == OTPD_ERR_TOO_LARGE);
  assert(otpd_wire_error_code(OTPD_WIRE_BAD_STRING) == OTPD_ERR_MALFORMED);
  assert(strcmp(otpd_wire_rc_name(OTPD_WIRE_BAD_MARKER), "bad-marker") == 0);
  assert(strcmp(otpd_wire_rc_name((otpd_wire_rc)999), "unknown") == 0);
}

static void test_builder(void) {
  otpd_msg m;
  uint8_t buf[64];
  size_t n = 0;
  otpd_msg_init(&m, OTPD_MSG_ANSWER, 0);
  m.response = "123456"; /* 12 + 4 + 7 + 4 = 27 bytes */
  for (size_t cap = 0; cap < 27; cap++) {
    memset(buf, 0xaa, sizeof buf);
    assert(otpd_msg_encode(&m, buf, cap, &n) == OTPD_WIRE_NO_SPACE);
    for (size_t i = cap; i < sizeof buf; i++) assert(buf[i] == 0xaa); /* nothing past cap */
  }
  assert(otpd_msg_encode(&m, buf, 27, &n) == OTPD_WIRE_OK && n == 27);
  /* what the parser would refuse, the encoder refuses too */
  m.response = NULL;
  assert(otpd_msg_encode(&m, buf, sizeof buf, &n) == OTPD_WIRE_BAD_ITEM);
  m.response = "\xc0\x80";
  assert(otpd_msg_encode(&m, buf, sizeof buf, &n) == OTPD_WIRE_BAD_STRING);
  m.response = "ok";
  m.text = "misplaced";
  assert(otpd_msg_encode(&m, buf, sizeof buf, &n) == OTPD_WIRE_BAD_ITEM);
  static char big[OTPD_MAX_STRING + 1];
  memset(big, 'x', OTPD_MAX_STRING);
  otpd_msg_init(&m, OTPD_MSG_ANSWER, 0);
  m.response = big;
  assert(otpd_msg_encode(&m, buf, sizeof buf, &n) == OTPD_WIRE_BAD_STRING);
  otpd_msg_init(&m, OTPD_MSG_HELLO, 2);
  assert(otpd_msg_encode(&m, buf, sizeof buf, &n) == OTPD_WIRE_VERSION);
  otpd_msg_init(&m, 9, 0);
  assert(otpd_msg_encode(&m, buf, sizeof buf, &n) == OTPD_WIRE_UNKNOWN_TYPE);
  assert(otpd_msg_encode(NULL, buf, sizeof buf, &n) == OTPD_WIRE_INVALID);
  /* low level: sticky errors and the item limit */
  static uint8_t large[OTPD_MAX_FRAME];
  otpd_builder b;
  otpd_build_begin(&b, large, sizeof large, OTPD_MSG_ERROR, 1);
  for (int i = 0; i < OTPD_MAX_ITEMS; i++) assert(otpd_build_u32(&b, OTPD_ITEM_FLAGS, 0) == OTPD_WIRE_OK);
  assert(otpd_build_u32(&b, OTPD_ITEM_FLAGS, 0) == OTPD_WIRE_TOO_MANY_ITEMS);
  assert(otpd_build_str(&b, OTPD_ITEM_MESSAGE, "x") == OTPD_WIRE_TOO_MANY_ITEMS);
  assert(otpd_build_finish(&b, &n) == OTPD_WIRE_TOO_MANY_ITEMS);
  otpd_build_begin(&b, large, sizeof large, OTPD_MSG_ERROR, 1);
  assert(otpd_build_str(&b, OTPD_ITEM_MESSAGE, NULL) == OTPD_WIRE_INVALID);
  assert(otpd_build_finish(&b, &n) == OTPD_WIRE_INVALID);
  otpd_build_begin(&b, NULL, 100, OTPD_MSG_ERROR, 1);
  assert(otpd_build_finish(&b, &n) == OTPD_WIRE_INVALID);
}

/* Random corruption never crashes (valgrind watches the reads) and whatever parses re-encodes. */
static void test_corruption(void) {
  otpd_msg m;
  otpd_msg_init(&m, OTPD_MSG_AUTH_START, 0);
  m.service = "openvpn";
  m.user = "bob";
  m.authtok = "secret";
  m.has_flags = 1;
  m.flags = OTPD_FLAG_NO_INFO | OTPD_FLAG_TRY_FIRST_PASS;
  uint8_t good[256], buf[256], out[OTPD_MAX_FRAME];
  size_t n = 0, outlen = 0;
  assert(otpd_msg_encode(&m, good, sizeof good, &n) == OTPD_WIRE_OK);
  uint32_t seed = 12345;
  unsigned accepted = 0;
  for (int iter = 0; iter < 20000; iter++) {
    memcpy(buf, good, n);
    int flips = 1 + iter % 4;
    for (int f = 0; f < flips; f++) {
      seed = seed * 1103515245u + 12345u;
      size_t at = (seed >> 8) % n;
      seed = seed * 1103515245u + 12345u;
      buf[at] = (uint8_t)(seed >> 16);
    }
    seed = seed * 1103515245u + 12345u;
    size_t len = iter % 3 == 0 ? (seed >> 8) % (n + 1) : n;
    otpd_msg p;
    if (otpd_msg_parse(buf, len, &p) == OTPD_WIRE_OK) {
      accepted++;
      assert(otpd_msg_encode(&p, out, sizeof out, &outlen) == OTPD_WIRE_OK);
      assert(outlen == len && memcmp(out, buf, len) == 0);
    }
  }
  assert(accepted > 0);
}

int main(void) {
  test_round_trips();
  test_markers_and_lengths();
  test_items();
  test_status();
  test_builder();
  test_corruption();
  puts("test_wire: ok");
  return 0;
}
