/* SPDX-License-Identifier: MIT */
/* struct ucred is a Linux extension: it needs _GNU_SOURCE before any system header. */
#define _GNU_SOURCE
#include "peer_cred.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>

int otpd_peer_cred_get(int fd, otpd_peer_cred *out) {
  if (out == NULL) return EINVAL;
  memset(out, 0, sizeof(*out));
  if (fd < 0) return EINVAL;
  struct ucred cred;
  socklen_t len = sizeof(cred);
  memset(&cred, 0, sizeof(cred));
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return errno != 0 ? errno : EIO;
  if (len != sizeof(cred)) return EPROTO;
  out->pid = (int64_t)cred.pid;
  out->uid = (int64_t)cred.uid;
  out->gid = (int64_t)cred.gid;
  return 0;
}

int otpd_peer_gone(int fd, int *gone) {
  if (gone == NULL) return EINVAL;
  *gone = 0;
  if (fd < 0) return EINVAL;
  struct pollfd p = {.fd = fd, .events = POLLRDHUP, .revents = 0};
  int n;
  do {
    n = poll(&p, 1, 0);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return errno != 0 ? errno : EIO;
  if (p.revents & POLLNVAL) return EBADF;
  *gone = (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
  return 0;
}
