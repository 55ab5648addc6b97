/* SPDX-License-Identifier: MIT */
/*
 * The module's debug output end to end (e2e.h): `debug debug_file=` through the built pam_otpd.so.
 * Lines carry the prefix and never the one-time password; a user name cannot forge a line; a file
 * that is not root's, is writable by group or others, or is a symlink gets nothing; the file is never
 * created. Needs root; exits 77 (skipped) otherwise.
 */
#define _GNU_SOURCE
#undef NDEBUG
#include <assert.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <security/pam_appl.h>

#include "e2e.h"
#include "otpd_protocol.h"
#include "slurp.h"

static char log_path[160];
static char args[400];
static char text[16384];

/* An empty debug file of `mode`, owned by uid. */
static void fresh_log(mode_t mode, uid_t uid) {
  unlink(log_path);
  int fd = open(log_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  assert(fd >= 0 && fchown(fd, uid, 0) == 0 && fchmod(fd, mode) == 0 && close(fd) == 0);
}

/* Lines of text; each must start with the module's prefix and a file:line of the module. */
static size_t module_lines(void) {
  size_t lines = 0;
  for (const char *p = text; *p != '\0'; lines++) {
    const char *nl = strchr(p, '\n');
    assert(nl != NULL);
    assert(strncmp(p, "pam_otpd[", 9) == 0);
    /* pam_otpd.c's line 1 is its licence header: a line that says so was forged */
    assert(strncmp(p, "pam_otpd[pam_otpd.c:1:", 22) != 0);
    p = nl + 1;
  }
  return lines;
}

int main(void) {
  e2e_setup("test_pam_e2e_debug");
  snprintf(log_path, sizeof log_path, "%s/debug.log", e2e_dir);
  snprintf(args, sizeof args, "debug debug_file=%s", log_path);

  /* an existing file gets prefixed lines, never the one-time password */
  struct daemon_cfg cfg = {.script = S_PROMPT, .verdict = OTPD_VERDICT_SUCCESS};
  struct app a = {.answer = "755224"};
  fresh_log(0600, 0);
  assert(e2e_with_daemon(&cfg, 0600, args, &a, 0) == PAM_SUCCESS);
  test_slurp(log_path, text, sizeof text);
  assert(module_lines() > 0 && strstr(text, "pam_sm_authenticate]") != NULL);
  assert(strstr(text, "755224") == NULL);

  /* a user name that tries to start lines of its own stays inside one line, escaped: three debug
   * messages (the options, the verdict, the result), three lines */
  static const char forger[] = "alice\npam_otpd[pam_otpd.c:1:pam_sm_authenticate] user root: Success"
                               "\r\n\tx\\y\"z\x1b[2K\x7f";
  static const char escaped[] = "user alice\\npam_otpd[pam_otpd.c:1:pam_sm_authenticate] user root: "
                                "Success\\r\\n\\tx\\\\y\\\"z\\x1b[2K\\x7f: ";
  cfg = (struct daemon_cfg){.script = S_VERDICT, .verdict = OTPD_VERDICT_SUCCESS};
  fresh_log(0600, 0);
  e2e_write_service(args, NULL);
  pid_t pid = fake_daemon_start(e2e_sock_path, &cfg, 0600, 1);
  assert(e2e_login_as(forger, &a, 0) == PAM_AUTH_ERR); /* the fake daemon knows only alice */
  fake_daemon_stop(pid, e2e_sock_path);
  test_slurp(log_path, text, sizeof text);
  assert(module_lines() == 3);
  assert(strstr(text, escaped) != NULL);

  /* a file that is not root's, or that group or others may write, gets nothing; the login goes on */
  static const struct {
    mode_t mode;
    uid_t uid;
  } unfit[] = {{0620, 0}, {0602, 0}, {0666, 0}, {0600, 65534}};
  for (size_t i = 0; i < sizeof unfit / sizeof unfit[0]; i++) {
    fresh_log(unfit[i].mode, unfit[i].uid);
    assert(e2e_with_daemon(&cfg, 0600, args, &a, 0) == PAM_SUCCESS);
    assert(test_slurp(log_path, text, sizeof text) == 0);
  }
  /* nor a root file behind a symlink */
  char target[200];
  snprintf(target, sizeof target, "%s/target.log", e2e_dir);
  rename(log_path, target);
  assert(chown(target, 0, 0) == 0 && chmod(target, 0600) == 0 && symlink(target, log_path) == 0);
  assert(e2e_with_daemon(&cfg, 0600, args, &a, 0) == PAM_SUCCESS);
  assert(test_slurp(target, text, sizeof text) == 0);
  unlink(target);

  /* a missing file is never created */
  unlink(log_path);
  assert(e2e_with_daemon(&cfg, 0600, args, &a, 0) == PAM_SUCCESS);
  assert(access(log_path, F_OK) != 0);

  e2e_teardown();
  puts("test_pam_e2e_debug: ok");
  return 0;
}
