/* SPDX-License-Identifier: MIT */
/* One CONV step through the PAM conversation; see conv.h. */
#define _GNU_SOURCE
#include "conv.h"

#include <stdlib.h>
#include <string.h>

#include <security/pam_appl.h>
#include <security/pam_modules.h>

#include "otpd_protocol.h"

static int pam_style(uint16_t style) {
  switch (style) {
  case OTPD_STYLE_PROMPT_ECHO_OFF: return PAM_PROMPT_ECHO_OFF;
  case OTPD_STYLE_PROMPT_ECHO_ON: return PAM_PROMPT_ECHO_ON;
  case OTPD_STYLE_ERROR_MSG: return PAM_ERROR_MSG;
  case OTPD_STYLE_TEXT_INFO: return PAM_TEXT_INFO;
  default: return -1;
  }
}

static void wipe_replies(struct pam_response *r) {
  if (r == NULL) return;
  if (r->resp != NULL) {
    explicit_bzero(r->resp, strlen(r->resp));
    free(r->resp);
  }
  free(r);
}

int otpd_conv_relay(void *pamh, uint16_t style, const char *text, char **response) {
  int ret = PAM_CONV_ERR;
  const struct pam_conv *conv = NULL;
  struct pam_response *reply = NULL;
  struct pam_message msg;
  const struct pam_message *msgp = &msg;
  int ps = pam_style(style);

  if (response == NULL) goto done;
  *response = NULL;
  if (ps < 0 || text == NULL) goto done;
  if (pam_get_item((pam_handle_t *)pamh, PAM_CONV, (const void **)&conv) != PAM_SUCCESS || conv == NULL ||
      conv->conv == NULL)
    goto done;
  msg.msg_style = ps;
  msg.msg = text;
  /* Any code but PAM_SUCCESS is a failed conversation and becomes PAM_CONV_ERR: passed on, PAM_IGNORE
   * would take this module out of the stack (the next module decides), and an out-of-range number
   * means whatever libpam makes of it. A reply filled in anyway is wiped below, never used. */
  if (conv->conv(1, &msgp, &reply, conv->appdata_ptr) != PAM_SUCCESS) goto done;
  if (ps == PAM_PROMPT_ECHO_OFF || ps == PAM_PROMPT_ECHO_ON) {
    if (reply == NULL || reply->resp == NULL) goto done;
    *response = strdup(reply->resp);
  } else {
    *response = strdup(""); /* an acknowledgement: whatever the application returned is dropped */
  }
  ret = *response != NULL ? PAM_SUCCESS : PAM_BUF_ERR;
done:
  wipe_replies(reply);
  return ret;
}
