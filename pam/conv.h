/* SPDX-License-Identifier: MIT */
/* Relays one CONV step of the daemon through the application's PAM conversation. */
#ifndef OTPD_CONV_H
#define OTPD_CONV_H

#include <stdint.h>

/*
 * An otpd_conv_fn (client.h) whose ctx is the pam_handle_t. Maps the OTPD_STYLE_* explicitly to
 * Linux-PAM's styles and calls the conversation once with one message. Returns PAM_SUCCESS with a
 * malloc'd *response (the user's answer for a prompt, "" for TEXT_INFO / ERROR_MSG); PAM_CONV_ERR with
 * *response NULL when the conversation returned anything but PAM_SUCCESS (PAM_IGNORE, a made-up
 * number: never passed on) or gave no answer to a prompt; PAM_BUF_ERR when the copy fails. The
 * application's response buffers are wiped and freed here, also those of a failed conversation.
 */
int otpd_conv_relay(void *pamh, uint16_t style, const char *text, char **response);

#endif /* OTPD_CONV_H */
