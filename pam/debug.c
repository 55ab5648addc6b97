/* SPDX-License-Identifier: MIT */
/* Debug and routine log output; see debug.h. */
#define _GNU_SOURCE
#include "debug.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <security/pam_ext.h>

#include "escape.h"

#define LINE_MAX_BYTES 1024
#define TRUNCATED " [truncated]"

/* Whose debug file is trusted: root's; in the tests' build (OTPD_PAM_TESTING) also the test's own. */
static int trusted_uid(uid_t uid) {
#ifdef OTPD_PAM_TESTING
  if (uid == geteuid()) return 1;
#endif
  return uid == 0;
}

/* Why the opened file is no place for debug output (a user could read or rewrite what the module says
 * about other users' logins, or have it written elsewhere), or NULL when it is fit. */
static const char *unfit(const struct stat *st) {
  if (!S_ISREG(st->st_mode)) return "is not a regular file";
  if (!trusted_uid(st->st_uid)) return "is not owned by root";
  if (st->st_mode & (S_IWGRP | S_IWOTH)) return "is writable by group or others";
  return NULL;
}

static const char *open_failure(int err) {
  switch (err) {
  case ENOENT: return "does not exist (the module never creates it)";
  case ELOOP: return "is a symbolic link";
  case EISDIR:
  case ENXIO: return "is not a regular file"; /* ENXIO: a FIFO no one reads */
  case EACCES:
  case EPERM: return "cannot be opened (permission denied)";
  default: return "cannot be opened";
  }
}

void otpd_debug_open(otpd_debug *d, pam_handle_t *pamh, int enabled, const char *file) {
  memset(d, 0, sizeof *d);
  d->pamh = pamh;
  d->enabled = enabled;
  if (!enabled || file == NULL || file[0] == '\0') return;
  if (strcmp(file, "stderr") == 0) {
    d->fp = stderr;
    return;
  }
  /* Never created, never followed through a symlink; O_NONBLOCK so a FIFO cannot stall the login
   * (cleared again once the file is known to be a regular one). */
  const char *why = NULL;
  struct stat st;
  int flags;
  int fd = open(file, O_WRONLY | O_APPEND | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    why = open_failure(errno);
  else if (fstat(fd, &st) != 0)
    why = "cannot be examined";
  else if ((why = unfit(&st)) == NULL &&
           ((flags = fcntl(fd, F_GETFL)) < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0 ||
            (d->fp = fdopen(fd, "a")) == NULL))
    why = "cannot be opened";
  if (why != NULL) {
    if (fd >= 0) close(fd);
    /* said once, at open; the debug lines then go to syslog, as without debug_file= */
    otpd_log(d, LOG_WARNING, "debug_file=%s %s; not writing debug output there", file, why);
    return;
  }
  d->fp_owned = 1;
}

void otpd_debug_close(otpd_debug *d) {
  if (d->fp_owned && d->fp != NULL) fclose(d->fp);
  d->fp = NULL;
  d->fp_owned = 0;
}

void otpd_debug_log(const otpd_debug *d, int prio, int always, const char *file, int line, const char *func,
                    const char *fmt, ...) {
  char raw[LINE_MAX_BYTES], msg[LINE_MAX_BYTES];
  if (d == NULL || (!always && !d->enabled)) return;
  const char *base = strrchr(file, '/');
  base = base != NULL ? base + 1 : file;
  int n = snprintf(raw, sizeof raw, "[%s:%d:%s] ", base, line, func);
  if (n < 0 || (size_t)n >= sizeof raw) n = 0;
  va_list ap;
  va_start(ap, fmt);
  int m = vsnprintf(raw + n, sizeof raw - (size_t)n, fmt, ap);
  va_end(ap);
  if (m < 0) return;
  int cut = (size_t)m >= sizeof raw - (size_t)n;
  size_t rawlen = cut ? sizeof raw - 1 : (size_t)n + (size_t)m;

  /* The whole line is escaped, not only the arguments known to come from the user: a user name,
   * rhost, tty or a daemon's message could otherwise end the line and forge the next one. Room is
   * kept for the mark; escaping never shrinks, so a line cut above is always cut here too. */
  int ecut = 0;
  size_t len = otpd_escape(msg, sizeof msg - (sizeof TRUNCATED - 1), raw, rawlen, &ecut);
  if (cut || ecut) memcpy(msg + len, TRUNCATED, sizeof TRUNCATED);

  /* routine messages always go to syslog; debug ones go to the sink */
  if (always || d->fp == NULL) {
    if (d->pamh != NULL)
      pam_syslog(d->pamh, prio, "%s", msg);
    else
      syslog(LOG_AUTHPRIV | prio, "pam_otpd: %s", msg);
  }
  if (d->enabled && d->fp != NULL) {
    fprintf(d->fp, "pam_otpd%s\n", msg);
    fflush(d->fp);
  }
}
