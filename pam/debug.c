/* SPDX-License-Identifier: MIT */
/* Debug and routine log output; see debug.h. */
#define _GNU_SOURCE
#include "debug.h"

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

void otpd_debug_open(otpd_debug *d, pam_handle_t *pamh, int enabled, const char *file) {
  memset(d, 0, sizeof *d);
  d->pamh = pamh;
  d->enabled = enabled;
  if (!enabled || file == NULL || file[0] == '\0') return;
  if (strcmp(file, "stderr") == 0) {
    d->fp = stderr;
    return;
  }
  /* never created, never followed through a symlink, must be a regular file */
  int fd = open(file, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
  struct stat st;
  if (fd < 0) return; /* falls back to syslog */
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (d->fp = fdopen(fd, "a")) == NULL) {
    close(fd);
    return;
  }
  d->fp_owned = 1;
}

void otpd_debug_close(otpd_debug *d) {
  if (d->fp_owned && d->fp != NULL) fclose(d->fp);
  d->fp = NULL;
  d->fp_owned = 0;
}

void otpd_debug_log(const otpd_debug *d, int prio, int always, const char *file, int line,
                    const char *func, const char *fmt, ...) {
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
