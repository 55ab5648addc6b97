/* SPDX-License-Identifier: MIT */
/*
 * For the tests of debug.c: the executable is linked with -Wl,--wrap=pam_syslog, so every pam_syslog
 * call of the module's parts lands here and is kept, formatted, for the test to read. The handle
 * passed is never dereferenced: fake_pamh will do.
 */
#ifndef OTPD_TEST_SYSLOG_REC_H
#define OTPD_TEST_SYSLOG_REC_H

#include <security/pam_modules.h>

#define MAX_RECORDED 16
extern char recorded[MAX_RECORDED][2048];
extern int nrecorded;
extern pam_handle_t *const fake_pamh;

/* How many recorded messages contain needle. */
int recorded_with(const char *needle);

#endif /* OTPD_TEST_SYSLOG_REC_H */
