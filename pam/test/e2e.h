/* SPDX-License-Identifier: MIT */
/*
 * What the end-to-end tests share: a temporary PAM config directory whose service file "sshd" names
 * the built pam_otpd.so (the shipped build: strict socket, peer and debug_file checks) and the fake
 * daemon's socket, an application conversation that records what it was asked, and one
 * pam_start_confdir / pam_authenticate / pam_end per login. Root only: e2e_setup exits 77 (skipped)
 * otherwise.
 */
#ifndef OTPD_TEST_E2E_H
#define OTPD_TEST_E2E_H

#include <sys/types.h>

#include "fake_daemon.h"

extern char e2e_dir[];
extern char e2e_sock_path[108];

struct app {
  int calls;
  int last_style;
  char last_text[64];
  const char *answer;
  int conv_rc; /* PAM_SUCCESS (0): answer; else return this after filling in the reply anyway */
};

/* Makes the directory, or exits 77 when not root. */
void e2e_setup(const char *name);
/* Removes the service file and the directory (which must be empty otherwise). */
void e2e_teardown(void);

/* The service file: "auth required pam_otpd.so socket=... args", then `next` as a line (or NULL). */
void e2e_write_service(const char *args, const char *next);

/* One pam_authenticate for `user` (NULL: libpam asks the conversation) on "sshd" from 192.0.2.7. */
int e2e_login_as(const char *user, struct app *a, int flags);
int e2e_login(struct app *a, int flags);

/* The service file with args, the fake daemon on a socket of `mode`, one login of alice. */
int e2e_with_daemon(const struct daemon_cfg *cfg, mode_t mode, const char *args, struct app *a, int flags);

#endif /* OTPD_TEST_E2E_H */
