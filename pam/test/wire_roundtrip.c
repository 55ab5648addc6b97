/* SPDX-License-Identifier: MIT */
/*
 * The C side of the cross-language protocol test (test/integration/protocol-c.test.ts).
 *
 *   wire_roundtrip            frames on stdin, one line per frame on stdout:
 *                               OK <hex of the frame C re-encoded from what it parsed>
 *                               ERR <rc name>            (the frame's length was known: go on)
 *                               STOP <rc name> <offset>  (bad header or truncated: nothing after it)
 *   wire_roundtrip --sample   the sample conversation of docs/protocol.md, as binary frames
 *   wire_roundtrip --check    frames on stdin must each parse and re-encode to the same bytes (exit 1 if not)
 */
#include <stdio.h>
#include <string.h>

#include "wire.h"

#define MAX_INPUT (1u << 20)

static uint8_t input[MAX_INPUT];

static int emit(const otpd_msg *m) {
  uint8_t buf[OTPD_MAX_FRAME];
  size_t n = 0;
  otpd_wire_rc rc = otpd_msg_encode(m, buf, sizeof buf, &n);
  if (rc != OTPD_WIRE_OK) {
    fprintf(stderr, "wire_roundtrip: sample: %s\n", otpd_wire_strerror(rc));
    return 1;
  }
  return fwrite(buf, 1, n, stdout) == n ? 0 : 1;
}

static int sample(void) {
  otpd_msg m;
  int bad = 0;
  otpd_msg_init(&m, OTPD_MSG_HELLO, OTPD_PROTOCOL_VERSION);
  bad |= emit(&m); /* client */
  bad |= emit(&m); /* daemon */
  otpd_msg_init(&m, OTPD_MSG_AUTH_START, 0);
  m.service = "sshd";
  m.user = "alice";
  m.rhost = "192.0.2.7";
  m.has_flags = 1;
  m.flags = 0;
  bad |= emit(&m);
  otpd_msg_init(&m, OTPD_MSG_CONV, OTPD_STYLE_PROMPT_ECHO_OFF);
  m.text = "One-time password: ";
  bad |= emit(&m);
  otpd_msg_init(&m, OTPD_MSG_ANSWER, 0);
  m.response = "755224";
  bad |= emit(&m);
  otpd_msg_init(&m, OTPD_MSG_RESULT, OTPD_VERDICT_SUCCESS);
  bad |= emit(&m);
  return bad;
}

static size_t slurp(void) {
  size_t n = fread(input, 1, sizeof input, stdin);
  if (!feof(stdin)) {
    fprintf(stderr, "wire_roundtrip: input larger than %u bytes or unreadable\n", MAX_INPUT);
    return (size_t)-1;
  }
  return n;
}

int main(int argc, char **argv) {
  int check = argc > 1 && strcmp(argv[1], "--check") == 0;
  if (argc > 1 && strcmp(argv[1], "--sample") == 0) return sample();
  if (argc > 1 && !check) {
    fprintf(stderr, "usage: wire_roundtrip [--sample|--check] < frames\n");
    return 2;
  }
  size_t total = slurp();
  if (total == (size_t)-1) return 2;
  int failed = 0;
  for (size_t off = 0; off < total;) {
    size_t len = 0;
    otpd_wire_rc rc = otpd_frame_peek(input + off, total - off, &len);
    if (rc == OTPD_WIRE_OK && len > total - off) rc = OTPD_WIRE_NEED_MORE;
    if (rc != OTPD_WIRE_OK) {
      printf("STOP %s %zu\n", otpd_wire_rc_name(rc), off);
      return check ? 1 : 0;
    }
    otpd_msg m;
    rc = otpd_msg_parse(input + off, len, &m);
    uint8_t out[OTPD_MAX_FRAME];
    size_t outlen = 0;
    if (rc == OTPD_WIRE_OK) rc = otpd_msg_encode(&m, out, sizeof out, &outlen);
    if (rc != OTPD_WIRE_OK) {
      printf("ERR %s\n", otpd_wire_rc_name(rc));
      failed = 1;
    } else {
      if (check && (outlen != len || memcmp(out, input + off, len) != 0)) failed = 1;
      fputs("OK ", stdout);
      for (size_t i = 0; i < outlen; i++) printf("%02x", out[i]);
      putchar('\n');
    }
    off += len;
  }
  return check && failed ? 1 : 0;
}
