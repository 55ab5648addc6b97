/* SPDX-License-Identifier: MIT */
/*
 * The client against a fake daemon: a forked child on a temporary Unix socket that speaks the protocol
 * with wire.c (or deliberately does not). Every failure must be PAM_AUTHINFO_UNAVAIL, never success.
 * Built against the OTPD_PAM_TESTING parts: the socket may be the test user's own.
 */
#define _GNU_SOURCE
#undef NDEBUG
#include <assert.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <security/pam_modules.h>

#include "client.h"
#include "wire.h"

enum script {
  S_VERDICT,       /* HELLO, AUTH_START, RESULT(verdict) */
  S_PROMPT,        /* CONV echo-off, ANSWER must be "755224" */
  S_INFO,          /* CONV TEXT_INFO, ANSWER "", then RESULT SUCCESS */
  S_TOO_MANY,      /* 17 CONV steps */
  S_HUNG,          /* accepts, never answers */
  S_PARTIAL,       /* half a HELLO, then silence */
  S_CRASH,         /* dies after the first CONV's answer */
  S_EOF_AT_START,  /* closes right after accept */
  S_GARBAGE,       /* an HTTP reply */
  S_OVERSIZED,     /* a header announcing 1 MiB */
  S_VERSION,       /* HELLO version 2 */
  S_ERROR_VERSION, /* ERROR VERSION instead of HELLO */
  S_ERROR_MID,     /* ERROR INTERNAL after AUTH_START */
  S_SECOND_HELLO,  /* HELLO instead of CONV/RESULT */
  S_BAD_VERDICT,   /* RESULT with verdict 0 */
  S_TRAILING       /* RESULT SUCCESS with an extra item byte: malformed */
};

struct daemon_cfg {
  enum script script;
  uint16_t verdict;
  uint32_t expect_flags;
  const char *expect_authtok;
  int drop_to_nobody; /* listen as uid 65534 (root only) */
};

static char dir[] = "/tmp/otpd-test-XXXXXX";
static char sock_path[108];

/* ---- the fake daemon (child) ---- */

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
  case S_PARTIAL: put_raw(c, "OTPD\0\0\0\x10\0", 9); pause(); return;
  case S_EOF_AT_START: return;
  case S_GARBAGE: put_raw(c, "HTTP/1.1 400 Bad Request\r\n\r\n", 28); pause(); return;
  case S_OVERSIZED: put_raw(c, "OTPD\x00\x10\x00\x00\x00\x01\x00\x01", 12); pause(); return;
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
           strcmp(m.service, "sshd") == 0 && m.has_flags && m.flags == cfg->expect_flags &&
           m.rhost != NULL && strcmp(m.rhost, "192.0.2.7") == 0 && m.tty == NULL;
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
  case S_SECOND_HELLO: send_simple(c, OTPD_MSG_HELLO, OTPD_PROTOCOL_VERSION); pause(); return;
  case S_BAD_VERDICT: put_raw(c, "OTPD\0\0\0\x10\0\x05\0\0.END", 16); pause(); return;
  case S_TRAILING:
    put_raw(c, "OTPD\0\0\0\x11\0\x05\0\x01\0.END", 17);
    pause();
    return;
  default: break;
  }
  send_simple(c, OTPD_MSG_RESULT, ok ? cfg->verdict : OTPD_VERDICT_AUTH_ERR);
}

