/* SPDX-License-Identifier: MIT */
/* otpd_peer_cred_get and otpd_peer_gone on a socket pair (our own credentials), a pipe (not a socket)
 * and bad input. */
#undef NDEBUG
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "peer_cred.h"

int main(void) {
  int pair[2];
  assert(socketpair(AF_UNIX, SOCK_STREAM, 0, pair) == 0);
  otpd_peer_cred cred;
  assert(otpd_peer_cred_get(pair[0], &cred) == 0);
  assert(cred.pid == (int64_t)getpid());
  assert(cred.uid == (int64_t)geteuid());
  assert(cred.gid == (int64_t)getegid());
  /* still there, also with bytes unread; gone once it shut down its side, even with bytes unread */
  int gone = -1;
  assert(otpd_peer_gone(pair[0], &gone) == 0 && gone == 0);
  assert(write(pair[1], "x", 1) == 1);
  assert(otpd_peer_gone(pair[0], &gone) == 0 && gone == 0);
  assert(shutdown(pair[1], SHUT_WR) == 0);
  assert(otpd_peer_gone(pair[0], &gone) == 0 && gone == 1);
  assert(otpd_peer_gone(pair[0], NULL) == EINVAL);
  close(pair[0]);
  close(pair[1]);
  gone = 1;
  assert(otpd_peer_gone(-1, &gone) == EINVAL && gone == 0);
  gone = 1;
  assert(otpd_peer_gone(pair[0], &gone) == EBADF && gone == 0); /* closed above */

  int pipefd[2];
  assert(pipe(pipefd) == 0);
  cred.uid = 42;
  assert(otpd_peer_cred_get(pipefd[0], &cred) == ENOTSOCK);
  assert(cred.uid == 0 && cred.pid == 0);
  close(pipefd[0]);
  close(pipefd[1]);

  assert(otpd_peer_cred_get(-1, &cred) == EINVAL);
  assert(otpd_peer_cred_get(pair[0], NULL) == EINVAL);
  assert(otpd_peer_cred_get(pair[0], &cred) == EBADF); /* closed above */
  puts("test_peer_cred: ok");
  return 0;
}
