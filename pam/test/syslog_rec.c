/* SPDX-License-Identifier: MIT */
/* The pam_syslog recorder of the debug.c tests; see syslog_rec.h. */
#undef NDEBUG
#include "syslog_rec.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

char recorded[MAX_RECORDED][2048];
int nrecorded;
pam_handle_t *const fake_pamh = (pam_handle_t *)(void *)&nrecorded;

void __wrap_pam_syslog(const pam_handle_t *pamh, int prio, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void __wrap_pam_syslog(const pam_handle_t *pamh, int prio, const char *fmt, ...) {
  (void)pamh;
  (void)prio;
  assert(nrecorded < MAX_RECORDED);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(recorded[nrecorded++], sizeof recorded[0], fmt, ap);
  va_end(ap);
}

int recorded_with(const char *needle) {
  int n = 0;
  for (int i = 0; i < nrecorded; i++) n += strstr(recorded[i], needle) != NULL;
  return n;
}
