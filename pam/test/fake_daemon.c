/* SPDX-License-Identifier: MIT */
/* The tests' fake otpd daemon; see fake_daemon.h. */
#define _GNU_SOURCE
#undef NDEBUG
#include "fake_daemon.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "wire.h"

static void put_frame(int fd, const otpd_msg *m) {
  uint8_t buf[OTPD_MAX_FRAME];
  size_t len = 0;
  if (otpd_msg_encode(m, buf, sizeof buf, &len) != OTPD_WIRE_OK) _exit(3);
  if (send(fd, buf, len, MSG_NOSIGNAL) != (ssize_t)len) _exit(4);
}

static void put_raw(int fd, const void *p, size_t n) {
  if (send(fd, p, n, MSG_NOSIGNAL) != (ssize_t)n) _exit(4);
}

static int read_n(int fd, uint8_t *p, size_t n) {
  size_t off = 0;
  while (off < n) {
    ssize_t r = recv(fd, p + off, n - off, 0);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return -1;
    off += (size_t)r;
  }
  return 0;
}

/* Reads one frame; exits on anything malformed (the client never sends that). */
static void get_frame(int fd, uint8_t *buf, otpd_msg *m, uint16_t type) {
  size_t len = 0;
  if (read_n(fd, buf, 8) != 0 || otpd_frame_peek(buf, 8, &len) != OTPD_WIRE_OK) _exit(5);
  if (read_n(fd, buf + 8, len - 8) != 0 || otpd_msg_parse(buf, len, m) != OTPD_WIRE_OK) _exit(6);
  if (m->type != type) _exit(7);
}

static void send_simple(int fd, uint16_t type, uint16_t status) {
  otpd_msg m;
  otpd_msg_init(&m, type, status);
  put_frame(fd, &m);
}

static void send_conv(int fd, uint16_t style, const char *text) {
  otpd_msg m;
  otpd_msg_init(&m, OTPD_MSG_CONV, style);
  m.text = text;
  put_frame(fd, &m);
}

