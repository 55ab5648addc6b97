/* SPDX-License-Identifier: MIT */
/*
 * Logging. otpd_log: routine messages through pam_syslog (AUTHPRIV), also copied to the debug sink when
 * debugging. OTPD_DEBUG: debug messages only when `debug` is set, to syslog, stderr or an existing file
 * (`debug_file=`; the module never creates it). Every line: "pam_otpd[file:line:func]: ...", marked
 * "[truncated]" when cut. The whole formatted line is escaped (escape.h) before it reaches any sink, so
 * a user name, rhost, tty or daemon message with a newline cannot forge a line. Never pass a secret.
 */
#ifndef OTPD_DEBUG_H
#define OTPD_DEBUG_H

#include <security/pam_modules.h>
#include <stdio.h>

typedef struct otpd_debug {
  pam_handle_t *pamh; /* may be NULL (tests): then syslog(3) */
  int enabled;
  FILE *fp;     /* NULL: syslog */
  int fp_owned; /* fp was opened here and is closed by otpd_debug_close */
} otpd_debug;

/*
 * file: NULL or "" = syslog, "stderr", or an absolute path opened for append, never created, used only
 * when it is a regular file (no symlink) owned by root and not writable by group or others. Otherwise
 * nothing goes there: one pam_syslog warning names the file and what is wrong, and the debug lines go
 * to syslog.
 */
void otpd_debug_open(otpd_debug *d, pam_handle_t *pamh, int enabled, const char *file);
void otpd_debug_close(otpd_debug *d);

void otpd_debug_log(const otpd_debug *d, int prio, int always, const char *file, int line, const char *func,
                    const char *fmt, ...) __attribute__((format(printf, 7, 8)));

#define OTPD_DEBUG(d, ...) otpd_debug_log((d), LOG_DEBUG, 0, __FILE__, __LINE__, __func__, __VA_ARGS__)
#define otpd_log(d, prio, ...) otpd_debug_log((d), (prio), 1, __FILE__, __LINE__, __func__, __VA_ARGS__)

#endif /* OTPD_DEBUG_H */
