/* SPDX-License-Identifier: MIT */
/*
 * End to end through libpam: pam_start_confdir with a service file in a temporary directory naming the
 * built pam_otpd.so (the shipped build, strict socket and peer checks) and the fake daemon's socket.
 * Needs root (the shipped module trusts only root's socket and a root peer); exits 77 (skipped)
 * otherwise.
 */
#define _GNU_SOURCE
#undef NDEBUG
#include <assert.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <security/pam_appl.h>

#include "fake_daemon.h"
#include "otpd_protocol.h"

#ifndef OTPD_PAM_MODULE
#error "OTPD_PAM_MODULE must name the built pam_otpd.so"
#endif

static char dir[] = "/tmp/otpd-e2e-XXXXXX";
static char sock_path[108];
static char service_path[128];

struct app {
  int calls;
  int last_style;
  char last_text[64];
  const char *answer;
};

static int app_conv(int n, const struct pam_message **msg, struct pam_response **resp, void *data) {
  struct app *a = data;
  if (n != 1) return PAM_CONV_ERR;
  struct pam_response *r = calloc(1, sizeof *r);
  if (r == NULL) return PAM_BUF_ERR;
  a->calls++;
  a->last_style = msg[0]->msg_style;
  snprintf(a->last_text, sizeof a->last_text, "%s", msg[0]->msg);
  if (msg[0]->msg_style == PAM_PROMPT_ECHO_OFF || msg[0]->msg_style == PAM_PROMPT_ECHO_ON) {
    r->resp = strdup(a->answer);
    if (r->resp == NULL) {
      free(r);
      return PAM_BUF_ERR;
    }
  }
  *resp = r;
  return PAM_SUCCESS;
}

static void write_service(const char *args) {
  FILE *f = fopen(service_path, "w");
  assert(f != NULL);
  fprintf(f, "auth required %s socket=%s %s\n", OTPD_PAM_MODULE, sock_path, args);
  assert(fclose(f) == 0);
}

/* One pam_authenticate for alice on service "sshd" from 192.0.2.7. */
static int login(struct app *a, int flags) {
  struct pam_conv conv = {app_conv, a};
  pam_handle_t *pamh = NULL;
  assert(pam_start_confdir("sshd", "alice", &conv, dir, &pamh) == PAM_SUCCESS);
  assert(pam_set_item(pamh, PAM_RHOST, "192.0.2.7") == PAM_SUCCESS);
  int rc = pam_authenticate(pamh, flags);
  pam_end(pamh, rc);
  return rc;
}

static int with_daemon(const struct daemon_cfg *cfg, mode_t mode, const char *args, struct app *a,
                       int flags) {
  write_service(args);
  pid_t pid = fake_daemon_start(sock_path, cfg, mode, 1);
  int rc = login(a, flags);
  fake_daemon_stop(pid, sock_path);
  return rc;
}

