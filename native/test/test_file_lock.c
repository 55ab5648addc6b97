/* SPDX-License-Identifier: MIT */
/* otpd_range_lock_try / otpd_range_unlock: one open file description never conflicts with itself;
 * another conflicts byte by byte (also in another process); unlock and close release; bad input. */
/* mkstemp and fork are POSIX: declared under _DEFAULT_SOURCE in strict C11. */
#define _DEFAULT_SOURCE
#undef NDEBUG
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "file_lock.h"

static const int64_t far = (int64_t)1 << 52; /* offsets are up to 2^53 (JavaScript's safe integers) */

int main(void) {
  char path[] = "/tmp/otpd-file-lock-XXXXXX";
  int first = mkstemp(path);
  assert(first >= 0);
  int second = open(path, O_RDWR);
  assert(second >= 0);

  assert(otpd_range_lock_try(first, 7, 1) == 0);
  assert(otpd_range_lock_try(first, 7, 1) == 0);   /* the same description: already ours */
  assert(otpd_range_lock_try(first, far, 1) == 0); /* and another byte of it, far out */
  assert(otpd_range_lock_try(second, 7, 1) == EAGAIN);
  assert(otpd_range_lock_try(second, far, 1) == EAGAIN);
  assert(otpd_range_lock_try(second, 8, 1) == 0); /* the next byte is another user's */

  pid_t child = fork();
  assert(child >= 0);
  if (child == 0) {
    int mine = open(path, O_RDWR);
    int ok = mine >= 0 && otpd_range_lock_try(mine, 7, 1) == EAGAIN && otpd_range_lock_try(mine, 9, 1) == 0;
    _exit(ok ? 0 : 1);
  }
  int status = 0;
  assert(waitpid(child, &status, 0) == child);
  assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);

  assert(otpd_range_unlock(first, 7, 1) == 0);
  assert(otpd_range_lock_try(second, 7, 1) == 0);
  assert(otpd_range_lock_try(first, 7, 1) == EAGAIN);
  close(second); /* closing releases every byte it held */
  assert(otpd_range_lock_try(first, 7, 1) == 0);
  assert(otpd_range_lock_try(first, 8, 1) == 0);
  close(first);

  assert(otpd_range_lock_try(-1, 0, 1) == EINVAL);
  assert(otpd_range_lock_try(first, -1, 1) == EINVAL);
  assert(otpd_range_lock_try(first, 0, 0) == EINVAL);
  assert(otpd_range_lock_try(first, 0, 1) == EBADF); /* closed above */
  assert(otpd_range_unlock(first, 0, 1) == EBADF);
  assert(unlink(path) == 0);
  puts("test_file_lock: ok");
  return 0;
}
