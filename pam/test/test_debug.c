/* SPDX-License-Identifier: MIT */
/*
 * debug.c through its real entry points, otpd_debug_open / otpd_debug_log, against a debug_file= and
 * the syslog sink. pam_syslog is replaced at link time by a recorder (syslog_rec.h), so what would
 * reach syslog is checked byte for byte. A user name must never start a log line of its own.
 */
#define _GNU_SOURCE
#undef NDEBUG
#include <assert.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "debug.h"
#include "slurp.h"
#include "syslog_rec.h"

static char dir[] = "/tmp/otpd-debug-XXXXXX";
static char log_path[128];

/* A fresh empty debug file, mode 0600, the test's own. */
static void fresh_log(void) {
  int fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  assert(fd >= 0 && fchmod(fd, 0600) == 0 && close(fd) == 0);
}

static size_t count_char(const char *s, char c) {
  size_t n = 0;
  for (; *s != '\0'; s++) n += *s == c;
  return n;
}

/* Every byte of a logged line is printable ASCII or part of UTF-8 text: no control byte at all. */
static int no_controls(const char *s) {
  for (; *s != '\0'; s++)
    if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f) return 0;
  return 1;
}

/* Each line of text starts with the module's prefix; returns the number of lines. */
static size_t prefixed_lines(const char *text) {
  size_t lines = 0;
  for (const char *p = text; *p != '\0'; lines++) {
    assert(strncmp(p, "pam_otpd[test_debug.c:", 22) == 0);
    const char *nl = strchr(p, '\n');
    assert(nl != NULL); /* every line is terminated */
    p = nl + 1;
  }
  return lines;
}

/* What one message looks like in the log, escaped, through the syslog sink. */
static const char *escaped_via_syslog(const char *value) {
  otpd_debug d;
  nrecorded = 0;
  otpd_debug_open(&d, fake_pamh, 1, NULL);
  OTPD_DEBUG(&d, "v=%s.", value);
  otpd_debug_close(&d);
  assert(nrecorded == 1 && no_controls(recorded[0]));
  const char *v = strstr(recorded[0], "] v=");
  assert(v != NULL);
  return v + 4;
}

static void expect_escaped(const char *value, const char *want) {
  const char *got = escaped_via_syslog(value);
  size_t n = strlen(want);
  if (strncmp(got, want, n) != 0 || strcmp(got + n, ".") != 0) {
    fprintf(stderr, "escaped %s, want %s.\n", got, want);
    assert(0);
  }
}

static void test_escapes_in_file(void) {
  static const char nasty[] = "alice\npam_otpd[pam_otpd.c:1:x] user root: Success\r\t\"q\\ \x01\x1b[31m\x7f";
  static const char want[] = "user alice\\npam_otpd[pam_otpd.c:1:x] user root: Success\\r\\t\\\"q\\\\ "
                             "\\x01\\x1b[31m\\x7f: done";
  char text[8192];
  otpd_debug d;

  fresh_log();
  nrecorded = 0;
  otpd_debug_open(&d, fake_pamh, 1, log_path);
  assert(d.fp != NULL && nrecorded == 0);
  OTPD_DEBUG(&d, "user %s: done", nasty);
  otpd_log(&d, LOG_ERR, "daemon error 7: %s", "store\nunreadable");
  otpd_debug_close(&d);
  test_slurp(log_path, text, sizeof text);
  /* two messages, two lines, each with the prefix: the newlines in the name stay inside its line */
  assert(prefixed_lines(text) == 2 && count_char(text, '\n') == 2);
  assert(strstr(text, want) != NULL);
  assert(strstr(text, "daemon error 7: store\\nunreadable\n") != NULL);
  /* the routine message also went to syslog, escaped the same way; the debug one did not */
  assert(nrecorded == 1 && no_controls(recorded[0]));
  assert(strstr(recorded[0], "daemon error 7: store\\nunreadable") != NULL);
}

