/* SPDX-License-Identifier: MIT */
/* The end-to-end tests' harness; see e2e.h. */
#define _GNU_SOURCE
#undef NDEBUG
#include "e2e.h"

#include <assert.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <security/pam_appl.h>

#ifndef OTPD_PAM_MODULE
#error "OTPD_PAM_MODULE must name the built pam_otpd.so"
#endif

char e2e_dir[] = "/tmp/otpd-e2e-XXXXXX";
char e2e_sock_path[108];
static char service_path[128];

void e2e_setup(const char *name) {
  if (geteuid() != 0) {
    printf("%s: skipped (needs root: the shipped module trusts only root's socket)\n", name);
    exit(77);
  }
  signal(SIGPIPE, SIG_IGN);
  assert(mkdtemp(e2e_dir) != NULL);
  snprintf(e2e_sock_path, sizeof e2e_sock_path, "%s/otpd.sock", e2e_dir);
  snprintf(service_path, sizeof service_path, "%s/sshd", e2e_dir);
}

void e2e_teardown(void) {
  unlink(service_path);
  assert(rmdir(e2e_dir) == 0);
}

/* Answers a prompt with a->answer; with a->conv_rc set it still fills in a reply (an application may
 * do that), then returns the odd code: the module must neither use that reply nor leak it. */
static int app_conv(int n, const struct pam_message **msg, struct pam_response **resp, void *data) {
  struct app *a = data;
  if (n != 1) return PAM_CONV_ERR;
  struct pam_response *r = calloc(1, sizeof *r);
  if (r == NULL) return PAM_BUF_ERR;
  a->calls++;
  a->last_style = msg[0]->msg_style;
  snprintf(a->last_text, sizeof a->last_text, "%s", msg[0]->msg);
  if (msg[0]->msg_style == PAM_PROMPT_ECHO_OFF || msg[0]->msg_style == PAM_PROMPT_ECHO_ON) {
    r->resp = strdup(a->answer != NULL ? a->answer : "");
    if (r->resp == NULL) {
      free(r);
      return PAM_BUF_ERR;
    }
  }
  *resp = r;
  return a->conv_rc;
}

void e2e_write_service(const char *args, const char *next) {
  FILE *f = fopen(service_path, "w");
  assert(f != NULL);
  fprintf(f, "auth required %s socket=%s %s\n", OTPD_PAM_MODULE, e2e_sock_path, args);
  if (next != NULL) fprintf(f, "%s\n", next);
  assert(fclose(f) == 0);
}

int e2e_login_as(const char *user, struct app *a, int flags) {
  struct pam_conv conv = {app_conv, a};
  pam_handle_t *pamh = NULL;
  assert(pam_start_confdir("sshd", user, &conv, e2e_dir, &pamh) == PAM_SUCCESS);
  assert(pam_set_item(pamh, PAM_RHOST, "192.0.2.7") == PAM_SUCCESS);
  int rc = pam_authenticate(pamh, flags);
  pam_end(pamh, rc);
  return rc;
}

int e2e_login(struct app *a, int flags) { return e2e_login_as("alice", a, flags); }

int e2e_with_daemon(const struct daemon_cfg *cfg, mode_t mode, const char *args, struct app *a, int flags) {
  e2e_write_service(args, NULL);
  pid_t pid = fake_daemon_start(e2e_sock_path, cfg, mode, 1);
  int rc = e2e_login(a, flags);
  fake_daemon_stop(pid, e2e_sock_path);
  return rc;
}
