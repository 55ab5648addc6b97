/* SPDX-License-Identifier: MIT */
/* F_OFD_SETLK is a Linux extension: it needs _GNU_SOURCE before any system header. */
#define _GNU_SOURCE
#include "file_lock.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>

static int set_lock(int fd, short type, int64_t start, int64_t len) {
  if (fd < 0 || start < 0 || len <= 0) return EINVAL;
  struct flock lock;
  memset(&lock, 0, sizeof(lock)); /* l_pid must be 0 for OFD locks */
  lock.l_type = type;
  lock.l_whence = SEEK_SET;
  lock.l_start = (off_t)start;
  lock.l_len = (off_t)len;
  int rc;
  do {
    rc = fcntl(fd, F_OFD_SETLK, &lock);
  } while (rc != 0 && errno == EINTR);
  if (rc == 0) return 0;
  if (errno == EACCES) return EAGAIN; /* POSIX lets a conflict say either */
  return errno != 0 ? errno : EIO;
}

int otpd_range_lock_try(int fd, int64_t start, int64_t len) { return set_lock(fd, F_WRLCK, start, len); }

int otpd_range_unlock(int fd, int64_t start, int64_t len) { return set_lock(fd, F_UNLCK, start, len); }
