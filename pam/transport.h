/* SPDX-License-Identifier: MIT */
/*
 * The module's transport to otpd: a socket that must be root's, SO_PEERCRED that must say root, whole
 * frames sent and received within one CLOCK_MONOTONIC deadline. Knows frames, not the conversation
 * (client.c). Built with OTPD_PAM_TESTING (the tests' build only) the socket owner and the peer may
 * also be the test's own euid.
 */
#ifndef OTPD_TRANSPORT_H
#define OTPD_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#include "wire.h"

/* Transport failures, each with its own message (all end in PAM_AUTHINFO_UNAVAIL). */
typedef enum {
  OTPD_TX_OK = 0,
  OTPD_TX_NO_SOCKET,  /* stat/connect: ENOENT, ECONNREFUSED */
  OTPD_TX_NOT_SOCKET, /* the path is not a socket */
  OTPD_TX_BAD_OWNER,  /* the socket file is not root's */
  OTPD_TX_BAD_MODE,   /* the socket file is writable by others */
  OTPD_TX_PEER,       /* SO_PEERCRED: the daemon is not root */
  OTPD_TX_TIMEOUT,    /* the budget is spent */
  OTPD_TX_EOF,        /* the daemon closed mid-conversation */
  OTPD_TX_IO,         /* any other system call failure */
  OTPD_TX_WIRE,       /* a malformed or oversized frame (see the wire rc) */
  OTPD_TX_ENCODE      /* what we would send breaks a protocol rule (an answer too long, not UTF-8) */
} otpd_tx_rc;

/* A fixed sentence for rc, for the log. */
const char *otpd_tx_strerror(otpd_tx_rc rc);

/* The monotonic time `ms` from now (0 when the clock fails: no time at all). */
int64_t otpd_deadline_in(int64_t ms);

/* Milliseconds left before deadline, 0 when spent (or the clock fails). */
int otpd_remaining_ms(int64_t deadline);

/* Connects to path after checking it, then checks the peer; *out is the fd on OTPD_TX_OK. */
otpd_tx_rc otpd_tx_open(const char *path, int64_t deadline, int *out);

/* Receives one whole frame into buf (OTPD_MAX_FRAME bytes) and parses it into m (pointing into buf). */
otpd_tx_rc otpd_tx_recv_msg(int fd, uint8_t *buf, otpd_msg *m, int64_t deadline, otpd_wire_rc *wrc);

/* Encodes m into buf (OTPD_MAX_FRAME bytes), sends it, and wipes buf (it may carry a secret). */
otpd_tx_rc otpd_tx_send_msg(int fd, const otpd_msg *m, uint8_t *buf, int64_t deadline, otpd_wire_rc *wrc);

#endif /* OTPD_TRANSPORT_H */
