/* SPDX-License-Identifier: MIT */
/* otpd_fs_room_get on /tmp (writable, some room), on /sys (answers), and bad input. The read-only
 * and full cases need a mount: test/integration/state-disk-full.test.ts covers them through otpd. */
#undef NDEBUG
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "fs_room.h"

int main(void) {
  otpd_fs_room room;
  int tmp = open("/tmp", O_RDONLY);
  assert(tmp >= 0);
  assert(otpd_fs_room_get(tmp, &room) == 0);
  assert(room.read_only == 0);
  assert(room.free_bytes > 0);
  assert(room.free_inodes > 0);
  close(tmp);

  /* sysfs is mounted read-only in most containers, read-write on a host: only check it answers. */
  int sys = open("/sys", O_RDONLY);
  if (sys >= 0) {
    assert(otpd_fs_room_get(sys, &room) == 0);
    assert(room.read_only == 0 || room.read_only == 1);
    close(sys);
  }

  room.free_bytes = 42;
  assert(otpd_fs_room_get(-1, &room) == EINVAL);
  assert(room.free_bytes == 0);
  assert(otpd_fs_room_get(tmp, &room) == EBADF); /* closed above */
  assert(otpd_fs_room_get(0, NULL) == EINVAL);
  puts("test_fs_room: ok");
  return 0;
}
