/* SPDX-License-Identifier: MIT */
/*
 * Who is on the other end of a connected Unix socket (SO_PEERCRED): the daemon's check that the
 * PAM module talking to it runs as root. Node's `net` cannot ask, so the addon does.
 */
#ifndef OTPD_PEER_CRED_H
#define OTPD_PEER_CRED_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct otpd_peer_cred {
  int64_t pid;
  int64_t uid;
  int64_t gid;
} otpd_peer_cred;

/*
 * Reads the credentials the kernel recorded when the peer connected (or made the socket pair).
 * Returns 0 and fills *out, or an errno value (EBADF, ENOTSOCK, EINVAL for a negative fd or NULL
 * out, ...) and leaves *out zeroed. Never trusts anything the peer sent.
 */
int otpd_peer_cred_get(int fd, otpd_peer_cred *out);

#ifdef __cplusplus
}
#endif

#endif
