/* SPDX-License-Identifier: MIT */
/* Module arguments: defaults, every option, bounds, unknown and malformed arguments fail. */
#undef NDEBUG
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "options.h"
#include "otpd_protocol.h"

static int parse1(otpd_options *o, const char *arg) {
  char err[160];
  const char *argv[] = {arg};
  otpd_options_init(o);
  int rc = otpd_options_parse(o, 1, argv, err, sizeof err);
  assert(rc == 0 ? err[0] == '\0' : err[0] != '\0');
  return rc;
}

int main(void) {
  otpd_options o;
  char err[160];

  otpd_options_init(&o);
  assert(otpd_options_parse(&o, 0, NULL, err, sizeof err) == 0);
  assert(strcmp(o.socket_path, OTPD_DEFAULT_SOCKET) == 0);
  assert(o.timeout_ms == OTPD_CLIENT_TIMEOUT_MS);
  assert(!o.debug && !o.no_info && !o.try_first_pass && !o.use_first_pass && o.debug_file[0] == '\0');
  assert(!o.unknown_user_refuse); /* unknown_user=prompt */

  const char *all[] = {"socket=/tmp/x.sock", "timeout=3",          "debug", "debug_file=stderr", "no_info",
                       "try_first_pass",     "unknown_user=refuse"};
  otpd_options_init(&o);
  assert(otpd_options_parse(&o, 7, all, err, sizeof err) == 0);
  assert(strcmp(o.socket_path, "/tmp/x.sock") == 0 && o.timeout_ms == 3000);
  assert(o.debug && o.no_info && o.try_first_pass && !o.use_first_pass && o.unknown_user_refuse);
  assert(strcmp(o.debug_file, "stderr") == 0);

  /* timeout: seconds, "s", "ms", bounds */
  assert(parse1(&o, "timeout=250ms") == 0 && o.timeout_ms == 250);
  assert(parse1(&o, "timeout=2s") == 0 && o.timeout_ms == 2000);
  assert(parse1(&o, "timeout=300") == 0 && o.timeout_ms == 300000);
  assert(parse1(&o, "timeout=301") != 0);
  assert(parse1(&o, "timeout=99ms") != 0);
  assert(parse1(&o, "timeout=0") != 0);
  assert(parse1(&o, "timeout=") != 0);
  assert(parse1(&o, "timeout=-1") != 0);
  assert(parse1(&o, "timeout=1.5") != 0);
  assert(parse1(&o, "timeout=10m") != 0);
  assert(parse1(&o, "timeout=99999999999999999999999") != 0);
  assert(parse1(&o, "timeout=5 ") != 0);

  /* socket: absolute, shorter than sun_path */
  char longp[200];
  memset(longp, 'a', sizeof longp);
  memcpy(longp, "socket=/", 8);
  longp[7 + 107] = '\0'; /* "/" + 106 bytes: 107 + NUL = 108: fits */
  assert(parse1(&o, longp) == 0 && strlen(o.socket_path) == 107);
  longp[7 + 107] = 'a';
  longp[7 + 108] = '\0';
  assert(parse1(&o, longp) != 0);
  assert(parse1(&o, "socket=relative.sock") != 0);
  assert(parse1(&o, "socket=") != 0);
  assert(strcmp(o.socket_path, OTPD_DEFAULT_SOCKET) == 0);

  /* debug_file */
  assert(parse1(&o, "debug_file=syslog") == 0 && o.debug_file[0] == '\0');
  assert(parse1(&o, "debug_file=/var/log/otpd-debug.log") == 0);
  assert(strcmp(o.debug_file, "/var/log/otpd-debug.log") == 0);
  assert(parse1(&o, "debug_file=log.txt") != 0);
  assert(parse1(&o, "debug_file=") != 0);

  /* unknown_user: prompt (the default) or refuse; the last one given wins; nothing else */
  assert(parse1(&o, "unknown_user=refuse") == 0 && o.unknown_user_refuse);
  assert(parse1(&o, "unknown_user=prompt") == 0 && !o.unknown_user_refuse);
  const char *both_ways[] = {"unknown_user=refuse", "unknown_user=prompt"};
  otpd_options_init(&o);
  assert(otpd_options_parse(&o, 2, both_ways, err, sizeof err) == 0 && !o.unknown_user_refuse);
  const char *bad_unknown[] = {"unknown_user=",       "unknown_user",         "unknown_user=Refuse",
                               "unknown_user=ignore", "unknown_user=refuse ", "unknown_user=prompt,refuse",
                               "unknown_users=refuse"};
  for (size_t i = 0; i < sizeof bad_unknown / sizeof bad_unknown[0]; i++) {
    const char *one[] = {bad_unknown[i]};
    otpd_options_init(&o);
    assert(otpd_options_parse(&o, 1, one, err, sizeof err) != 0);
    assert(strstr(err, "unknown_user") != NULL && !o.unknown_user_refuse);
  }
  const char *odd_value[] = {"unknown_user=s3cret"};
  otpd_options_init(&o);
  assert(otpd_options_parse(&o, 1, odd_value, err, sizeof err) != 0 && strstr(err, "s3cret") == NULL);

  /* unknown, misspelt, prefix-only and case variants fail */
  const char *bad[] = {"nodebug",          "debug=1",       "Debug", "socket",     "no_info=yes",
                       "use_first_pass=1", "try_first_pas", "",      "socket =/x", "always_ok"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) assert(parse1(&o, bad[i]) != 0);
  /* the error names the option, never its value */
  const char *secret[] = {"password=hunter2"};
  otpd_options_init(&o);
  assert(otpd_options_parse(&o, 1, secret, err, sizeof err) != 0);
  assert(strstr(err, "password") != NULL && strstr(err, "hunter2") == NULL);

  /* exclusive pair, NULL argument, too many arguments */
  const char *both[] = {"try_first_pass", "use_first_pass"};
  otpd_options_init(&o);
  assert(otpd_options_parse(&o, 2, both, err, sizeof err) != 0);
  const char *nul[] = {NULL};
  otpd_options_init(&o);
  assert(otpd_options_parse(&o, 1, nul, err, sizeof err) != 0);
  const char *many[OTPD_MAX_ARGS + 1];
  for (size_t i = 0; i < OTPD_MAX_ARGS + 1; i++) many[i] = "debug";
  otpd_options_init(&o);
  assert(otpd_options_parse(&o, OTPD_MAX_ARGS, many, err, sizeof err) == 0);
  assert(otpd_options_parse(&o, OTPD_MAX_ARGS + 1, many, err, sizeof err) != 0);
  assert(otpd_options_parse(&o, -1, many, err, sizeof err) != 0);
  /* a tiny error buffer is still terminated */
  char tiny[4];
  const char *unk[] = {"whatever"};
  assert(otpd_options_parse(&o, 1, unk, tiny, sizeof tiny) != 0 && strlen(tiny) < sizeof tiny);

  puts("test_options: ok");
  return 0;
}
