/* SPDX-License-Identifier: MIT */
/*
 * debug_file= is written only when it is root's (in this, the tests' build, also the test's own euid),
 * a regular file reached without a symlink, and writable by its owner only. Otherwise nothing is
 * written there, and one pam_syslog line (recorded: syslog_rec.h) names the file and what is wrong.
 */
#define _GNU_SOURCE
#undef NDEBUG
#include <assert.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "debug.h"
#include "syslog_rec.h"

static char dir[] = "/tmp/otpd-debugfile-XXXXXX";
static char path[128];
static char target[128];

static void make_file(const char *p, mode_t mode) {
  unlink(p);
  int fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  assert(fd >= 0 && fchmod(fd, mode) == 0 && close(fd) == 0);
}

static off_t size_of(const char *p) {
  struct stat st;
  assert(stat(p, &st) == 0);
  return st.st_size;
}

/* Opens the debug sink on `p`, logs three debug lines and a routine one; checks that nothing reached
 * the file at `written` (p itself, or the symlink's target), and that the one complaint says `why`. */
static void refused(const char *p, const char *written, const char *why) {
  char want[400];
  otpd_debug d;
  nrecorded = 0;
  otpd_debug_open(&d, fake_pamh, 1, p);
  assert(d.fp == NULL);
  OTPD_DEBUG(&d, "first");
  OTPD_DEBUG(&d, "second");
  OTPD_DEBUG(&d, "third");
  otpd_log(&d, LOG_ERR, "routine");
  otpd_debug_close(&d);
  if (written != NULL) assert(size_of(written) == 0);
  snprintf(want, sizeof want, "debug_file=%s %s; not writing debug output there", p, why);
  if (recorded_with(want) != 1 || recorded_with("debug_file=") != 1) {
    for (int i = 0; i < nrecorded; i++) fprintf(stderr, "syslog: %s\n", recorded[i]);
    fprintf(stderr, "wanted once: %s\n", want);
    assert(0);
  }
  /* said once, at open; the debug lines still reach syslog, as with no debug_file= */
  assert(strstr(recorded[0], want) != NULL && nrecorded == 5);
}

int main(void) {
  otpd_debug d;
  assert(mkdtemp(dir) != NULL);
  snprintf(path, sizeof path, "%s/debug.log", dir);
  snprintf(target, sizeof target, "%s/target.log", dir);

  /* the owner's, mode 0600 or 0644: written, nothing said */
  const mode_t fine[] = {0600, 0644, 0400 | 0200};
  for (size_t i = 0; i < sizeof fine / sizeof fine[0]; i++) {
    make_file(path, fine[i]);
    nrecorded = 0;
    otpd_debug_open(&d, fake_pamh, 1, path);
    assert(d.fp != NULL);
    OTPD_DEBUG(&d, "hello");
    otpd_debug_close(&d);
    assert(nrecorded == 0 && size_of(path) > 0);
  }

  /* writable by group or others */
  const mode_t loose[] = {0620, 0602, 0666, 0660, 0622};
  for (size_t i = 0; i < sizeof loose / sizeof loose[0]; i++) {
    make_file(path, loose[i]);
    refused(path, path, "is writable by group or others");
  }

  /* not root's (nor, here, the test's own) */
  if (geteuid() == 0) {
    make_file(path, 0600);
    assert(chown(path, 65534, 65534) == 0);
    refused(path, path, "is not owned by root");
  } else {
    puts("test_debug_file: not root, the owner refusal not exercised");
  }

  /* a symlink, even to a fine file */
  make_file(target, 0600);
  unlink(path);
  assert(symlink(target, path) == 0);
  refused(path, target, "is a symbolic link");
  unlink(path);

  /* not a regular file: a directory, a FIFO (opening it must not wait for a reader) */
  assert(mkdir(path, 0700) == 0);
  refused(path, NULL, "is not a regular file");
  assert(rmdir(path) == 0);
  assert(mkfifo(path, 0600) == 0);
  alarm(10);
  refused(path, NULL, "is not a regular file");
  alarm(0);
  unlink(path);

  /* missing: never created, and said so */
  refused(path, NULL, "does not exist (the module never creates it)");
  assert(access(path, F_OK) != 0);

  /* debugging off: debug_file= is not even opened, nothing said */
  make_file(path, 0666);
  nrecorded = 0;
  otpd_debug_open(&d, fake_pamh, 0, path);
  OTPD_DEBUG(&d, "hidden");
  otpd_debug_close(&d);
  assert(nrecorded == 0 && size_of(path) == 0);

  unlink(path);
  unlink(target);
  rmdir(dir);
  puts("test_debug_file: ok");
  return 0;
}
