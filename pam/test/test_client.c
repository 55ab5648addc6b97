/* SPDX-License-Identifier: MIT */
/*
 * The client against a fake daemon: a forked child on a temporary Unix socket that speaks the protocol
 * with wire.c (or deliberately does not). Every failure must be PAM_AUTHINFO_UNAVAIL, never success.
 * Built against the OTPD_PAM_TESTING parts: the socket may be the test user's own.
 */
#define _GNU_SOURCE
#undef NDEBUG
#include <assert.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <security/pam_modules.h>

#include "client.h"
#include "fake_daemon.h"
#include "wire.h"

static char dir[] = "/tmp/otpd-test-XXXXXX";
static char sock_path[108];

/* ---- the application's conversation, as the client sees it ---- */

struct conv_log {
  int calls;
  uint16_t style;
  char text[64];
  const char *answer; /* NULL: fail with PAM_CONV_ERR */
  unsigned sleep_ms;  /* the user takes this long */
  int rc;             /* not PAM_SUCCESS: fill in the answer anyway, then return this */
};

static int fake_conv(void *ctx, uint16_t style, const char *text, char **response) {
  struct conv_log *l = ctx;
  l->calls++;
  l->style = style;
  snprintf(l->text, sizeof l->text, "%s", text);
  if (l->sleep_ms > 0) {
    struct timespec ts = {.tv_sec = l->sleep_ms / 1000, .tv_nsec = (long)(l->sleep_ms % 1000) * 1000000};
    while (nanosleep(&ts, &ts) != 0) continue;
  }
  if (l->answer == NULL) return PAM_CONV_ERR;
  *response = strdup(l->answer);
  if (*response == NULL) return PAM_BUF_ERR;
  return l->rc;
}