/* Listens on sock_path (mode `mode`), forks the daemon; returns its pid. */
static pid_t start_daemon(const struct daemon_cfg *cfg, mode_t mode, int do_listen) {
  struct sockaddr_un sa = {.sun_family = AF_UNIX};
  int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  assert(s >= 0);
  unlink(sock_path);
  memcpy(sa.sun_path, sock_path, strlen(sock_path) + 1);
  assert(bind(s, (struct sockaddr *)&sa, sizeof sa) == 0);
  assert(chmod(sock_path, mode) == 0);
  if (do_listen && !cfg->drop_to_nobody) assert(listen(s, 4) == 0);
  pid_t pid = fork();
  assert(pid >= 0);
  if (pid == 0) {
    if (cfg->drop_to_nobody && (setgid(65534) != 0 || setuid(65534) != 0)) _exit(2);
    if (do_listen && cfg->drop_to_nobody && listen(s, 4) != 0) _exit(2);
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
  if (cfg->drop_to_nobody) usleep(100000); /* let the child listen */
  return pid;
}

static void stop_daemon(pid_t pid) {
  kill(pid, SIGKILL);
  waitpid(pid, NULL, 0);
  unlink(sock_path);
}

/* ---- the application's conversation, as the client sees it ---- */

struct conv_log {
  int calls;
  uint16_t style;
  char text[64];
  const char *answer; /* NULL: fail with PAM_CONV_ERR */
};

static int fake_conv(void *ctx, uint16_t style, const char *text, char **response) {
  struct conv_log *l = ctx;
  l->calls++;
  l->style = style;
  snprintf(l->text, sizeof l->text, "%s", text);
  if (l->answer == NULL) return PAM_CONV_ERR;
  *response = strdup(l->answer);
  return *response != NULL ? PAM_SUCCESS : PAM_BUF_ERR;
}

static double elapsed_since(const struct timespec *t0) {
  struct timespec t1;
  clock_gettime(CLOCK_MONOTONIC, &t1);
  return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static const otpd_debug dbg = {NULL, 1, NULL, 0};

/* Runs one conversation against a daemon following cfg; returns the PAM code. */
static int run(const struct daemon_cfg *cfg, uint32_t flags, const char *authtok, struct conv_log *log,
               unsigned timeout_ms, double *secs) {
  otpd_request req = {.service = "sshd", .user = "alice", .rhost = "192.0.2.7", .tty = NULL,
                      .authtok = authtok, .flags = flags};
  struct timespec t0;
  pid_t pid = start_daemon(cfg, 0600, 1);
  clock_gettime(CLOCK_MONOTONIC, &t0);
  int rc = otpd_client_authenticate(sock_path, timeout_ms, &req, fake_conv, log, &dbg);
  if (secs != NULL) *secs = elapsed_since(&t0);
  stop_daemon(pid);
  return rc;
}

static int run_simple(enum script s, uint16_t verdict) {
  struct daemon_cfg cfg = {.script = s, .verdict = verdict};
  struct conv_log log = {.answer = "755224"};
  return run(&cfg, 0, NULL, &log, 2000, NULL);
}

int main(void) {
  signal(SIGPIPE, SIG_IGN);
  assert(mkdtemp(dir) != NULL);
  snprintf(sock_path, sizeof sock_path, "%s/otpd.sock", dir);

  /* verdicts */
  assert(run_simple(S_VERDICT, OTPD_VERDICT_SUCCESS) == PAM_SUCCESS);
  assert(run_simple(S_VERDICT, OTPD_VERDICT_AUTH_ERR) == PAM_AUTH_ERR);
  assert(run_simple(S_VERDICT, OTPD_VERDICT_USER_UNKNOWN) == PAM_USER_UNKNOWN);
  assert(run_simple(S_VERDICT, OTPD_VERDICT_MAXTRIES) == PAM_MAXTRIES);
  assert(run_simple(S_VERDICT, OTPD_VERDICT_CRED_INSUFFICIENT) == PAM_CRED_INSUFFICIENT);
  assert(run_simple(S_VERDICT, OTPD_VERDICT_AUTHINFO_UNAVAIL) == PAM_AUTHINFO_UNAVAIL);

  /* an echo-off prompt relayed and answered */
  struct daemon_cfg cfg = {.script = S_PROMPT, .verdict = OTPD_VERDICT_SUCCESS};
  struct conv_log log = {.answer = "755224"};
  assert(run(&cfg, 0, NULL, &log, 2000, NULL) == PAM_SUCCESS);
  assert(log.calls == 1 && log.style == OTPD_STYLE_PROMPT_ECHO_OFF);
  assert(strcmp(log.text, "One-time password: ") == 0);
  log = (struct conv_log){.answer = "000000"};
  assert(run(&cfg, 0, NULL, &log, 2000, NULL) == PAM_AUTH_ERR);
  /* the conversation fails: its error, never success */
  log = (struct conv_log){.answer = NULL};
  assert(run(&cfg, 0, NULL, &log, 2000, NULL) == PAM_CONV_ERR);

  /* try_first_pass / use_first_pass send the authtok; without the flag it stays home */
  cfg = (struct daemon_cfg){.script = S_VERDICT, .verdict = OTPD_VERDICT_SUCCESS,
                            .expect_flags = OTPD_FLAG_TRY_FIRST_PASS, .expect_authtok = "pw755224"};
  log = (struct conv_log){.answer = "x"};
  assert(run(&cfg, OTPD_FLAG_TRY_FIRST_PASS, "pw755224", &log, 2000, NULL) == PAM_SUCCESS);
  cfg = (struct daemon_cfg){.script = S_VERDICT, .verdict = OTPD_VERDICT_SUCCESS};
  assert(run(&cfg, 0, "pw755224", &log, 2000, NULL) == PAM_SUCCESS);

  /* TEXT_INFO: relayed normally; with no_info (or PAM_SILENT) acknowledged, never shown */
  cfg = (struct daemon_cfg){.script = S_INFO, .verdict = OTPD_VERDICT_SUCCESS};
  log = (struct conv_log){.answer = "ignored"};
  assert(run(&cfg, 0, NULL, &log, 2000, NULL) == PAM_SUCCESS);
  assert(log.calls == 1 && log.style == OTPD_STYLE_TEXT_INFO);
  cfg.expect_flags = OTPD_FLAG_NO_INFO;
  log = (struct conv_log){.answer = "ignored"};
  assert(run(&cfg, OTPD_FLAG_NO_INFO, NULL, &log, 2000, NULL) == PAM_SUCCESS);
  assert(log.calls == 0);
  cfg.expect_flags = OTPD_FLAG_SILENT;
  assert(run(&cfg, OTPD_FLAG_SILENT, NULL, &log, 2000, NULL) == PAM_SUCCESS);
  assert(log.calls == 0);

  /* the daemon misbehaves: all PAM_AUTHINFO_UNAVAIL */
  const enum script broken[] = {S_TOO_MANY, S_CRASH, S_EOF_AT_START, S_GARBAGE, S_OVERSIZED,
                                S_VERSION, S_ERROR_VERSION, S_ERROR_MID, S_SECOND_HELLO,
                                S_BAD_VERDICT, S_TRAILING};
  for (size_t i = 0; i < sizeof broken / sizeof broken[0]; i++) {
    cfg = (struct daemon_cfg){.script = broken[i], .verdict = OTPD_VERDICT_SUCCESS};
    log = (struct conv_log){.answer = "755224"};
    double secs = 0;
    int rc = run(&cfg, 0, NULL, &log, 1500, &secs);
    if (rc != PAM_AUTHINFO_UNAVAIL) fprintf(stderr, "script %d: %d\n", (int)broken[i], rc);
    assert(rc == PAM_AUTHINFO_UNAVAIL);
  }

  /* hung daemons: refused within the timeout (one budget, not one per poll) */
  const enum script hung[] = {S_HUNG, S_PARTIAL};
  for (size_t i = 0; i < 2; i++) {
    cfg = (struct daemon_cfg){.script = hung[i], .verdict = OTPD_VERDICT_SUCCESS};
    double secs = 0;
    assert(run(&cfg, 0, NULL, &log, 300, &secs) == PAM_AUTHINFO_UNAVAIL);
    assert(secs >= 0.29 && secs < 1.5);
  }

  /* the daemon is absent: no socket (ENOENT), a socket nobody listens on (ECONNREFUSED) */
  otpd_request req = {.service = "sshd", .user = "alice"};
  log = (struct conv_log){.answer = "x"};
  assert(otpd_client_authenticate(sock_path, 500, &req, fake_conv, &log, &dbg) == PAM_AUTHINFO_UNAVAIL);
  cfg = (struct daemon_cfg){.script = S_VERDICT, .verdict = OTPD_VERDICT_SUCCESS};
  pid_t pid = start_daemon(&cfg, 0600, 0);
  assert(otpd_client_authenticate(sock_path, 500, &req, fake_conv, &log, &dbg) == PAM_AUTHINFO_UNAVAIL);
  stop_daemon(pid);

  /* untrusted socket: world-writable, not a socket, relative path */
  pid = start_daemon(&cfg, 0666, 1);
  assert(otpd_client_authenticate(sock_path, 500, &req, fake_conv, &log, &dbg) == PAM_AUTHINFO_UNAVAIL);
  stop_daemon(pid);
  FILE *f = fopen(sock_path, "w");
  assert(f != NULL && fclose(f) == 0);
  assert(otpd_client_authenticate(sock_path, 500, &req, fake_conv, &log, &dbg) == PAM_AUTHINFO_UNAVAIL);
  unlink(sock_path);
  assert(log.calls == 0);

  /* the peer is not root (only checkable as root: the child drops to nobody before listen()) */
  if (geteuid() == 0) {
    cfg = (struct daemon_cfg){.script = S_VERDICT, .verdict = OTPD_VERDICT_SUCCESS, .drop_to_nobody = 1};
    pid = start_daemon(&cfg, 0600, 1);
    assert(otpd_client_authenticate(sock_path, 500, &req, fake_conv, &log, &dbg) == PAM_AUTHINFO_UNAVAIL);
    stop_daemon(pid);
  } else {
    puts("test_client: not root, peer-uid refusal not exercised");
  }

  /* bad arguments */
  assert(otpd_client_authenticate(NULL, 500, &req, fake_conv, &log, &dbg) == PAM_AUTHINFO_UNAVAIL);
  assert(otpd_client_authenticate(sock_path, 500, NULL, fake_conv, &log, &dbg) == PAM_AUTHINFO_UNAVAIL);

  rmdir(dir);
  puts("test_client: ok");
  return 0;
}
