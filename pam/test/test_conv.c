/* SPDX-License-Identifier: MIT */
/*
 * otpd_conv_relay against an application conversation that misbehaves: whatever it returns other than
 * PAM_SUCCESS (PAM_IGNORE, PAM_AUTH_ERR, a made-up number) becomes PAM_CONV_ERR, never passed on and
 * never success, and a reply it filled in anyway is dropped (wiped and freed: valgrind watches), never
 * handed on. A real libpam handle (pam_start_confdir on a throwaway service) carries the conversation.
 */
#define _GNU_SOURCE
#undef NDEBUG
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <security/pam_appl.h>

#include "conv.h"
#include "otpd_protocol.h"

struct app {
  int rc;             /* what the conversation returns */
  const char *answer; /* the reply it fills in (NULL: none) */
  int calls;
};

static int app_conv(int n, const struct pam_message **msg, struct pam_response **resp, void *data) {
  struct app *a = data;
  (void)msg;
  assert(n == 1);
  a->calls++;
  if (a->answer != NULL) {
    struct pam_response *r = calloc(1, sizeof *r);
    assert(r != NULL && (r->resp = strdup(a->answer)) != NULL);
    *resp = r;
  }
  return a->rc;
}

static char dir[] = "/tmp/otpd-conv-XXXXXX";
static char service[128];

static int relay(struct app *a, uint16_t style, char **response) {
  struct pam_conv conv = {app_conv, a};
  pam_handle_t *pamh = NULL;
  assert(pam_start_confdir("otpd-conv", "alice", &conv, dir, &pamh) == PAM_SUCCESS);
  *response = "untouched";
  int rc = otpd_conv_relay(pamh, style, "One-time password: ", response);
  pam_end(pamh, PAM_SUCCESS);
  return rc;
}

int main(void) {
  char *response = NULL;
  assert(mkdtemp(dir) != NULL);
  snprintf(service, sizeof service, "%s/otpd-conv", dir);
  FILE *f = fopen(service, "w");
  assert(f != NULL && fputs("auth required pam_deny.so\n", f) >= 0 && fclose(f) == 0);

  /* the good case: the answer, copied */
  struct app a = {.rc = PAM_SUCCESS, .answer = "755224"};
  assert(relay(&a, OTPD_STYLE_PROMPT_ECHO_OFF, &response) == PAM_SUCCESS);
  assert(a.calls == 1 && response != NULL && strcmp(response, "755224") == 0);
  free(response);
  a = (struct app){.rc = PAM_SUCCESS, .answer = "ignored"};
  assert(relay(&a, OTPD_STYLE_TEXT_INFO, &response) == PAM_SUCCESS && strcmp(response, "") == 0);
  free(response);

  /* every other code, with or without a reply filled in, for a prompt or a message */
  const int odd[] = {PAM_IGNORE,  PAM_AUTH_ERR, PAM_USER_UNKNOWN, PAM_CONV_AGAIN,  PAM_INCOMPLETE,
                     PAM_BUF_ERR, PAM_CONV_ERR, PAM_ABORT,        PAM_PERM_DENIED, _PAM_RETURN_VALUES,
                     12345,       -1,           -PAM_CONV_ERR,    0x7fffffff};
  const uint16_t styles[] = {OTPD_STYLE_PROMPT_ECHO_OFF, OTPD_STYLE_PROMPT_ECHO_ON, OTPD_STYLE_ERROR_MSG,
                             OTPD_STYLE_TEXT_INFO};
  for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
    for (size_t s = 0; s < sizeof styles / sizeof styles[0]; s++) {
      for (int with_reply = 0; with_reply < 2; with_reply++) {
        a = (struct app){.rc = odd[i], .answer = with_reply ? "755224" : NULL};
        int rc = relay(&a, styles[s], &response);
        if (rc != PAM_CONV_ERR || response != NULL) {
          fprintf(stderr, "conversation returned %d (style %u, reply %d): relay %d, response %s\n", odd[i],
                  (unsigned)styles[s], with_reply, rc, response != NULL ? response : "(null)");
          assert(0);
        }
      }
    }
  }

  /* success without a reply to a prompt is no answer */
  a = (struct app){.rc = PAM_SUCCESS, .answer = NULL};
  assert(relay(&a, OTPD_STYLE_PROMPT_ECHO_OFF, &response) == PAM_CONV_ERR && response == NULL);

  unlink(service);
  rmdir(dir);
  puts("test_conv: ok");
  return 0;
}
