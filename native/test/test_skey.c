/* SPDX-License-Identifier: MIT */
/* RFC 2289 Appendix C known answers for otpd_skey_chain, and skey_list against repeated chains. */
#undef NDEBUG
#include "otp_core.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

static const struct {
  otpd_skey_alg alg;
  const char *input; /* lower(seed) ‖ pass phrase */
  uint64_t count;
  uint8_t hex[8];
} vectors[] = {
    {OTPD_SKEY_MD4, "testThis is a test.", 0, {0xD1, 0x85, 0x42, 0x18, 0xEB, 0xBB, 0x0B, 0x51}},
    {OTPD_SKEY_MD4, "testThis is a test.", 1, {0x63, 0x47, 0x3E, 0xF0, 0x1C, 0xD0, 0xB4, 0x44}},
    {OTPD_SKEY_MD4, "testThis is a test.", 99, {0xC5, 0xE6, 0x12, 0x77, 0x6E, 0x6C, 0x23, 0x7A}},
    {OTPD_SKEY_MD4, "correctOTP's are good", 99, {0x3F, 0x3B, 0xF4, 0xB4, 0x14, 0x5F, 0xD7, 0x4B}},
    {OTPD_SKEY_MD5, "testThis is a test.", 0, {0x9E, 0x87, 0x61, 0x34, 0xD9, 0x04, 0x99, 0xDD}},
    {OTPD_SKEY_MD5, "testThis is a test.", 1, {0x79, 0x65, 0xE0, 0x54, 0x36, 0xF5, 0x02, 0x9F}},
    {OTPD_SKEY_MD5, "testThis is a test.", 99, {0x50, 0xFE, 0x19, 0x62, 0xC4, 0x96, 0x58, 0x80}},
    {OTPD_SKEY_MD5, "alpha1AbCdEfGhIjK", 99, {0x5A, 0xA3, 0x7A, 0x81, 0xF2, 0x12, 0x14, 0x6C}},
    {OTPD_SKEY_SHA1, "testThis is a test.", 0, {0xBB, 0x9E, 0x6A, 0xE1, 0x97, 0x9D, 0x8F, 0xF4}},
    {OTPD_SKEY_SHA1, "testThis is a test.", 1, {0x63, 0xD9, 0x36, 0x63, 0x97, 0x34, 0x38, 0x5B}},
    {OTPD_SKEY_SHA1, "testThis is a test.", 99, {0x87, 0xFE, 0xC7, 0x76, 0x8B, 0x73, 0xCC, 0xF9}},
    {OTPD_SKEY_SHA1, "correctOTP's are good", 99, {0x4F, 0x29, 0x6A, 0x74, 0xFE, 0x15, 0x67, 0xEC}},
};

static void test_vectors(void) {
  for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
    uint8_t out[8];
    assert(otpd_skey_chain(vectors[i].alg, (const uint8_t *)vectors[i].input, strlen(vectors[i].input),
                           vectors[i].count, out) == OTPD_OK);
    if (memcmp(out, vectors[i].hex, 8) != 0) {
      fprintf(stderr, "vector %zu mismatch\n", i);
      assert(0);
    }
  }
}

/* A server check: hashing the response for count n once gives the value for count n + 1. */
static void test_server_step(void) {
  for (int a = 0; a < 3; a++) {
    uint8_t n98[8], n99[8], again[8];
    const char *in = "alpha1AbCdEfGhIjK";
    assert(otpd_skey_chain((otpd_skey_alg)a, (const uint8_t *)in, strlen(in), 98, n98) == OTPD_OK);
    assert(otpd_skey_chain((otpd_skey_alg)a, (const uint8_t *)in, strlen(in), 99, n99) == OTPD_OK);
    assert(otpd_skey_chain((otpd_skey_alg)a, n98, 8, 0, again) == OTPD_OK);
    assert(memcmp(again, n99, 8) == 0);
  }
}

static void test_list(void) {
  static uint8_t list[300 * 8];
  uint8_t one[8], input[256];
  for (size_t i = 0; i < sizeof(input); i++) input[i] = (uint8_t)(255 - i);
  for (int a = 0; a < 3; a++) {
    static const size_t lens[] = {0, 1, 8, 55, 56, 64, 119, 256};
    for (size_t l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
      uint64_t first = 17 * l, n = 40 + 30 * l;
      assert(otpd_skey_list((otpd_skey_alg)a, input, lens[l], first, n, list) == OTPD_OK);
      for (uint64_t i = 0; i < n; i++) {
        assert(otpd_skey_chain((otpd_skey_alg)a, input, lens[l], first + i, one) == OTPD_OK);
        assert(memcmp(one, list + 8 * i, 8) == 0);
      }
    }
  }
}

static void test_bad_arguments(void) {
  uint8_t out[8], big[257] = {0};
  otpd_skey_alg alg;
  assert(otpd_skey_chain((otpd_skey_alg)3, big, 1, 0, out) == OTPD_ERR_ALGORITHM);
  assert(otpd_skey_chain(OTPD_SKEY_MD5, NULL, 1, 0, out) == OTPD_ERR_NULL);
  assert(otpd_skey_chain(OTPD_SKEY_MD5, NULL, 0, 0, out) == OTPD_OK);
  assert(otpd_skey_chain(OTPD_SKEY_MD5, big, 257, 0, out) == OTPD_ERR_LENGTH);
  assert(otpd_skey_chain(OTPD_SKEY_MD5, big, 256, 0, NULL) == OTPD_ERR_NULL);
  assert(otpd_skey_list(OTPD_SKEY_MD5, big, 8, 0, 0, NULL) == OTPD_OK);
  assert(otpd_skey_list(OTPD_SKEY_MD5, big, 8, 0, 1, NULL) == OTPD_ERR_NULL);
  assert(otpd_skey_list(OTPD_SKEY_MD5, big, 8, UINT64_MAX, 2, out) == OTPD_ERR_RANGE);
  assert(otpd_skey_alg_from_name("md4", &alg) == OTPD_OK && alg == OTPD_SKEY_MD4);
  assert(otpd_skey_alg_from_name("sha256", &alg) == OTPD_ERR_ALGORITHM);
}

int main(void) {
  test_vectors();
  test_server_step();
  test_list();
  test_bad_arguments();
  puts("test_skey: ok");
  return 0;
}
