/* SPDX-License-Identifier: MIT */
/* The module's side of one otpd conversation; see client.h and docs/protocol.md. */
#define _GNU_SOURCE
#include "client.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <security/pam_modules.h>

#include "wire.h"

/* Transport failures, each with its own message (all end in PAM_AUTHINFO_UNAVAIL). */
typedef enum {
  CLI_OK = 0,
  CLI_NO_SOCKET,  /* stat/connect: ENOENT, ECONNREFUSED */
  CLI_NOT_SOCKET, /* the path is not a socket */
  CLI_BAD_OWNER,  /* the socket file is not root's */
  CLI_BAD_MODE,   /* the socket file is writable by others */
  CLI_PEER,       /* SO_PEERCRED: the daemon is not root */
  CLI_TIMEOUT,    /* the budget is spent */
  CLI_EOF,        /* the daemon closed mid-conversation */
  CLI_IO,         /* any other system call failure */
  CLI_WIRE,       /* a malformed or oversized frame (see the wire rc) */
  CLI_ENCODE      /* what we would send breaks a protocol rule (an answer too long, not UTF-8) */
} cli_rc;

static const char *cli_strerror(cli_rc rc) {
  switch (rc) {
  case CLI_OK: return "ok";
  case CLI_NO_SOCKET: return "daemon not listening (no socket or connection refused)";
  case CLI_NOT_SOCKET: return "socket path is not a socket";
  case CLI_BAD_OWNER: return "socket is not owned by root";
  case CLI_BAD_MODE: return "socket is writable by others";
  case CLI_PEER: return "peer is not root (SO_PEERCRED)";
  case CLI_TIMEOUT: return "timed out waiting for the daemon";
  case CLI_EOF: return "daemon closed the connection";
  case CLI_IO: return "socket error";
  case CLI_WIRE: return "malformed frame from the daemon";
  case CLI_ENCODE: return "request or answer cannot be sent (too long or not UTF-8)";
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

static int64_t deadline_in(int64_t ms) {
  int64_t now = now_ms();
  return now < 0 ? 0 : now + ms;
}

static int remaining_ms(int64_t deadline) {
  int64_t now = now_ms();
  if (now < 0 || now >= deadline) return 0;
  int64_t left = deadline - now;
  return left > INT32_MAX ? INT32_MAX : (int)left;
}

/* Waits for `events` on fd within what remains of the budget. */
static cli_rc wait_fd(int fd, short events, int64_t deadline) {
  for (;;) {
    int left = remaining_ms(deadline);
    if (left == 0) return CLI_TIMEOUT;
    struct pollfd p = {.fd = fd, .events = events, .revents = 0};
    int n = poll(&p, 1, left);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return CLI_IO;
    if (n == 0) return CLI_TIMEOUT;
    if (p.revents & POLLNVAL) return CLI_IO;
    return CLI_OK; /* readable, writable, HUP or ERR: the next call tells */
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

static cli_rc check_path(const char *path) {
  struct stat st;
  if (stat(path, &st) != 0) return errno == ENOENT ? CLI_NO_SOCKET : CLI_IO;
  if (!S_ISSOCK(st.st_mode)) return CLI_NOT_SOCKET;
  if (!trusted_uid(st.st_uid)) return CLI_BAD_OWNER;
  if (st.st_mode & S_IWOTH) return CLI_BAD_MODE;
  return CLI_OK;
}

static cli_rc open_checked(const char *path, int64_t deadline, int *out) {
  struct sockaddr_un sa;
  struct ucred cred;
  socklen_t len = sizeof cred;
  cli_rc rc = check_path(path);
  int fd = -1;
  size_t n = strlen(path);
  if (rc != CLI_OK) goto done;
  rc = CLI_IO;
  if (n >= sizeof sa.sun_path) goto done;
  memset(&sa, 0, sizeof sa);
  sa.sun_family = AF_UNIX;
  memcpy(sa.sun_path, path, n + 1);
  if ((fd = safe_socket()) < 0) goto done;
  for (;;) {
    if (connect(fd, (const struct sockaddr *)&sa, sizeof sa) == 0) break;
    if (errno == EINTR) continue;
    if (errno == EAGAIN) { /* backlog full: retry briefly within the budget */
      if (remaining_ms(deadline) == 0) { rc = CLI_TIMEOUT; goto done; }
      poll(NULL, 0, 10);
      continue;
    }
    if (errno == EINPROGRESS) {
      int soerr = 0;
      socklen_t sl = sizeof soerr;
      if ((rc = wait_fd(fd, POLLOUT, deadline)) != CLI_OK) goto done;
      rc = CLI_IO;
      if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0 || soerr != 0) goto done;
      break;
    }
    rc = (errno == ENOENT || errno == ECONNREFUSED) ? CLI_NO_SOCKET : CLI_IO;
    goto done;
  }
  rc = CLI_IO;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 || len != sizeof cred) goto done;
  rc = CLI_PEER;
  if (!trusted_uid(cred.uid)) goto done;
  *out = fd;
  fd = -1;
  rc = CLI_OK;
done:
  if (fd >= 0) close(fd);
  return rc;
}

static cli_rc send_all(int fd, const uint8_t *buf, size_t len, int64_t deadline) {
  size_t off = 0;
  while (off < len) {
    ssize_t n = send(fd, buf + off, len - off, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      off += (size_t)n;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      cli_rc rc = wait_fd(fd, POLLOUT, deadline);
      if (rc != CLI_OK) return rc;
      continue;
    }
    return (n < 0 && errno == EPIPE) ? CLI_EOF : CLI_IO;
  }
  return CLI_OK;
}

/* Reads exactly `want` bytes into buf within the budget. */
static cli_rc recv_exact(int fd, uint8_t *buf, size_t want, int64_t deadline) {
  size_t off = 0;
  while (off < want) {
    ssize_t n = recv(fd, buf + off, want - off, MSG_DONTWAIT);
    if (n > 0) {
      off += (size_t)n;
      continue;
    }
    if (n == 0) return CLI_EOF;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      cli_rc rc = wait_fd(fd, POLLIN, deadline);
      if (rc != CLI_OK) return rc;
      continue;
    }
    return errno == ECONNRESET ? CLI_EOF : CLI_IO;
  }
  return CLI_OK;
}

/* Receives one whole frame into buf (OTPD_MAX_FRAME bytes) and parses it into m. */
static cli_rc recv_msg(int fd, uint8_t *buf, otpd_msg *m, int64_t deadline, otpd_wire_rc *wrc) {
  size_t len = 0;
  cli_rc rc = recv_exact(fd, buf, 8, deadline);
  if (rc != CLI_OK) return rc;
  if ((*wrc = otpd_frame_peek(buf, 8, &len)) != OTPD_WIRE_OK) return CLI_WIRE;
  if ((rc = recv_exact(fd, buf + 8, len - 8, deadline)) != CLI_OK) return rc;
  if ((*wrc = otpd_msg_parse(buf, len, m)) != OTPD_WIRE_OK) return CLI_WIRE;
  return CLI_OK;
}

static cli_rc send_msg(int fd, const otpd_msg *m, uint8_t *buf, int64_t deadline, otpd_wire_rc *wrc) {
  size_t len = 0;
  if ((*wrc = otpd_msg_encode(m, buf, OTPD_MAX_FRAME, &len)) != OTPD_WIRE_OK) return CLI_ENCODE;
  cli_rc rc = send_all(fd, buf, len, deadline);
  explicit_bzero(buf, len); /* AUTH_START and ANSWER carry secrets */
  return rc;
}

static int verdict_to_pam(uint16_t verdict) {
  switch (verdict) {
  case OTPD_VERDICT_SUCCESS: return PAM_SUCCESS;
  case OTPD_VERDICT_AUTH_ERR: return PAM_AUTH_ERR;
  case OTPD_VERDICT_USER_UNKNOWN: return PAM_USER_UNKNOWN;
  case OTPD_VERDICT_MAXTRIES: return PAM_MAXTRIES;
  case OTPD_VERDICT_CRED_INSUFFICIENT: return PAM_CRED_INSUFFICIENT;
  default: return PAM_AUTHINFO_UNAVAIL;
  }
}

static int is_prompt(uint16_t style) {
  return style == OTPD_STYLE_PROMPT_ECHO_OFF || style == OTPD_STYLE_PROMPT_ECHO_ON;
}

/* Whether a CONV of this style is shown to the application or only acknowledged. */
static int relayed(uint16_t style, uint32_t flags) {
  if (style == OTPD_STYLE_TEXT_INFO) return !(flags & (OTPD_FLAG_NO_INFO | OTPD_FLAG_SILENT));
  if (style == OTPD_STYLE_ERROR_MSG) return !(flags & OTPD_FLAG_NO_INFO);
  return 1;
}

int otpd_client_authenticate(const char *socket_path, unsigned timeout_ms, const otpd_request *req,
                             otpd_conv_fn conv, void *conv_ctx, const otpd_debug *dbg) {
  int ret = PAM_AUTHINFO_UNAVAIL;
  int fd = -1;
  char *response = NULL;
  otpd_wire_rc wrc = OTPD_WIRE_OK;
  otpd_msg m;
  uint8_t *buf = malloc(OTPD_MAX_FRAME);
  int64_t deadline = deadline_in((int64_t)timeout_ms);
  cli_rc rc = CLI_IO;
  unsigned steps = 0;

  if (buf == NULL || req == NULL || conv == NULL || socket_path == NULL) goto done;
  if ((rc = open_checked(socket_path, deadline, &fd)) != CLI_OK) goto done;

  /* handshake: nothing about the user goes out before the daemon proved it speaks our version */
  otpd_msg_init(&m, OTPD_MSG_HELLO, OTPD_PROTOCOL_VERSION);
  if ((rc = send_msg(fd, &m, buf, deadline, &wrc)) != CLI_OK) goto done;
  if ((rc = recv_msg(fd, buf, &m, deadline, &wrc)) != CLI_OK) goto done;
  if (m.type != OTPD_MSG_HELLO) goto unexpected;

  otpd_msg_init(&m, OTPD_MSG_AUTH_START, 0);
  m.service = req->service;
  m.user = req->user;
  m.rhost = req->rhost;
  m.tty = req->tty;
  if (req->flags & (OTPD_FLAG_TRY_FIRST_PASS | OTPD_FLAG_USE_FIRST_PASS)) m.authtok = req->authtok;
  m.has_flags = 1;
  m.flags = req->flags;
  if ((rc = send_msg(fd, &m, buf, deadline, &wrc)) != CLI_OK) goto done;

  for (;;) {
    rc = recv_msg(fd, buf, &m, deadline, &wrc);
    if (rc != CLI_OK) goto done;
    if (m.type == OTPD_MSG_RESULT) {
      OTPD_DEBUG(dbg, "verdict %u", (unsigned)m.status);
      ret = verdict_to_pam(m.status);
      goto done;
    }
    if (m.type == OTPD_MSG_ERROR) {
      otpd_log(dbg, LOG_ERR, "daemon error %u: %s", (unsigned)m.status,
               m.message != NULL ? m.message : "(no message)");
      goto done;
    }
    if (m.type != OTPD_MSG_CONV) goto unexpected;
    if (++steps > OTPD_MAX_STEPS) {
      otpd_log(dbg, LOG_ERR, "more than %d conversation steps", OTPD_MAX_STEPS);
      goto done;
    }
    uint16_t style = m.status;
    OTPD_DEBUG(dbg, "conversation step %u, style %u", steps, (unsigned)style);
    if (relayed(style, req->flags)) {
      /* the budget pauses while the application (the user) answers */
      int left = remaining_ms(deadline);
      int crc = conv(conv_ctx, style, m.text, &response);
      explicit_bzero(buf, OTPD_MAX_FRAME);
      deadline = deadline_in(left);
      if (crc != PAM_SUCCESS || response == NULL) {
        ret = crc != PAM_SUCCESS ? crc : PAM_CONV_ERR;
        otpd_log(dbg, LOG_ERR, "conversation failed: %d", ret);
        goto done;
      }
    } else if ((response = strdup("")) == NULL) {
      goto done;
    }
    otpd_msg_init(&m, OTPD_MSG_ANSWER, 0);
    /* TEXT_INFO and ERROR_MSG are acknowledged with an empty RESPONSE, whatever the application said */
    m.response = is_prompt(style) ? response : "";
    rc = send_msg(fd, &m, buf, deadline, &wrc);
    explicit_bzero(response, strlen(response));
    free(response);
    response = NULL;
    if (rc != CLI_OK) goto done;
  }

unexpected:
  otpd_log(dbg, LOG_ERR, "unexpected message type %u from the daemon", (unsigned)m.type);
  rc = CLI_OK;
done:
  if (rc == CLI_WIRE && wrc == OTPD_WIRE_VERSION && buf != NULL)
    otpd_log(dbg, LOG_ERR, "daemon speaks protocol version %u, this module %u",
             (unsigned)((buf[10] << 8) | buf[11]), (unsigned)OTPD_PROTOCOL_VERSION);
  else if (rc == CLI_WIRE || rc == CLI_ENCODE)
    otpd_log(dbg, LOG_ERR, "%s: %s", cli_strerror(rc), otpd_wire_rc_name(wrc));
  else if (rc != CLI_OK)
    otpd_log(dbg, LOG_ERR, "%s (%s)", cli_strerror(rc), socket_path != NULL ? socket_path : "");
  if (response != NULL) {
    explicit_bzero(response, strlen(response));
    free(response);
  }
  if (buf != NULL) {
    explicit_bzero(buf, OTPD_MAX_FRAME);
    free(buf);
  }
  if (fd >= 0) close(fd);
  return ret;
}