static double elapsed_since(const struct timespec *t0) {
  struct timespec t1;
  clock_gettime(CLOCK_MONOTONIC, &t1);
  return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static const otpd_debug dbg = {NULL, 1, NULL, 0};

/* Runs one conversation against a daemon following cfg; returns the PAM code. */
static int run(const struct daemon_cfg *cfg, uint32_t flags, const char *authtok, struct conv_log *log,
               unsigned timeout_ms, double *secs) {
  otpd_request req = {.service = "sshd",
                      .user = "alice",
                      .rhost = "192.0.2.7",
                      .tty = NULL,
                      .authtok = authtok,
                      .flags = flags};
  struct timespec t0;
  pid_t pid = fake_daemon_start(sock_path, cfg, 0600, 1);
  clock_gettime(CLOCK_MONOTONIC, &t0);
  int rc = otpd_client_authenticate(sock_path, timeout_ms, &req, fake_conv, log, &dbg);
  if (secs != NULL) *secs = elapsed_since(&t0);
  fake_daemon_stop(pid, sock_path);
  return rc;
}

static int run_simple(enum script s, uint16_t verdict) {
  struct daemon_cfg cfg = {.script = s, .verdict = verdict};
  struct conv_log log = {.answer = "755224"};
  return run(&cfg, 0, NULL, &log, 2000, NULL);
}

int main(void) {
  signal(SIGPIPE, SIG_IGN);
  assert(mkdtemp(dir) != NULL);
  snprintf(sock_path, sizeof sock_path, "%s/otpd.sock", dir);

  /* verdicts */
  assert(run_simple(S_VERDICT, OTPD_VERDICT_SUCCESS) == PAM_SUCCESS);
  assert(run_simple(S_VERDICT, OTPD_VERDICT_AUTH_ERR) == PAM_AUTH_ERR);
  assert(run_simple(S_VERDICT, OTPD_VERDICT_USER_UNKNOWN) == PAM_USER_UNKNOWN);
  assert(run_simple(S_VERDICT, OTPD_VERDICT_MAXTRIES) == PAM_MAXTRIES);
  assert(run_simple(S_VERDICT, OTPD_VERDICT_CRED_INSUFFICIENT) == PAM_CRED_INSUFFICIENT);
  assert(run_simple(S_VERDICT, OTPD_VERDICT_AUTHINFO_UNAVAIL) == PAM_AUTHINFO_UNAVAIL);

  /* an echo-off prompt relayed and answered */
  struct daemon_cfg cfg = {.script = S_PROMPT, .verdict = OTPD_VERDICT_SUCCESS};
  struct conv_log log = {.answer = "755224"};
  assert(run(&cfg, 0, NULL, &log, 2000, NULL) == PAM_SUCCESS);
  assert(log.calls == 1 && log.style == OTPD_STYLE_PROMPT_ECHO_OFF);
  assert(strcmp(log.text, "One-time password: ") == 0);
  log = (struct conv_log){.answer = "000000"};
  assert(run(&cfg, 0, NULL, &log, 2000, NULL) == PAM_AUTH_ERR);
  /* the budget pauses while the user answers: a slow user is not a slow daemon */
  log = (struct conv_log){.answer = "755224", .sleep_ms = 600};
  assert(run(&cfg, 0, NULL, &log, 300, NULL) == PAM_SUCCESS);
  /* an answer that cannot be sent (too long, not UTF-8) is refused, not truncated */
  static char huge[OTPD_MAX_STRING + 8];
  memset(huge, '7', sizeof huge - 1);
  log = (struct conv_log){.answer = huge};
  assert(run(&cfg, 0, NULL, &log, 2000, NULL) == PAM_AUTHINFO_UNAVAIL);
  log = (struct conv_log){.answer = "75\xff"
                                    "5224"};
  assert(run(&cfg, 0, NULL, &log, 2000, NULL) == PAM_AUTHINFO_UNAVAIL);
  /* the conversation fails: PAM_CONV_ERR, never success, never its own odd code (PAM_IGNORE would let
   * the stack go on without this module); an answer it gave anyway is dropped, not sent */
  log = (struct conv_log){.answer = NULL};
  assert(run(&cfg, 0, NULL, &log, 2000, NULL) == PAM_CONV_ERR);
  const int odd[] = {PAM_IGNORE, PAM_AUTH_ERR, PAM_CONV_AGAIN, PAM_INCOMPLETE, 12345, -1};
  for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
    log = (struct conv_log){.answer = "755224", .rc = odd[i]};
    assert(run(&cfg, 0, NULL, &log, 2000, NULL) == PAM_CONV_ERR && log.calls == 1);
  }

  /* try_first_pass / use_first_pass send the authtok; without the flag it stays home */
  cfg = (struct daemon_cfg){.script = S_VERDICT,
                            .verdict = OTPD_VERDICT_SUCCESS,
                            .expect_flags = OTPD_FLAG_TRY_FIRST_PASS,
                            .expect_authtok = "pw755224"};
  log = (struct conv_log){.answer = "x"};
  assert(run(&cfg, OTPD_FLAG_TRY_FIRST_PASS, "pw755224", &log, 2000, NULL) == PAM_SUCCESS);
  cfg = (struct daemon_cfg){.script = S_VERDICT, .verdict = OTPD_VERDICT_SUCCESS};
  assert(run(&cfg, 0, "pw755224", &log, 2000, NULL) == PAM_SUCCESS);

  /* TEXT_INFO: relayed normally; with no_info (or PAM_SILENT) acknowledged, never shown */
  cfg = (struct daemon_cfg){.script = S_INFO, .verdict = OTPD_VERDICT_SUCCESS};
  log = (struct conv_log){.answer = "ignored"};
  assert(run(&cfg, 0, NULL, &log, 2000, NULL) == PAM_SUCCESS);
  assert(log.calls == 1 && log.style == OTPD_STYLE_TEXT_INFO);
  cfg.expect_flags = OTPD_FLAG_NO_INFO;
  log = (struct conv_log){.answer = "ignored"};
  assert(run(&cfg, OTPD_FLAG_NO_INFO, NULL, &log, 2000, NULL) == PAM_SUCCESS);
  assert(log.calls == 0);
  cfg.expect_flags = OTPD_FLAG_SILENT;
  assert(run(&cfg, OTPD_FLAG_SILENT, NULL, &log, 2000, NULL) == PAM_SUCCESS);
  assert(log.calls == 0);

  /* the daemon misbehaves: all PAM_AUTHINFO_UNAVAIL */
  const enum script broken[] = {S_TOO_MANY,     S_CRASH,       S_EOF_AT_START,  S_GARBAGE,
                                S_OVERSIZED,    S_VERSION,     S_ERROR_VERSION, S_ERROR_MID,
                                S_SECOND_HELLO, S_BAD_VERDICT, S_TRAILING};
  for (size_t i = 0; i < sizeof broken / sizeof broken[0]; i++) {
    cfg = (struct daemon_cfg){.script = broken[i], .verdict = OTPD_VERDICT_SUCCESS};
    log = (struct conv_log){.answer = "755224"};
    double secs = 0;
    int rc = run(&cfg, 0, NULL, &log, 1500, &secs);
    if (rc != PAM_AUTHINFO_UNAVAIL) fprintf(stderr, "script %d: %d\n", (int)broken[i], rc);
    assert(rc == PAM_AUTHINFO_UNAVAIL);
  }

  /* hung daemons: refused within the timeout (one budget, not one per poll) */
  const enum script hung[] = {S_HUNG, S_PARTIAL};
  for (size_t i = 0; i < 2; i++) {
    cfg = (struct daemon_cfg){.script = hung[i], .verdict = OTPD_VERDICT_SUCCESS};
    double secs = 0;
    assert(run(&cfg, 0, NULL, &log, 300, &secs) == PAM_AUTHINFO_UNAVAIL);
    assert(secs >= 0.29 && secs < 1.5);
  }

  /* the daemon is absent: no socket (ENOENT), a socket nobody listens on (ECONNREFUSED) */
  otpd_request req = {.service = "sshd", .user = "alice"};
  log = (struct conv_log){.answer = "x"};
  assert(otpd_client_authenticate(sock_path, 500, &req, fake_conv, &log, &dbg) == PAM_AUTHINFO_UNAVAIL);
  cfg = (struct daemon_cfg){.script = S_VERDICT, .verdict = OTPD_VERDICT_SUCCESS};
  pid_t pid = fake_daemon_start(sock_path, &cfg, 0600, 0);
  assert(otpd_client_authenticate(sock_path, 500, &req, fake_conv, &log, &dbg) == PAM_AUTHINFO_UNAVAIL);
  fake_daemon_stop(pid, sock_path);

  /* untrusted socket: world-writable, not a socket, relative path */
  pid = fake_daemon_start(sock_path, &cfg, 0666, 1);
  assert(otpd_client_authenticate(sock_path, 500, &req, fake_conv, &log, &dbg) == PAM_AUTHINFO_UNAVAIL);
  fake_daemon_stop(pid, sock_path);
  FILE *f = fopen(sock_path, "w");
  assert(f != NULL && fclose(f) == 0);
  assert(otpd_client_authenticate(sock_path, 500, &req, fake_conv, &log, &dbg) == PAM_AUTHINFO_UNAVAIL);
  unlink(sock_path);
  assert(log.calls == 0);

  /* the peer is not root (only checkable as root: the child drops to nobody before listen()) */
  if (geteuid() == 0) {
    cfg = (struct daemon_cfg){.script = S_VERDICT, .verdict = OTPD_VERDICT_SUCCESS, .drop_to_nobody = 1};
    pid = fake_daemon_start(sock_path, &cfg, 0600, 1);
    assert(otpd_client_authenticate(sock_path, 500, &req, fake_conv, &log, &dbg) == PAM_AUTHINFO_UNAVAIL);
    fake_daemon_stop(pid, sock_path);
  } else {
    puts("test_client: not root, peer-uid refusal not exercised");
  }

  /* bad arguments */
  assert(otpd_client_authenticate(NULL, 500, &req, fake_conv, &log, &dbg) == PAM_AUTHINFO_UNAVAIL);
  assert(otpd_client_authenticate(sock_path, 500, NULL, fake_conv, &log, &dbg) == PAM_AUTHINFO_UNAVAIL);

  rmdir(dir);
  puts("test_client: ok");
  return 0;
}
