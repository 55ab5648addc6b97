/* SPDX-License-Identifier: MIT */
/* For the tests that read back what the module wrote (debug_file=, a log): a whole small file. */
#ifndef OTPD_TEST_SLURP_H
#define OTPD_TEST_SLURP_H

#include <stddef.h>

/* The whole file at path, NUL-terminated (cap - 1 bytes at most); its length. Asserts it opens. */
size_t test_slurp(const char *path, char *buf, size_t cap);

#endif
