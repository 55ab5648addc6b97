/* SPDX-License-Identifier: MIT */
/*
 * The other end of a connected Unix socket, as the daemon needs to know it and Node's `net` cannot
 * tell: who it is (SO_PEERCRED: the PAM module must run as root), and whether it has hung up already
 * (so that an answer whose sender gave up is not decided for nobody).
 *
 * Errors, as everywhere in native/ and pam/: every function returns 0 on success or a positive errno
 * value on failure, and hands its result back through an out-parameter.
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

/*
 * Whether the peer has closed or shut down its side (poll: POLLRDHUP, POLLHUP or POLLERR, without
 * waiting). Returns 0 and sets *gone to 1 when it has, 0 when it has not; or an errno value (EBADF,
 * EINVAL for a negative fd or NULL gone) and leaves *gone 0. Bytes still unread do not hide a hang-up.
 */
int otpd_peer_gone(int fd, int *gone);

#ifdef __cplusplus
}
#endif

#endif