static void test_escape_table(void) {
  /* the audit log's escapeChar, byte for byte */
  expect_escaped("a\\b", "a\\\\b");
  expect_escaped("say \"hi\"", "say \\\"hi\\\"");
  expect_escaped("\n\r\t", "\\n\\r\\t");
  expect_escaped("\x01\x08\x0b\x0c\x1b\x1f", "\\x01\\x08\\x0b\\x0c\\x1b\\x1f");
  expect_escaped("del\x7f", "del\\x7f");
  expect_escaped("plain ASCII ~!@#$%^&*()", "plain ASCII ~!@#$%^&*()");
  /* UTF-8 text is kept; invisible and line-breaking code points are named */
  expect_escaped("caf\xc3\xa9 \xf0\x9f\x94\x91", "caf\xc3\xa9 \xf0\x9f\x94\x91");
  expect_escaped("\xc2\x85|\xc2\x9f|\xc2\xa0", "\\u{85}|\\u{9F}|\xc2\xa0");
  expect_escaped("\xe2\x80\xa8\xe2\x80\xa9", "\\u{2028}\\u{2029}");
  expect_escaped("\xe2\x80\x8e\xe2\x80\x8f\xe2\x80\xaa\xe2\x80\xae", "\\u{200E}\\u{200F}\\u{202A}\\u{202E}");
  expect_escaped("\xe2\x81\xa6\xe2\x81\xa9\xef\xbb\xbf", "\\u{2066}\\u{2069}\\u{FEFF}");
  /* bytes that are not UTF-8 (stray, overlong, surrogate, past U+10FFFF, cut short) as \xHH */
  expect_escaped("\xff\x80", "\\xff\\x80");
  expect_escaped("\xc0\x8a", "\\xc0\\x8a");
  expect_escaped("\xed\xa0\x80", "\\xed\\xa0\\x80");
  expect_escaped("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80");
  expect_escaped("\xe2\x80", "\\xe2\\x80");
}

/* The run between `start` and " [truncated]" consists of whole units of `unit`. */
static void assert_whole_units(const char *line, const char *start, const char *unit) {
  const char *s = strstr(line, start);
  const char *mark = strstr(line, " [truncated]");
  assert(s != NULL && mark != NULL && mark > s);
  s += strlen(start);
  size_t u = strlen(unit), n = (size_t)(mark - s);
  assert(n > 0 && n % u == 0);
  for (size_t i = 0; i < n; i += u) assert(memcmp(s + i, unit, u) == 0);
}

static void test_truncation(void) {
  static char big[3000];
  char text[8192];
  otpd_debug d;

  /* escapes are never cut in half, and the mark stays */
  memset(big, '\n', 1500);
  big[1500] = '\0';
  nrecorded = 0;
  otpd_debug_open(&d, fake_pamh, 1, NULL);
  OTPD_DEBUG(&d, "user %s", big);
  assert(nrecorded == 1 && strlen(recorded[0]) < 1024 && no_controls(recorded[0]));
  assert_whole_units(recorded[0], "] user ", "\\n");
  assert(strcmp(recorded[0] + strlen(recorded[0]) - 12, " [truncated]") == 0);

  /* nor a UTF-8 sequence */
  for (size_t i = 0; i + 2 < sizeof big; i += 2) memcpy(big + i, "\xc3\xa9", 2);
  big[sizeof big - 2] = '\0';
  nrecorded = 0;
  OTPD_DEBUG(&d, "user %s", big);
  assert(nrecorded == 1 && strlen(recorded[0]) < 1024);
  assert_whole_units(recorded[0], "] user ", "\xc3\xa9");

  /* a long plain message is marked too (the file sink: one line) */
  memset(big, 'a', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  otpd_debug_close(&d);
  fresh_log();
  otpd_debug_open(&d, fake_pamh, 1, log_path);
  assert(d.fp != NULL);
  OTPD_DEBUG(&d, "user %s", big);
  OTPD_DEBUG(&d, "short");
  otpd_debug_close(&d);
  test_slurp(log_path, text, sizeof text);
  assert(prefixed_lines(text) == 2 && strstr(text, "a [truncated]\n") != NULL);
  assert(strstr(text, "] short\n") != NULL);
}

int main(void) {
  assert(mkdtemp(dir) != NULL);
  snprintf(log_path, sizeof log_path, "%s/debug.log", dir);

  test_escapes_in_file();
  test_escape_table();
  test_truncation();

  unlink(log_path);
  rmdir(dir);
  puts("test_debug: ok");
  return 0;
}
