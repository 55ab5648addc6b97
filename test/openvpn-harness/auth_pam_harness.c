/* SPDX-License-Identifier: MIT */
/*
 * Loads an OpenVPN auth plugin (openvpn-plugin-auth-pam.so) the way OpenVPN 2.6 does and asks it to
 * verify one username/password, for machines where a real OpenVPN cannot open /dev/net/tun.
 *
 *   auth_pam_harness PLUGIN.so [PLUGIN ARGS...]      (stdin: username line, password line)
 *
 * The plugin's argv is PLUGIN.so followed by the arguments, as OpenVPN passes the words of its
 * "plugin" line. The password is read from stdin, not argv, so it never shows in ps.
 *
 * Exit status and last stdout line, the only things the test trusts:
 *   0 "HARNESS: SUCCESS"      the plugin returned OPENVPN_PLUGIN_FUNC_SUCCESS
 *   1 "HARNESS: AUTH_FAILED"  it returned OPENVPN_PLUGIN_FUNC_ERROR (OpenVPN sends AUTH_FAILED)
 *   2 "HARNESS: ERROR ..."    anything else: bad use, plugin not loadable, open failed, deferred
 */
#define OPENVPN_PLUGIN_H /* as inside OpenVPN: the header then declares function pointer types */
#include <openvpn-plugin.h>

#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FIELD_MAX 256

static int harness_error(const char *what, const char *detail) {
  printf("HARNESS: ERROR %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
  return 2;
}

static void log_v(openvpn_plugin_log_flags_t flags, const char *name, const char *format, va_list ap) {
  (void)flags;
  fprintf(stderr, "PLUGIN %s: ", name);
  vfprintf(stderr, format, ap);
  fputc('\n', stderr);
}

static void log_f(openvpn_plugin_log_flags_t flags, const char *name, const char *format, ...) {
  va_list ap;
  va_start(ap, format);
  log_v(flags, name, format, ap);
  va_end(ap);
}

static void secure_memzero(void *data, size_t len) {
  volatile unsigned char *p = data;
  while (len-- > 0) *p++ = 0;
}

static int b64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

/* OpenVPN's contract: decode STR into DATA (at most SIZE bytes); the byte count, or -1 on bad input
 * or overflow. Used by auth-pam to split SCRV1:base64(password):base64(response). */
static int b64_decode(const char *str, void *data, int size) {
  unsigned char *out = data;
  unsigned acc = 0;
  int bits = 0, n = 0;
  size_t i = 0;
  for (; str[i] != '\0' && str[i] != '='; i++) {
    int v = b64_value(str[i]);
    if (v < 0) return -1;
    acc = (acc << 6) | (unsigned)v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (n >= size) return -1;
      out[n++] = (unsigned char)(acc >> bits);
      acc &= (1u << bits) - 1;
    }
  }
  for (; str[i] == '='; i++) {
  }
  return str[i] == '\0' ? n : -1;
}

static int b64_encode(const void *data, int size, char **str) {
  (void)data;
  (void)size;
  *str = NULL;
  return -1; /* auth-pam never encodes */
}

/* Reads one line of at most FIELD_MAX - 1 bytes into BUF without its newline; -1 if absent or longer. */
static int read_line(char *buf) {
  if (fgets(buf, FIELD_MAX, stdin) == NULL) return -1;
  size_t n = strcspn(buf, "\n");
  if (buf[n] != '\n' && !feof(stdin)) return -1;
  buf[n] = '\0';
  return 0;
}

