/* SPDX-License-Identifier: MIT */
/*
 * A fake otpd daemon for the tests: a forked child on a Unix socket that speaks the protocol with
 * wire.c, or deliberately does not (each script below). It expects AUTH_START from user "alice",
 * service "sshd", rhost "192.0.2.7", no tty, and the flags/authtok of its cfg; a mismatch turns the
 * verdict into AUTH_ERR, so the test sees it.
 */
#ifndef OTPD_FAKE_DAEMON_H
#define OTPD_FAKE_DAEMON_H

#include <stdint.h>
#include <sys/types.h>

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

/* Binds sock_path (mode `mode`), listens unless do_listen is 0 (then connect() is refused), forks the
 * daemon and returns its pid. */
pid_t fake_daemon_start(const char *sock_path, const struct daemon_cfg *cfg, mode_t mode, int do_listen);
/* Kills and reaps it, removes the socket. */
void fake_daemon_stop(pid_t pid, const char *sock_path);

#endif /* OTPD_FAKE_DAEMON_H */
