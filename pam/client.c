/* SPDX-License-Identifier: MIT */
/* The module's side of one otpd conversation; see client.h and docs/protocol.md. Transport: transport.c. */
#define _GNU_SOURCE
#include "client.h"

#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <security/pam_modules.h>

#include "transport.h"
#include "wire.h"

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
  int64_t deadline = otpd_deadline_in((int64_t)timeout_ms);
  otpd_tx_rc rc = OTPD_TX_IO;
  unsigned steps = 0;

  if (buf == NULL || req == NULL || conv == NULL || socket_path == NULL) goto done;
  if ((rc = otpd_tx_open(socket_path, deadline, &fd)) != OTPD_TX_OK) goto done;

  /* handshake: nothing about the user goes out before the daemon proved it speaks our version */
  otpd_msg_init(&m, OTPD_MSG_HELLO, OTPD_PROTOCOL_VERSION);
  if ((rc = otpd_tx_send_msg(fd, &m, buf, deadline, &wrc)) != OTPD_TX_OK) goto done;
  if ((rc = otpd_tx_recv_msg(fd, buf, &m, deadline, &wrc)) != OTPD_TX_OK) goto done;
  if (m.type != OTPD_MSG_HELLO) goto unexpected;

  otpd_msg_init(&m, OTPD_MSG_AUTH_START, 0);
  m.service = req->service;
  m.user = req->user;
  m.rhost = req->rhost;
  m.tty = req->tty;
  if (req->flags & (OTPD_FLAG_TRY_FIRST_PASS | OTPD_FLAG_USE_FIRST_PASS)) m.authtok = req->authtok;
  m.has_flags = 1;
  m.flags = req->flags;
  if ((rc = otpd_tx_send_msg(fd, &m, buf, deadline, &wrc)) != OTPD_TX_OK) goto done;

  for (;;) {
    rc = otpd_tx_recv_msg(fd, buf, &m, deadline, &wrc);
    if (rc != OTPD_TX_OK) goto done;
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
      int left = otpd_remaining_ms(deadline);
      int crc = conv(conv_ctx, style, m.text, &response);
      explicit_bzero(buf, OTPD_MAX_FRAME);
      deadline = otpd_deadline_in(left);
      if (crc != PAM_SUCCESS || response == NULL) {
        /* fail closed on the conversation's own terms: only PAM_BUF_ERR (out of memory) is kept; any
         * other code, PAM_IGNORE or a made-up one included, is PAM_CONV_ERR. A response that came with
         * a failure is wiped at done, never sent. */
        ret = crc == PAM_BUF_ERR ? PAM_BUF_ERR : PAM_CONV_ERR;
        otpd_log(dbg, LOG_ERR, "conversation failed (%d): %s", crc,
                 ret == PAM_BUF_ERR ? "out of memory" : "PAM_CONV_ERR");
        goto done;
      }
    } else if ((response = strdup("")) == NULL) {
      goto done;
    }
    otpd_msg_init(&m, OTPD_MSG_ANSWER, 0);
    /* TEXT_INFO and ERROR_MSG are acknowledged with an empty RESPONSE, whatever the application said */
    m.response = is_prompt(style) ? response : "";
    rc = otpd_tx_send_msg(fd, &m, buf, deadline, &wrc);
    explicit_bzero(response, strlen(response));
    free(response);
    response = NULL;
    if (rc != OTPD_TX_OK) goto done;
  }

unexpected:
  otpd_log(dbg, LOG_ERR, "unexpected message type %u from the daemon", (unsigned)m.type);
  rc = OTPD_TX_OK;
done:
  if (rc == OTPD_TX_WIRE && wrc == OTPD_WIRE_VERSION && buf != NULL)
    otpd_log(dbg, LOG_ERR, "daemon speaks protocol version %u, this module %u",
             (unsigned)((buf[10] << 8) | buf[11]), (unsigned)OTPD_PROTOCOL_VERSION);
  else if (rc == OTPD_TX_WIRE || rc == OTPD_TX_ENCODE)
    otpd_log(dbg, LOG_ERR, "%s: %s", otpd_tx_strerror(rc), otpd_wire_rc_name(wrc));
  else if (rc != OTPD_TX_OK)
    otpd_log(dbg, LOG_ERR, "%s (%s)", otpd_tx_strerror(rc), socket_path != NULL ? socket_path : "");
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
