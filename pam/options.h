/* SPDX-License-Identifier: MIT */
/*
 * The module's arguments (the words after the module name on the PAM line). Every value is bounded
 * and validated; an unknown or malformed argument makes the parse fail, and the module fails closed.
 *
 *   socket=/run/otpd/otpd.sock   absolute path, shorter than sun_path
 *   timeout=10 | timeout=500ms   the daemon's budget, seconds or milliseconds (100 ms .. 300 s)
 *   try_first_pass               send an earlier module's PAM_AUTHTOK; prompt if it does not verify
 *   use_first_pass               send it and never prompt (no authtok => PAM_AUTHINFO_UNAVAIL)
 *   debug                        debug messages (never a secret)
 *   debug_file=syslog|stderr|/abs/path   where they go; the file must exist (never created) and be
 *                                root's, regular (no symlink), not writable by group or others
 *   no_info                      OpenVPN: never relay TEXT_INFO / ERROR_MSG; the daemon gets NO_INFO
 *   unknown_user=prompt|refuse   prompt (default): a user otpd does not know is prompted like any
 *                                other and then refused (PAM_USER_UNKNOWN), so the prompt does not
 *                                tell who is enrolled; refuse: refused at once, no prompt (the daemon
 *                                gets NO_PROMPT_UNKNOWN)
 */
#ifndef OTPD_OPTIONS_H
#define OTPD_OPTIONS_H

#include <stddef.h>

#define OTPD_DEFAULT_SOCKET "/run/otpd/otpd.sock"
#define OTPD_SOCKET_PATH_MAX 108 /* sizeof(((struct sockaddr_un *)0)->sun_path) on Linux */
#define OTPD_DEBUG_FILE_MAX 256
#define OTPD_TIMEOUT_MIN_MS 100u
#define OTPD_TIMEOUT_MAX_MS 300000u
#define OTPD_MAX_ARGS 32

typedef struct otpd_options {
  char socket_path[OTPD_SOCKET_PATH_MAX]; /* NUL-terminated, absolute */
  unsigned timeout_ms;
  int try_first_pass;
  int use_first_pass;
  int debug;
  int no_info;
  int unknown_user_refuse;              /* unknown_user=refuse; 0 = prompt */
  char debug_file[OTPD_DEBUG_FILE_MAX]; /* "" = syslog */
} otpd_options;

/* Sets the defaults. */
void otpd_options_init(otpd_options *o);

/*
 * Parses argv[0 .. argc) over the defaults. Returns 0, or -1 with a message for the log in
 * err[0 .. errlen) (the message quotes at most the argument's name, never its value).
 */
int otpd_options_parse(otpd_options *o, int argc, const char **argv, char *err, size_t errlen);

#endif /* OTPD_OPTIONS_H */
