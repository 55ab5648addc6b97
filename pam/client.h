/* SPDX-License-Identifier: MIT */
/*
 * One conversation with the otpd daemon (docs/protocol.md): connect to a socket that is root's, check
 * the peer is root (SO_PEERCRED), HELLO, AUTH_START, then CONV/ANSWER steps relayed through `conv`,
 * until RESULT. One CLOCK_MONOTONIC budget covers connecting, sending and waiting for the daemon; it
 * is paused while `conv` runs (the user's typing is not the daemon's fault).
 *
 * Built with OTPD_PAM_TESTING (the tests' build only, never the shipped module) the socket owner and
 * the peer may also be the test's own euid.
 */
#ifndef OTPD_CLIENT_H
#define OTPD_CLIENT_H

#include <stdint.h>

#include "debug.h"

typedef struct otpd_request {
  const char *service; /* required */
  const char *user;    /* required */
  const char *rhost;   /* NULL = absent */
  const char *tty;
  const char *authtok; /* secret; sent only with TRY_/USE_FIRST_PASS */
  uint32_t flags;      /* OTPD_FLAG_* */
} otpd_request;

/*
 * Relays one CONV step. style is OTPD_STYLE_*. Returns a PAM code; on PAM_SUCCESS *response holds a
 * malloc'd string (possibly "") that the client wipes and frees after sending it.
 */
typedef int (*otpd_conv_fn)(void *ctx, uint16_t style, const char *text, char **response);

/*
 * Runs one conversation. Returns PAM_SUCCESS only on an explicit RESULT SUCCESS; PAM_AUTH_ERR,
 * PAM_USER_UNKNOWN, PAM_MAXTRIES, PAM_CRED_INSUFFICIENT for those verdicts; PAM_CONV_ERR if `conv`
 * fails with any code (PAM_BUF_ERR if it ran out of memory), its response then dropped unsent;
 * PAM_AUTHINFO_UNAVAIL for everything else (transport, timeout, malformed
 * frame, version mismatch, untrusted socket or peer, daemon ERROR).
 */
int otpd_client_authenticate(const char *socket_path, unsigned timeout_ms, const otpd_request *req,
                             otpd_conv_fn conv, void *conv_ctx, const otpd_debug *dbg);

#endif /* OTPD_CLIENT_H */