static void serve(int c, const struct daemon_cfg *cfg) {
  static uint8_t buf[OTPD_MAX_FRAME];
  otpd_msg m;
  switch (cfg->script) {
  case S_HUNG: pause(); return;
  case S_PARTIAL:
    put_raw(c, "OTPD\0\0\0\x10\0", 9);
    pause();
    return;
  case S_EOF_AT_START: return;
  case S_GARBAGE:
    put_raw(c, "HTTP/1.1 400 Bad Request\r\n\r\n", 28);
    pause();
    return;
  case S_OVERSIZED:
    put_raw(c, "OTPD\x00\x10\x00\x00\x00\x01\x00\x01", 12);
    pause();
    return;
  case S_ERROR_VERSION:
    get_frame(c, buf, &m, OTPD_MSG_HELLO);
    send_simple(c, OTPD_MSG_ERROR, OTPD_ERR_VERSION);
    return;
  case S_VERSION:
    get_frame(c, buf, &m, OTPD_MSG_HELLO);
    put_raw(c, "OTPD\0\0\0\x10\0\x01\0\x02.END", 16);
    pause(); /* an AUTH_START after this would be a bug: the child would see it and still hang */
    return;
  default: break;
  }
  get_frame(c, buf, &m, OTPD_MSG_HELLO);
  send_simple(c, OTPD_MSG_HELLO, OTPD_PROTOCOL_VERSION);
  get_frame(c, buf, &m, OTPD_MSG_AUTH_START);
  int ok = m.user != NULL && strcmp(m.user, "alice") == 0 && m.service != NULL &&
           strcmp(m.service, "sshd") == 0 && m.has_flags && m.flags == cfg->expect_flags && m.rhost != NULL &&
           strcmp(m.rhost, "192.0.2.7") == 0 && m.tty == NULL;
  if (cfg->expect_authtok != NULL)
    ok = ok && m.authtok != NULL && strcmp(m.authtok, cfg->expect_authtok) == 0;
  else
    ok = ok && m.authtok == NULL;
  switch (cfg->script) {
  case S_PROMPT:
  case S_CRASH:
    send_conv(c, OTPD_STYLE_PROMPT_ECHO_OFF, "One-time password: ");
    get_frame(c, buf, &m, OTPD_MSG_ANSWER);
    if (cfg->script == S_CRASH) return;
    ok = ok && strcmp(m.response, "755224") == 0;
    break;
  case S_INFO:
    send_conv(c, OTPD_STYLE_TEXT_INFO, "otp-md5 498 bi0617 ext");
    get_frame(c, buf, &m, OTPD_MSG_ANSWER);
    ok = ok && strcmp(m.response, "") == 0;
    break;
  case S_TOO_MANY:
    for (int i = 0; i < OTPD_MAX_STEPS + 1; i++) {
      send_conv(c, OTPD_STYLE_PROMPT_ECHO_ON, "Again: ");
      get_frame(c, buf, &m, OTPD_MSG_ANSWER);
    }
    break;
  case S_ERROR_MID: {
    otpd_msg e;
    otpd_msg_init(&e, OTPD_MSG_ERROR, OTPD_ERR_INTERNAL);
    e.message = "store unreadable";
    put_frame(c, &e);
    return;
  }
  case S_SECOND_HELLO:
    send_simple(c, OTPD_MSG_HELLO, OTPD_PROTOCOL_VERSION);
    pause();
    return;
  case S_BAD_VERDICT:
    put_raw(c, "OTPD\0\0\0\x10\0\x05\0\0.END", 16);
    pause();
    return;
  case S_TRAILING:
    put_raw(c, "OTPD\0\0\0\x11\0\x05\0\x01\0.END", 17);
    pause();
    return;
  default: break;
  }
  send_simple(c, OTPD_MSG_RESULT, ok ? cfg->verdict : OTPD_VERDICT_AUTH_ERR);
}

/* Listens on sock_path (mode `mode`), forks the daemon; returns its pid. */
pid_t fake_daemon_start(const char *sock_path, const struct daemon_cfg *cfg, mode_t mode, int do_listen) {
  struct sockaddr_un sa = {.sun_family = AF_UNIX};
  int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  assert(s >= 0);
  unlink(sock_path);
  memcpy(sa.sun_path, sock_path, strlen(sock_path) + 1);
  assert(bind(s, (struct sockaddr *)&sa, sizeof sa) == 0);
  assert(chmod(sock_path, mode) == 0);
  if (do_listen && !cfg->drop_to_nobody) assert(listen(s, 4) == 0);
  int ready[2];
  assert(pipe2(ready, O_CLOEXEC) == 0);
  pid_t pid = fork();
  assert(pid >= 0);
  if (pid == 0) {
    close(ready[0]);
    if (cfg->drop_to_nobody && (setgid(65534) != 0 || setuid(65534) != 0)) _exit(2);
    if (do_listen && cfg->drop_to_nobody && listen(s, 4) != 0) _exit(2);
    if (write(ready[1], "r", 1) != 1) _exit(2);
    close(ready[1]);
    if (!do_listen) {
      pause();
      _exit(0);
    }
    int c = accept(s, NULL, NULL);
    if (c < 0) _exit(1);
    serve(c, cfg);
    close(c);
    _exit(0);
  }
  close(s);
  /* wait until the child listens (after dropping to nobody), so a refusal is for the intended reason */
  char r = 0;
  close(ready[1]);
  while (read(ready[0], &r, 1) < 0 && errno == EINTR) continue;
  close(ready[0]);
  assert(r == 'r');
  return pid;
}

void fake_daemon_stop(pid_t pid, const char *sock_path) {
  kill(pid, SIGKILL);
  waitpid(pid, NULL, 0);
  unlink(sock_path);
}
