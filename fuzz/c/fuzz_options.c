/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the module's argument parser (pam/options.h). The input is split on NUL and
 * whitespace into at most OTPD_MAX_ARGS + 8 words (past the limit on purpose), each copied into a
 * buffer of exactly its size, and handed over as argc/argv the way libpam passes a PAM line's words.
 * The error buffer's size is picked from the input's length (0, 1, 8 or 256 bytes, exactly
 * allocated), so truncated messages are exercised too.
 *
 * Promises checked: the result is 0 or -1; the error text is NUL-terminated inside its buffer, empty
 * on success and not empty on failure; on success every field is within its documented bounds; a
 * quoted argument name is at most 32 bytes and never reaches the value after '='.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                          \
  do {                                                                                                       \
    if (!(cond)) {                                                                                           \
      fprintf(stderr, "fuzz_options: %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);                 \
      abort();                                                                                               \
    }                                                                                                        \
  } while (0)

#define MAX_WORDS (OTPD_MAX_ARGS + 8)

static int is_sep(uint8_t c) {
  return c == 0 || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 4096) return -1;
  char *words[MAX_WORDS];
  const char *argv[MAX_WORDS];
  int argc = 0;
  for (size_t i = 0; i < size && argc < MAX_WORDS;) {
    while (i < size && is_sep(data[i])) i++;
    if (i >= size) break;
    size_t start = i;
    while (i < size && !is_sep(data[i])) i++;
    words[argc] = malloc(i - start + 1);
    CHECK(words[argc] != NULL);
    memcpy(words[argc], data + start, i - start);
    words[argc][i - start] = '\0';
    argv[argc] = words[argc];
    argc++;
  }

  static const size_t errlens[4] = {256, 0, 1, 8};
  size_t errlen = errlens[size % 4];
  char *err = errlen == 0 ? NULL : malloc(errlen);
  if (err != NULL) memset(err, 'X', errlen);

  otpd_options o;
  otpd_options_init(&o);
  int rc = otpd_options_parse(&o, argc, argc > 0 ? argv : NULL, err, errlen);
  CHECK(rc == 0 || rc == -1);

  if (err != NULL) {
    CHECK(memchr(err, '\0', errlen) != NULL);
    if (rc == 0) CHECK(err[0] == '\0');
    if (rc != 0 && errlen > 1) CHECK(err[0] != '\0');
  }
  if (rc != 0 && err != NULL && errlen == 256) {
    /* "what" or "what: name"; the name is cut at '=' and at 32 bytes. */
    const char *quoted = NULL;
    for (const char *p = strstr(err, ": "); p != NULL; p = strstr(p + 1, ": ")) quoted = p + 2;
    if (quoted != NULL) {
      CHECK(strlen(quoted) <= 32);
      CHECK(strchr(quoted, '=') == NULL);
    }
  }
  if (rc == 0) {
    CHECK(memchr(o.socket_path, '\0', sizeof o.socket_path) != NULL);
    CHECK(o.socket_path[0] == '/');
    CHECK(o.timeout_ms >= OTPD_TIMEOUT_MIN_MS && o.timeout_ms <= OTPD_TIMEOUT_MAX_MS);
    CHECK(!(o.try_first_pass && o.use_first_pass));
    CHECK(memchr(o.debug_file, '\0', sizeof o.debug_file) != NULL);
    CHECK(o.debug_file[0] == '\0' || o.debug_file[0] == '/' || strcmp(o.debug_file, "stderr") == 0);
    CHECK(argc <= OTPD_MAX_ARGS);
  }

  free(err);
  for (int i = 0; i < argc; i++) free(words[i]);
  return 0;
}
