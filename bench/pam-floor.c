/* SPDX-License-Identifier: MIT */
/*
 * The floor of a login through pam_otpd with a daemon written in C: bench/pam-floor.ts's responder
 * (HELLO, the prompt, one in-place write made durable with fdatasync, RESULT SUCCESS; nothing is
 * checked) on the module's own framing code (pam/wire*.c). bench/pam.ts compiles it and times
 * pamtester through it, to separate what the protocol's round trips cost from what Node.js costs.
 *
 * Never a server to deploy: it accepts every answer, one client at a time.
 * Usage: pam-floor-c SOCKET FILE
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "wire.h"

/* The size of a users.oath line after a login: the write otpd makes in place. */
static const char LINE[] = "HOTP\tseq\t-\t3132333435363738393031323334353637383930\t101\t329376\t2026-11-29T09:18:19L\n";

static int read_exactly(int fd, uint8_t *buf, size_t n) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = read(fd, buf + got, n - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return -1;
    got += (size_t)r;
  }
  return 0;
}

/* Reads one frame into buf and parses it; the message's type, or -1. */
static int read_message(int fd, uint8_t *buf, otpd_msg *m) {
  size_t len = 0;
  if (read_exactly(fd, buf, 8) != 0 || otpd_frame_peek(buf, 8, &len) != OTPD_WIRE_OK) return -1;
  if (read_exactly(fd, buf + 8, len - 8) != 0 || otpd_msg_parse(buf, len, m) != OTPD_WIRE_OK) return -1;
  return m->type;
}

static int send_message(int fd, const otpd_msg *m) {
  uint8_t frame[OTPD_MAX_FRAME];
  size_t len = 0;
  if (otpd_msg_encode(m, frame, sizeof frame, &len) != OTPD_WIRE_OK) return -1;
  return write(fd, frame, len) == (ssize_t)len ? 0 : -1;
}

static void serve(int client, int data) {
  uint8_t buf[OTPD_MAX_FRAME];
  otpd_msg in, out;
  int type;
  while ((type = read_message(client, buf, &in)) > 0) {
    if (type == OTPD_MSG_HELLO) {
      otpd_msg_init(&out, OTPD_MSG_HELLO, OTPD_PROTOCOL_VERSION);
    } else if (type == OTPD_MSG_AUTH_START) {
      otpd_msg_init(&out, OTPD_MSG_CONV, OTPD_STYLE_PROMPT_ECHO_OFF);
      out.text = "One-time password: ";
    } else if (type == OTPD_MSG_ANSWER) {
      if (pwrite(data, LINE, sizeof LINE - 1, 0) != (ssize_t)(sizeof LINE - 1) || fdatasync(data) != 0) return;
      otpd_msg_init(&out, OTPD_MSG_RESULT, OTPD_VERDICT_SUCCESS);
    } else {
      return;
    }
    if (send_message(client, &out) != 0 || type == OTPD_MSG_ANSWER) return;
  }
}

int main(int argc, char **argv) {
  struct sockaddr_un address = {.sun_family = AF_UNIX};
  if (argc != 3 || strlen(argv[1]) >= sizeof address.sun_path) {
    fprintf(stderr, "usage: pam-floor-c SOCKET FILE\n");
    return 2;
  }
  int data = open(argv[2], O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  int listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  strcpy(address.sun_path, argv[1]);
  unlink(argv[1]);
  umask(0177);
  if (data < 0 || listener < 0 || bind(listener, (struct sockaddr *)&address, sizeof address) != 0 || listen(listener, 64) != 0) {
    perror("pam-floor-c");
    return 1;
  }
  fprintf(stderr, "listening\n");
  for (;;) {
    int client = accept(listener, NULL, NULL);
    if (client < 0) continue;
    serve(client, data);
    close(client);
  }
}
