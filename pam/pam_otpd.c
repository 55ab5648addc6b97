/* SPDX-License-Identifier: MIT */
/*
 * pam_otpd: one-time passwords checked by the otpd daemon. Only the PAM entry points and their
 * orchestration live here: options.c parses the arguments, client.c talks to the daemon, conv.c relays
 * each conversation step, debug.c logs. Fails closed: anything but the daemon's explicit SUCCESS is a
 * failure, and any trouble reaching or understanding it is PAM_AUTHINFO_UNAVAIL.
 */
#define _GNU_SOURCE
#include <string.h>
#include <syslog.h>

#define PAM_SM_AUTH
#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include "client.h"
#include "conv.h"
#include "debug.h"
#include "options.h"
#include "otpd_protocol.h"

/* Built with hidden visibility; the entry points are the only default ones (and export.map agrees). */
#define OTPD_EXPORT __attribute__((visibility("default")))

/* An optional string item, or NULL when unset or empty. */
static const char *item_or_null(pam_handle_t *pamh, int type) {
  const void *v = NULL;
  if (pam_get_item(pamh, type, &v) != PAM_SUCCESS || v == NULL || *(const char *)v == '\0') return NULL;
  return v;
}

/*
 * What a failed pam_get_user becomes. It asks the application's conversation when no user is set and
 * passes some of its codes on (PAM_CONV_AGAIN, say). Only libpam's own failures are kept; anything else
 * is PAM_CONV_ERR, as for the OTP prompt (conv.c): an event-driven conversation is not resumed here.
 */
static int get_user_failure(int rc) {
  switch (rc) {
  case PAM_BUF_ERR:
  case PAM_SYSTEM_ERR:
  case PAM_ABORT: return rc;
  default: return PAM_CONV_ERR;
  }
}

OTPD_EXPORT PAM_EXTERN int pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc, const char **argv) {
  int ret = PAM_AUTHINFO_UNAVAIL;
  otpd_options opt;
  otpd_debug dbg;
  otpd_request req;
  char err[160];
  const char *user = NULL;

  otpd_options_init(&opt);
  otpd_debug_open(&dbg, pamh, 0, NULL);
  if (otpd_options_parse(&opt, argc, argv, err, sizeof err) != 0) {
    otpd_log(&dbg, LOG_ERR, "bad module arguments (%s): failing closed", err);
    goto done;
  }
  otpd_debug_open(&dbg, pamh, opt.debug, opt.debug_file);
  OTPD_DEBUG(&dbg, "socket=%s timeout=%ums try_first_pass=%d use_first_pass=%d no_info=%d unknown_user=%s",
             opt.socket_path, opt.timeout_ms, opt.try_first_pass, opt.use_first_pass, opt.no_info,
             opt.unknown_user_refuse ? "refuse" : "prompt");

  memset(&req, 0, sizeof req);
  if ((ret = pam_get_user(pamh, &user, NULL)) != PAM_SUCCESS || user == NULL || user[0] == '\0') {
    otpd_log(&dbg, LOG_ERR, "no user name (%d)", ret);
    ret = ret == PAM_SUCCESS ? PAM_USER_UNKNOWN : get_user_failure(ret);
    goto done;
  }
  ret = PAM_AUTHINFO_UNAVAIL;
  req.user = user;
  req.service = item_or_null(pamh, PAM_SERVICE);
  req.rhost = item_or_null(pamh, PAM_RHOST);
  req.tty = item_or_null(pamh, PAM_TTY);
  if (req.service == NULL) {
    otpd_log(&dbg, LOG_ERR, "no service name");
    goto done;
  }
  if (opt.no_info) req.flags |= OTPD_FLAG_NO_INFO;
  if (opt.unknown_user_refuse) req.flags |= OTPD_FLAG_NO_PROMPT_UNKNOWN;
  if ((unsigned)flags & (unsigned)PAM_SILENT) req.flags |= OTPD_FLAG_SILENT;
  if (opt.try_first_pass || opt.use_first_pass) {
    req.authtok = item_or_null(pamh, PAM_AUTHTOK);
    if (req.authtok != NULL)
      req.flags |= opt.use_first_pass ? OTPD_FLAG_USE_FIRST_PASS : OTPD_FLAG_TRY_FIRST_PASS;
    else if (opt.use_first_pass) {
      otpd_log(&dbg, LOG_ERR, "use_first_pass but no earlier module set a password");
      goto done;
    }
  }

  ret = otpd_client_authenticate(opt.socket_path, opt.timeout_ms, &req, otpd_conv_relay, pamh, &dbg);
  OTPD_DEBUG(&dbg, "user %s: %s", user, pam_strerror(pamh, ret));
done:
  otpd_debug_close(&dbg);
  return ret;
}

OTPD_EXPORT PAM_EXTERN int pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv) {
  (void)pamh;
  (void)flags;
  (void)argc;
  (void)argv;
  return PAM_SUCCESS;
}
