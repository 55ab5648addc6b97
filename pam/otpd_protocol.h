/* SPDX-License-Identifier: MIT */
/*
 * The otpd wire protocol: every constant, in one place. docs/protocol.md is the specification;
 * src/protocol/constants.ts mirrors this file and test/unit/protocol/constants.test.ts reads it and
 * fails when the two differ. So: one `#define OTPD_NAME literal` per line, decimal or hex literals
 * only (an optional `u` suffix), no expressions.
 *
 * Frame layout (all integers big-endian):
 *
 *   offset  size  field
 *   0       4     start marker  4f 54 50 44  ("OTPD")
 *   4       4     total length  of the whole frame, header and end marker included (16 .. 8192)
 *   8       2     message type  OTPD_MSG_*
 *   10      2     status        HELLO: version; CONV: style; RESULT: verdict; ERROR: error code;
 *                               AUTH_START and ANSWER: 0
 *   12      n     items         each: type u16, length u16, value (length bytes)
 *   12+n    4     end marker    2e 45 4e 44  (".END")
 *
 * String items are UTF-8 and end with one NUL that the length counts; no other NUL may appear.
 * u32 items have length 4. Unknown message types and unknown item types are refused, not skipped:
 * anything new needs a new version (the handshake catches the difference).
 */
#ifndef OTPD_PROTOCOL_H
#define OTPD_PROTOCOL_H

/* Version, sent in the status field of HELLO on every new connection. */
#define OTPD_PROTOCOL_VERSION 1

/* Markers and fixed sizes. */
#define OTPD_START_MARKER 0x4f545044u
#define OTPD_END_MARKER 0x2e454e44u
#define OTPD_HEADER_SIZE 12
#define OTPD_TRAILER_SIZE 4
#define OTPD_ITEM_HEADER_SIZE 4
#define OTPD_MIN_FRAME 16

/* Limits. MAX_STRING counts the NUL: at most 1023 bytes of text. */
#define OTPD_MAX_FRAME 8192
#define OTPD_MAX_ITEMS 16
#define OTPD_MAX_STRING 1024
#define OTPD_MAX_STEPS 16

/* Deadlines (milliseconds). CLIENT_TIMEOUT is the module's default `timeout=`: the daemon's own time,
 * measured on CLOCK_MONOTONIC and paused while the application's conversation (the user) answers. */
#define OTPD_CLIENT_TIMEOUT_MS 10000
#define OTPD_HANDSHAKE_MS 5000
#define OTPD_PARTIAL_FRAME_MS 2000
#define OTPD_CONVERSATION_MS 180000

/* Message types. */
#define OTPD_MSG_HELLO 1
#define OTPD_MSG_AUTH_START 2
#define OTPD_MSG_CONV 3
#define OTPD_MSG_ANSWER 4
#define OTPD_MSG_RESULT 5
#define OTPD_MSG_ERROR 6

/* Item types (all below 32: a parsed message keeps a bit mask of the items it holds). */
#define OTPD_ITEM_SERVICE 1
#define OTPD_ITEM_USER 2
#define OTPD_ITEM_RHOST 3
#define OTPD_ITEM_TTY 4
#define OTPD_ITEM_AUTHTOK 5
#define OTPD_ITEM_FLAGS 6
#define OTPD_ITEM_TEXT 7
#define OTPD_ITEM_RESPONSE 8
#define OTPD_ITEM_MESSAGE 9

/* AUTH_START flags (OTPD_ITEM_FLAGS, u32). Any other bit is refused. */
#define OTPD_FLAG_NO_INFO 0x1u
#define OTPD_FLAG_SILENT 0x2u
#define OTPD_FLAG_TRY_FIRST_PASS 0x4u
#define OTPD_FLAG_USE_FIRST_PASS 0x8u
/* unknown_user=refuse: the daemon refuses an unknown user without a prompt. */
#define OTPD_FLAG_NO_PROMPT_UNKNOWN 0x10u
#define OTPD_FLAGS_ALL 0x1fu

/* CONV styles (the values equal Linux-PAM's PAM_PROMPT_ECHO_OFF .. PAM_TEXT_INFO; map them anyway). */
#define OTPD_STYLE_PROMPT_ECHO_OFF 1
#define OTPD_STYLE_PROMPT_ECHO_ON 2
#define OTPD_STYLE_ERROR_MSG 3
#define OTPD_STYLE_TEXT_INFO 4

/* RESULT verdicts. 0 is never a verdict: a zeroed buffer cannot read as success. */
#define OTPD_VERDICT_SUCCESS 1
#define OTPD_VERDICT_AUTH_ERR 2
#define OTPD_VERDICT_USER_UNKNOWN 3
#define OTPD_VERDICT_AUTHINFO_UNAVAIL 4
#define OTPD_VERDICT_MAXTRIES 5
#define OTPD_VERDICT_CRED_INSUFFICIENT 6

/* ERROR codes. OTPD_ERR_VERSION and the ERROR message itself are frozen across versions. */
#define OTPD_ERR_MALFORMED 1
#define OTPD_ERR_VERSION 2
#define OTPD_ERR_UNEXPECTED 3
#define OTPD_ERR_TOO_LARGE 4
#define OTPD_ERR_TIMEOUT 5
#define OTPD_ERR_TOO_MANY_STEPS 6
#define OTPD_ERR_INTERNAL 7
#define OTPD_ERR_UNAVAILABLE 8
#define OTPD_ERR_PEER_REFUSED 9

#endif /* OTPD_PROTOCOL_H */
