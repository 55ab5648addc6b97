/* SPDX-License-Identifier: MIT */
/*
 * Open-file-description byte-range locks (fcntl F_OFD_SETLK), which Node cannot take. otpd's state
 * directory has one long-lived lock file; a user's decision holds one byte of it, at an offset derived
 * from the user's file name (src/state/state-lock.ts). So a login creates and removes no file, the
 * concurrent logins of one process share one descriptor without excluding each other (locks of one
 * open file description never conflict), other processes are excluded byte by byte, and the kernel
 * drops every lock of a holder that closes the file or dies (no stale locks).
 *
 * Errors, as everywhere in native/ and pam/: every function returns 0 on success or a positive errno
 * value on failure.
 */
#ifndef OTPD_FILE_LOCK_H
#define OTPD_FILE_LOCK_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Tries to lock bytes [start, start + len) of fd's file for writing, without waiting.
 * Returns 0 when taken (or already held through this open file description), EAGAIN when another
 * open file description holds a conflicting lock, or another errno value (EBADF, EINVAL for a
 * negative fd, start or len, ENOLCK...).
 */
int otpd_range_lock_try(int fd, int64_t start, int64_t len);

/* Releases bytes [start, start + len) of fd's file. Returns 0 or an errno value. */
int otpd_range_unlock(int fd, int64_t start, int64_t len);

#ifdef __cplusplus
}
#endif

#endif
