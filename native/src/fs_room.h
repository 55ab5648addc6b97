/* SPDX-License-Identifier: MIT */
/*
 * Whether the filesystem of an open file can take a write: read-only or not, bytes and inodes free
 * (fstatvfs). The state directory asks before it verifies an answer, so a full or read-only
 * filesystem refuses the login before anything is checked instead of failing to count it after.
 *
 * Errors, as everywhere in native/ and pam/: every function returns 0 on success or a positive errno
 * value on failure, and hands its result back through an out-parameter.
 */
#ifndef OTPD_FS_ROOM_H
#define OTPD_FS_ROOM_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct otpd_fs_room {
  int read_only;        /* 1 when mounted read-only */
  uint64_t free_bytes;  /* what this process may still write: root may use the reserved blocks */
  uint64_t free_inodes; /* UINT64_MAX when the filesystem does not count inodes */
} otpd_fs_room;

/* Fills *out for fd's filesystem. Returns 0, or an errno value (EBADF, EINVAL for a negative fd or
 * NULL out, EIO...) with *out zeroed. */
int otpd_fs_room_get(int fd, otpd_fs_room *out);

#ifdef __cplusplus
}
#endif

#endif
