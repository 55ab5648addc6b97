/* SPDX-License-Identifier: MIT */
/* The module's socket to otpd; see transport.h and docs/protocol.md ("Transport"). */
#define _GNU_SOURCE
#include "transport.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

const char *otpd_tx_strerror(otpd_tx_rc rc) {
  switch (rc) {
  case OTPD_TX_OK: return "ok";
  case OTPD_TX_NO_SOCKET: return "daemon not listening (no socket or connection refused)";
  case OTPD_TX_NOT_SOCKET: return "socket path is not a socket";
  case OTPD_TX_BAD_OWNER: return "socket is not owned by root";
  case OTPD_TX_BAD_MODE: return "socket is writable by others";
  case OTPD_TX_PEER: return "peer is not root (SO_PEERCRED)";
  case OTPD_TX_TIMEOUT: return "timed out waiting for the daemon";
  case OTPD_TX_EOF: return "daemon closed the connection";
  case OTPD_TX_IO: return "socket error";
  case OTPD_TX_WIRE: return "malformed frame from the daemon";
  case OTPD_TX_ENCODE: return "request or answer cannot be sent (too long or not UTF-8)";
  }
  return "unknown";
}

static int trusted_uid(uid_t uid) {
#ifdef OTPD_PAM_TESTING
  if (uid == geteuid()) return 1;
#endif
  return uid == 0;
}

/* One monotonic deadline, in milliseconds; -1 when the clock fails (then no time is left). */
static int64_t now_ms(void) {
  struct timespec ts;
  if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) return -1;
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t otpd_deadline_in(int64_t ms) {
  int64_t now = now_ms();
  return now < 0 ? 0 : now + ms;
}

int otpd_remaining_ms(int64_t deadline) {
  int64_t now = now_ms();
  if (now < 0 || now >= deadline) return 0;
  int64_t left = deadline - now;
  return left > INT32_MAX ? INT32_MAX : (int)left;
}

/* Waits for `events` on fd within what remains of the budget. */
static otpd_tx_rc wait_fd(int fd, short events, int64_t deadline) {
  for (;;) {
    int left = otpd_remaining_ms(deadline);
    if (left == 0) return OTPD_TX_TIMEOUT;
    struct pollfd p = {.fd = fd, .events = events, .revents = 0};
    int n = poll(&p, 1, left);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return OTPD_TX_IO;
    if (n == 0) return OTPD_TX_TIMEOUT;
    if (p.revents & POLLNVAL) return OTPD_TX_IO;
    return OTPD_TX_OK; /* readable, writable, HUP or ERR: the next call tells */
  }
}

/* A non-blocking, close-on-exec socket that is not fd 0-2 (a caller may have closed stdio). */
static int safe_socket(void) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd >= 0 && fd < 3) {
    int high = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    close(fd);
    if (high < 0) return -1;
    fd = high; /* F_DUPFD does not carry O_NONBLOCK over: it is a file status flag, shared */
  }
  return fd;
}

static otpd_tx_rc check_path(const char *path) {
  struct stat st;
  if (stat(path, &st) != 0) return errno == ENOENT ? OTPD_TX_NO_SOCKET : OTPD_TX_IO;
  if (!S_ISSOCK(st.st_mode)) return OTPD_TX_NOT_SOCKET;
  if (!trusted_uid(st.st_uid)) return OTPD_TX_BAD_OWNER;
  if (st.st_mode & S_IWOTH) return OTPD_TX_BAD_MODE;
  return OTPD_TX_OK;
}

