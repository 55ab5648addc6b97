/* SPDX-License-Identifier: MIT */
#include "fs_room.h"

#include <errno.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

int otpd_fs_room_get(int fd, otpd_fs_room *out) {
  if (out == NULL) return EINVAL;
  memset(out, 0, sizeof(*out));
  if (fd < 0) return EINVAL;
  struct statvfs st;
  int rc;
  do {
    rc = fstatvfs(fd, &st);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) return errno != 0 ? errno : EIO;
  int root = geteuid() == 0;
  uint64_t blocks = root ? (uint64_t)st.f_bfree : (uint64_t)st.f_bavail;
  uint64_t unit = st.f_frsize != 0 ? (uint64_t)st.f_frsize : (uint64_t)st.f_bsize;
  out->read_only = (st.f_flag & ST_RDONLY) != 0;
  out->free_bytes = blocks > UINT64_MAX / (unit != 0 ? unit : 1) ? UINT64_MAX : blocks * unit;
  out->free_inodes = st.f_files == 0 ? UINT64_MAX : (root ? (uint64_t)st.f_ffree : (uint64_t)st.f_favail);
  return 0;
}
