/* SPDX-License-Identifier: MIT */
/* Parsing of the module's arguments: see options.h for the accepted words. */
#include "options.h"

#include <stdio.h>
#include <string.h>

#include "otpd_protocol.h"

void otpd_options_init(otpd_options *o) {
  memset(o, 0, sizeof *o);
  memcpy(o->socket_path, OTPD_DEFAULT_SOCKET, sizeof OTPD_DEFAULT_SOCKET);
  o->timeout_ms = OTPD_CLIENT_TIMEOUT_MS;
}

/* Copies an absolute path (no NUL inside by construction) into dst[0 .. cap); -1 if too long or relative. */
static int copy_path(char *dst, size_t cap, const char *v) {
  size_t n = strlen(v);
  if (v[0] != '/' || n + 1 > cap) return -1;
  memcpy(dst, v, n + 1);
  return 0;
}

/* "N" seconds or "Nms" milliseconds, decimal digits only, within the bounds. */
static int parse_timeout(const char *v, unsigned *ms) {
  unsigned long n = 0;
  size_t i = 0;
  if (v[0] < '0' || v[0] > '9') return -1;
  for (; v[i] >= '0' && v[i] <= '9'; i++) {
    n = n * 10 + (unsigned long)(v[i] - '0');
    if (n > OTPD_TIMEOUT_MAX_MS) return -1;
  }
  if (strcmp(v + i, "ms") != 0) {
    if (v[i] != '\0' && strcmp(v + i, "s") != 0) return -1;
    n *= 1000;
  }
  if (n < OTPD_TIMEOUT_MIN_MS || n > OTPD_TIMEOUT_MAX_MS) return -1;
  *ms = (unsigned)n;
  return 0;
}

static int fail(char *err, size_t errlen, const char *what, const char *arg) {
  if (err != NULL && errlen > 0) {
    /* quote only the name part of the argument */
    size_t name = strcspn(arg, "=");
    if (name > 32) name = 32;
    if (name == 0)
      snprintf(err, errlen, "%s", what);
    else
      snprintf(err, errlen, "%s: %.*s", what, (int)name, arg);
  }
  return -1;
}

int otpd_options_parse(otpd_options *o, int argc, const char **argv, char *err, size_t errlen) {
  if (err != NULL && errlen > 0) err[0] = '\0';
  if (argc < 0 || argc > OTPD_MAX_ARGS || (argc > 0 && argv == NULL))
    return fail(err, errlen, "too many arguments", "");
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    if (a == NULL) return fail(err, errlen, "missing argument", "");
    if (strncmp(a, "socket=", 7) == 0) {
      if (copy_path(o->socket_path, sizeof o->socket_path, a + 7) != 0)
        return fail(err, errlen, "socket= needs an absolute path shorter than 108 bytes", a);
    } else if (strncmp(a, "timeout=", 8) == 0) {
      if (parse_timeout(a + 8, &o->timeout_ms) != 0)
        return fail(err, errlen, "timeout= needs seconds or Nms, 100 ms .. 300 s", a);
    } else if (strncmp(a, "debug_file=", 11) == 0) {
      const char *v = a + 11;
      if (strcmp(v, "syslog") == 0) {
        o->debug_file[0] = '\0';
      } else if (strcmp(v, "stderr") == 0) {
        memcpy(o->debug_file, "stderr", sizeof "stderr");
      } else if (copy_path(o->debug_file, sizeof o->debug_file, v) != 0) {
        return fail(err, errlen, "debug_file= needs syslog, stderr or an absolute path", a);
      }
    } else if (strncmp(a, "unknown_user=", 13) == 0) {
      if (strcmp(a + 13, "prompt") == 0)
        o->unknown_user_refuse = 0;
      else if (strcmp(a + 13, "refuse") == 0)
        o->unknown_user_refuse = 1;
      else
        return fail(err, errlen, "unknown_user= needs prompt or refuse", a);
    } else if (strcmp(a, "try_first_pass") == 0) {
      o->try_first_pass = 1;
    } else if (strcmp(a, "use_first_pass") == 0) {
      o->use_first_pass = 1;
    } else if (strcmp(a, "debug") == 0) {
      o->debug = 1;
    } else if (strcmp(a, "no_info") == 0) {
      o->no_info = 1;
    } else {
      return fail(err, errlen, "unknown option", a);
    }
  }
  if (o->try_first_pass && o->use_first_pass)
    return fail(err, errlen, "try_first_pass and use_first_pass exclude each other", "");
  return 0;
}