int main(void) {
  if (geteuid() != 0) {
    puts("test_pam_e2e: skipped (needs root: the shipped module trusts only root's socket)");
    return 77;
  }
  signal(SIGPIPE, SIG_IGN);
  assert(mkdtemp(dir) != NULL);
  snprintf(sock_path, sizeof sock_path, "%s/otpd.sock", dir);
  snprintf(service_path, sizeof service_path, "%s/sshd", dir);

  /* a one-time password prompt, relayed echo-off, answered */
  struct daemon_cfg cfg = {.script = S_PROMPT, .verdict = OTPD_VERDICT_SUCCESS};
  struct app a = {.answer = "755224"};
  assert(with_daemon(&cfg, 0600, "timeout=2", &a, 0) == PAM_SUCCESS);
  assert(a.calls == 1 && a.last_style == PAM_PROMPT_ECHO_OFF);
  assert(strcmp(a.last_text, "One-time password: ") == 0);
  a = (struct app){.answer = "000000"};
  assert(with_daemon(&cfg, 0600, "timeout=2", &a, 0) == PAM_AUTH_ERR);

  /* debug_file=: an existing file gets prefixed lines, never the one-time password; a missing file
   * is never created */
  char log_path[160], missing[160], args[400], text[4096];
  snprintf(log_path, sizeof log_path, "%s/debug.log", dir);
  snprintf(missing, sizeof missing, "%s/missing.log", dir);
  FILE *lf = fopen(log_path, "w");
  assert(lf != NULL && fclose(lf) == 0);
  snprintf(args, sizeof args, "debug debug_file=%s", log_path);
  a = (struct app){.answer = "755224"};
  assert(with_daemon(&cfg, 0600, args, &a, 0) == PAM_SUCCESS);
  lf = fopen(log_path, "r");
  assert(lf != NULL);
  size_t got = fread(text, 1, sizeof text - 1, lf);
  text[got] = '\0';
  assert(fclose(lf) == 0);
  assert(strncmp(text, "pam_otpd[", 9) == 0 && strstr(text, "pam_sm_authenticate]") != NULL);
  assert(strstr(text, "755224") == NULL);
  snprintf(args, sizeof args, "debug debug_file=%s", missing);
  assert(with_daemon(&cfg, 0600, args, &a, 0) == PAM_SUCCESS);
  assert(access(missing, F_OK) != 0);
  unlink(log_path);

  /* verdicts map to PAM codes */
  cfg = (struct daemon_cfg){.script = S_VERDICT, .verdict = OTPD_VERDICT_USER_UNKNOWN};
  assert(with_daemon(&cfg, 0600, "", &a, 0) == PAM_USER_UNKNOWN);
  cfg.verdict = OTPD_VERDICT_MAXTRIES;
  assert(with_daemon(&cfg, 0600, "debug debug_file=stderr", &a, 0) == PAM_MAXTRIES);

  /* no_info: the daemon is told, and an info message never reaches the application */
  cfg = (struct daemon_cfg){.script = S_INFO, .verdict = OTPD_VERDICT_SUCCESS,
                            .expect_flags = OTPD_FLAG_NO_INFO};
  a = (struct app){.answer = "x"};
  assert(with_daemon(&cfg, 0600, "no_info", &a, 0) == PAM_SUCCESS);
  assert(a.calls == 0);
  /* PAM_SILENT is passed on */
  cfg.expect_flags = OTPD_FLAG_SILENT;
  assert(with_daemon(&cfg, 0600, "", &a, PAM_SILENT) == PAM_SUCCESS);
  assert(a.calls == 0);

  /* failures: all PAM_AUTHINFO_UNAVAIL */
  cfg = (struct daemon_cfg){.script = S_VERDICT, .verdict = OTPD_VERDICT_SUCCESS};
  assert(with_daemon(&cfg, 0666, "", &a, 0) == PAM_AUTHINFO_UNAVAIL); /* world-writable socket */
  assert(with_daemon(&cfg, 0600, "always_ok", &a, 0) == PAM_AUTHINFO_UNAVAIL); /* unknown option */
  assert(with_daemon(&cfg, 0600, "use_first_pass", &a, 0) == PAM_AUTHINFO_UNAVAIL); /* no authtok */
  cfg.drop_to_nobody = 1; /* the peer is not root */
  assert(with_daemon(&cfg, 0600, "", &a, 0) == PAM_AUTHINFO_UNAVAIL);
  cfg = (struct daemon_cfg){.script = S_GARBAGE};
  assert(with_daemon(&cfg, 0600, "", &a, 0) == PAM_AUTHINFO_UNAVAIL);
  cfg = (struct daemon_cfg){.script = S_CRASH, .verdict = OTPD_VERDICT_SUCCESS};
  a = (struct app){.answer = "755224"};
  assert(with_daemon(&cfg, 0600, "", &a, 0) == PAM_AUTHINFO_UNAVAIL);
  cfg = (struct daemon_cfg){.script = S_HUNG};
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  assert(with_daemon(&cfg, 0600, "timeout=300ms", &a, 0) == PAM_AUTHINFO_UNAVAIL);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  assert(secs >= 0.29 && secs < 2.0);
  /* the daemon absent */
  write_service("");
  assert(login(&a, 0) == PAM_AUTHINFO_UNAVAIL);

  unlink(service_path);
  rmdir(dir);
  puts("test_pam_e2e: ok");
  return 0;
}