otpd_tx_rc otpd_tx_open(const char *path, int64_t deadline, int *out) {
  struct sockaddr_un sa;
  struct ucred cred;
  socklen_t len = sizeof cred;
  otpd_tx_rc rc = check_path(path);
  int fd = -1;
  size_t n = strlen(path);
  if (rc != OTPD_TX_OK) goto done;
  rc = OTPD_TX_IO;
  if (n >= sizeof sa.sun_path) goto done;
  memset(&sa, 0, sizeof sa);
  sa.sun_family = AF_UNIX;
  memcpy(sa.sun_path, path, n + 1);
  if ((fd = safe_socket()) < 0) goto done;
  for (;;) {
    if (connect(fd, (const struct sockaddr *)&sa, sizeof sa) == 0) break;
    if (errno == EINTR) continue;
    if (errno == EAGAIN) { /* backlog full: retry briefly within the budget */
      if (otpd_remaining_ms(deadline) == 0) {
        rc = OTPD_TX_TIMEOUT;
        goto done;
      }
      poll(NULL, 0, 10);
      continue;
    }
    if (errno == EINPROGRESS) {
      int soerr = 0;
      socklen_t sl = sizeof soerr;
      if ((rc = wait_fd(fd, POLLOUT, deadline)) != OTPD_TX_OK) goto done;
      rc = OTPD_TX_IO;
      if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0 || soerr != 0) goto done;
      break;
    }
    rc = (errno == ENOENT || errno == ECONNREFUSED) ? OTPD_TX_NO_SOCKET : OTPD_TX_IO;
    goto done;
  }
  rc = OTPD_TX_IO;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 || len != sizeof cred) goto done;
  rc = OTPD_TX_PEER;
  if (!trusted_uid(cred.uid)) goto done;
  *out = fd;
  fd = -1;
  rc = OTPD_TX_OK;
done:
  if (fd >= 0) close(fd);
  return rc;
}

static otpd_tx_rc send_all(int fd, const uint8_t *buf, size_t len, int64_t deadline) {
  size_t off = 0;
  while (off < len) {
    ssize_t n = send(fd, buf + off, len - off, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      off += (size_t)n;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      otpd_tx_rc rc = wait_fd(fd, POLLOUT, deadline);
      if (rc != OTPD_TX_OK) return rc;
      continue;
    }
    return (n < 0 && errno == EPIPE) ? OTPD_TX_EOF : OTPD_TX_IO;
  }
  return OTPD_TX_OK;
}

/* Reads exactly `want` bytes into buf within the budget. */
static otpd_tx_rc recv_exact(int fd, uint8_t *buf, size_t want, int64_t deadline) {
  size_t off = 0;
  while (off < want) {
    ssize_t n = recv(fd, buf + off, want - off, MSG_DONTWAIT);
    if (n > 0) {
      off += (size_t)n;
      continue;
    }
    if (n == 0) return OTPD_TX_EOF;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      otpd_tx_rc rc = wait_fd(fd, POLLIN, deadline);
      if (rc != OTPD_TX_OK) return rc;
      continue;
    }
    return errno == ECONNRESET ? OTPD_TX_EOF : OTPD_TX_IO;
  }
  return OTPD_TX_OK;
}

/* Receives one whole frame into buf (OTPD_MAX_FRAME bytes) and parses it into m. */
otpd_tx_rc otpd_tx_recv_msg(int fd, uint8_t *buf, otpd_msg *m, int64_t deadline, otpd_wire_rc *wrc) {
  size_t len = 0;
  otpd_tx_rc rc = recv_exact(fd, buf, 8, deadline);
  if (rc != OTPD_TX_OK) return rc;
  if ((*wrc = otpd_frame_peek(buf, 8, &len)) != OTPD_WIRE_OK) return OTPD_TX_WIRE;
  if ((rc = recv_exact(fd, buf + 8, len - 8, deadline)) != OTPD_TX_OK) return rc;
  if ((*wrc = otpd_msg_parse(buf, len, m)) != OTPD_WIRE_OK) return OTPD_TX_WIRE;
  return OTPD_TX_OK;
}

otpd_tx_rc otpd_tx_send_msg(int fd, const otpd_msg *m, uint8_t *buf, int64_t deadline, otpd_wire_rc *wrc) {
  size_t len = 0;
  if ((*wrc = otpd_msg_encode(m, buf, OTPD_MAX_FRAME, &len)) != OTPD_WIRE_OK) return OTPD_TX_ENCODE;
  otpd_tx_rc rc = send_all(fd, buf, len, deadline);
  explicit_bzero(buf, len); /* AUTH_START and ANSWER carry secrets */
  return rc;
}
