/* SPDX-License-Identifier: MIT */
/*
 * End to end through libpam (e2e.h): logins through the built pam_otpd.so against the fake daemon:
 * prompts, verdicts, flags on the wire, failures. The debug output's end to end: test_pam_e2e_debug.c.
 * Needs root (the shipped module trusts only root's socket and a root peer); exits 77 (skipped)
 * otherwise.
 */
#define _GNU_SOURCE
#undef NDEBUG
#include <assert.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <security/pam_appl.h>

#include "e2e.h"
#include "otpd_protocol.h"

/* One login of `user` through this module followed by pam_permit: a module after ours that would let
 * anyone in, so that only our verdict can stop the login. */
static int then_permit(const struct daemon_cfg *cfg, const char *args, const char *user, struct app *a) {
  e2e_write_service(args, "auth required pam_permit.so");
  pid_t pid = fake_daemon_start(e2e_sock_path, cfg, 0600, 1);
  int rc = e2e_login_as(user, a, 0);
  fake_daemon_stop(pid, e2e_sock_path);
  return rc;
}

int main(void) {
  e2e_setup("test_pam_e2e");

  /* a one-time password prompt, relayed echo-off, answered */
  struct daemon_cfg cfg = {.script = S_PROMPT, .verdict = OTPD_VERDICT_SUCCESS};
  struct app a = {.answer = "755224"};
  assert(e2e_with_daemon(&cfg, 0600, "timeout=2", &a, 0) == PAM_SUCCESS);
  assert(a.calls == 1 && a.last_style == PAM_PROMPT_ECHO_OFF);
  assert(strcmp(a.last_text, "One-time password: ") == 0);
  a = (struct app){.answer = "000000"};
  assert(e2e_with_daemon(&cfg, 0600, "timeout=2", &a, 0) == PAM_AUTH_ERR);

  /* the application's conversation fails with an odd code: PAM_CONV_ERR, never that code. PAM_IGNORE
   * passed on would take this module out of the stack and let pam_permit decide. A reply the
   * application filled in anyway is not sent. */
  const int odd[] = {PAM_IGNORE, PAM_AUTH_ERR, PAM_CONV_AGAIN, 12345, -1};
  for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
    a = (struct app){.answer = "755224", .conv_rc = odd[i]};
    int rc = then_permit(&cfg, "timeout=2", "alice", &a);
    if (rc != PAM_CONV_ERR) fprintf(stderr, "conversation returned %d: login %d\n", odd[i], rc);
    assert(rc == PAM_CONV_ERR && a.calls == 1);
  }
  /* the same when the conversation is asked for the user name */
  struct daemon_cfg known = {.script = S_VERDICT, .verdict = OTPD_VERDICT_SUCCESS};
  a = (struct app){.answer = "alice"};
  assert(then_permit(&known, "", NULL, &a) == PAM_SUCCESS && a.calls == 1);
  for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
    a = (struct app){.answer = "alice", .conv_rc = odd[i]};
    int rc = then_permit(&known, "", NULL, &a);
    if (rc != PAM_CONV_ERR) fprintf(stderr, "user prompt returned %d: login %d\n", odd[i], rc);
    assert(rc == PAM_CONV_ERR);
  }

  /* verdicts map to PAM codes */
  cfg = (struct daemon_cfg){.script = S_VERDICT, .verdict = OTPD_VERDICT_USER_UNKNOWN};
  assert(e2e_with_daemon(&cfg, 0600, "", &a, 0) == PAM_USER_UNKNOWN);
  cfg.verdict = OTPD_VERDICT_MAXTRIES;
  assert(e2e_with_daemon(&cfg, 0600, "debug debug_file=stderr", &a, 0) == PAM_MAXTRIES);

  /* no_info: the daemon is told, and an info message never reaches the application */
  cfg = (struct daemon_cfg){
      .script = S_INFO, .verdict = OTPD_VERDICT_SUCCESS, .expect_flags = OTPD_FLAG_NO_INFO};
  a = (struct app){.answer = "x"};
  assert(e2e_with_daemon(&cfg, 0600, "no_info", &a, 0) == PAM_SUCCESS);
  assert(a.calls == 0);
  /* unknown_user=refuse: the daemon is told not to prompt an unknown user; by default (or =prompt) it
   * is not told; an unknown value fails closed */
  cfg = (struct daemon_cfg){
      .script = S_VERDICT, .verdict = OTPD_VERDICT_SUCCESS, .expect_flags = OTPD_FLAG_NO_PROMPT_UNKNOWN};
  assert(e2e_with_daemon(&cfg, 0600, "unknown_user=refuse", &a, 0) == PAM_SUCCESS);
  cfg.expect_flags = OTPD_FLAG_NO_PROMPT_UNKNOWN | OTPD_FLAG_NO_INFO;
  assert(e2e_with_daemon(&cfg, 0600, "no_info unknown_user=refuse", &a, 0) == PAM_SUCCESS);
  cfg.expect_flags = 0;
  assert(e2e_with_daemon(&cfg, 0600, "", &a, 0) == PAM_SUCCESS);
  assert(e2e_with_daemon(&cfg, 0600, "unknown_user=prompt", &a, 0) == PAM_SUCCESS);
  assert(e2e_with_daemon(&cfg, 0600, "unknown_user=refuse unknown_user=prompt", &a, 0) == PAM_SUCCESS);
  assert(e2e_with_daemon(&cfg, 0600, "unknown_user=ignore", &a, 0) == PAM_AUTHINFO_UNAVAIL);
  cfg.expect_flags = OTPD_FLAG_NO_PROMPT_UNKNOWN;
  assert(e2e_with_daemon(&cfg, 0600, "", &a, 0) == PAM_AUTH_ERR); /* the fake daemon checks the flag */

  /* PAM_SILENT is passed on */
  cfg = (struct daemon_cfg){.script = S_INFO, .verdict = OTPD_VERDICT_SUCCESS};
  cfg.expect_flags = OTPD_FLAG_SILENT;
  assert(e2e_with_daemon(&cfg, 0600, "", &a, PAM_SILENT) == PAM_SUCCESS);
  assert(a.calls == 0);

  /* failures: all PAM_AUTHINFO_UNAVAIL */
  cfg = (struct daemon_cfg){.script = S_VERDICT, .verdict = OTPD_VERDICT_SUCCESS};
  assert(e2e_with_daemon(&cfg, 0666, "", &a, 0) == PAM_AUTHINFO_UNAVAIL);          /* world-writable socket */
  assert(e2e_with_daemon(&cfg, 0600, "always_ok", &a, 0) == PAM_AUTHINFO_UNAVAIL); /* unknown option */
  assert(e2e_with_daemon(&cfg, 0600, "use_first_pass", &a, 0) == PAM_AUTHINFO_UNAVAIL); /* no authtok */
  cfg.drop_to_nobody = 1; /* the peer is not root */
  assert(e2e_with_daemon(&cfg, 0600, "", &a, 0) == PAM_AUTHINFO_UNAVAIL);
  cfg = (struct daemon_cfg){.script = S_GARBAGE};
  assert(e2e_with_daemon(&cfg, 0600, "", &a, 0) == PAM_AUTHINFO_UNAVAIL);
  cfg = (struct daemon_cfg){.script = S_CRASH, .verdict = OTPD_VERDICT_SUCCESS};
  a = (struct app){.answer = "755224"};
  assert(e2e_with_daemon(&cfg, 0600, "", &a, 0) == PAM_AUTHINFO_UNAVAIL);
  cfg = (struct daemon_cfg){.script = S_HUNG};
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  assert(e2e_with_daemon(&cfg, 0600, "timeout=300ms", &a, 0) == PAM_AUTHINFO_UNAVAIL);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  assert(secs >= 0.29 && secs < 2.0);
  /* the daemon absent */
  e2e_write_service("", NULL);
  assert(e2e_login(&a, 0) == PAM_AUTHINFO_UNAVAIL);

  e2e_teardown();
  puts("test_pam_e2e: ok");
  return 0;
}