int main(int argc, char **argv) {
  char username[FIELD_MAX], password[FIELD_MAX];
  char user_env[FIELD_MAX + 16], pass_env[FIELD_MAX + 16];
  int status = 2;

  if (argc < 2) return harness_error("usage", "auth_pam_harness PLUGIN.so [ARGS...] < user-and-password");
  if (read_line(username) != 0 || read_line(password) != 0) return harness_error("stdin", "expected a username line and a password line");

  void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (lib == NULL) return harness_error("dlopen", dlerror());
  openvpn_plugin_open_v3 open_v3 = (openvpn_plugin_open_v3)dlsym(lib, "openvpn_plugin_open_v3");
  openvpn_plugin_func_v3 func_v3 = (openvpn_plugin_func_v3)dlsym(lib, "openvpn_plugin_func_v3");
  openvpn_plugin_func_v1 func_v1 = (openvpn_plugin_func_v1)dlsym(lib, "openvpn_plugin_func_v1");
  openvpn_plugin_close_v1 close_v1 = (openvpn_plugin_close_v1)dlsym(lib, "openvpn_plugin_close_v1");
  if (open_v3 == NULL || close_v1 == NULL || (func_v3 == NULL && func_v1 == NULL))
    return harness_error("plugin", "lacks openvpn_plugin_open_v3, a func_v3/func_v1 or close_v1");

  /* The words of the plugin line; OpenVPN's open-time environment holds at least verb. */
  const char **plugin_argv = (const char **)&argv[1];
  const char *verb = getenv("HARNESS_VERB");
  char verb_env[32];
  snprintf(verb_env, sizeof verb_env, "verb=%s", verb != NULL ? verb : "3");
  const char *open_envp[] = {verb_env, "daemon=0", "daemon_log_redirect=0", NULL};
  struct openvpn_plugin_callbacks callbacks = {log_f, log_v, secure_memzero, b64_encode, b64_decode};
  struct openvpn_plugin_args_open_in open_in = {
      OPENVPN_PLUGIN_MASK(OPENVPN_PLUGIN_AUTH_USER_PASS_VERIFY), plugin_argv, open_envp, &callbacks, SSLAPI_OPENSSL,
      "2.6.14", 2, 6, "14"};
  struct openvpn_plugin_args_open_return open_ret;
  memset(&open_ret, 0, sizeof open_ret);
  if (open_v3(OPENVPN_PLUGINv3_STRUCTVER, &open_in, &open_ret) != OPENVPN_PLUGIN_FUNC_SUCCESS)
    return harness_error("openvpn_plugin_open_v3", "failed");
  if (!(open_ret.type_mask & OPENVPN_PLUGIN_MASK(OPENVPN_PLUGIN_AUTH_USER_PASS_VERIFY))) {
    close_v1(open_ret.handle);
    return harness_error("plugin", "does not intercept AUTH_USER_PASS_VERIFY");
  }

  /* What OpenVPN's server sets for the client when it calls AUTH_USER_PASS_VERIFY. */
  snprintf(user_env, sizeof user_env, "username=%s", username);
  snprintf(pass_env, sizeof pass_env, "password=%s", password);
  const char *envp[] = {user_env, pass_env, "common_name=otpd-test-client", "untrusted_ip=127.0.0.1", "untrusted_port=1194", verb_env, NULL};
  const char *func_argv[] = {argv[1], NULL};
  int rc;
  if (func_v3 != NULL) {
    struct openvpn_plugin_args_func_in in = {OPENVPN_PLUGIN_AUTH_USER_PASS_VERIFY, func_argv, envp, open_ret.handle, NULL, 0, NULL};
    struct openvpn_plugin_args_func_return ret;
    memset(&ret, 0, sizeof ret);
    rc = func_v3(OPENVPN_PLUGINv3_STRUCTVER, &in, &ret);
  } else {
    rc = func_v1(open_ret.handle, OPENVPN_PLUGIN_AUTH_USER_PASS_VERIFY, func_argv, envp);
  }
  secure_memzero(password, sizeof password);
  secure_memzero(pass_env, sizeof pass_env);

  if (rc == OPENVPN_PLUGIN_FUNC_SUCCESS) {
    printf("HARNESS: SUCCESS\n");
    status = 0;
  } else if (rc == OPENVPN_PLUGIN_FUNC_ERROR) {
    printf("HARNESS: AUTH_FAILED\n");
    status = 1;
  } else {
    status = harness_error("plugin returned", rc == OPENVPN_PLUGIN_FUNC_DEFERRED ? "DEFERRED" : "an unknown code");
  }
  close_v1(open_ret.handle);
  dlclose(lib);
  return status;
}
