/* SPDX-License-Identifier: MIT */
/* Known answers (RFC 4226 Appendix D, RFC 6238 Appendix B) and window-search behaviour of otp_core. */
#undef NDEBUG
#include "otp_core.h"

#include <assert.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <string.h>

static const uint8_t rfc_key20[] = "12345678901234567890";
static const uint8_t rfc_key32[] = "12345678901234567890123456789012";
static const uint8_t rfc_key64[] = "1234567890123456789012345678901234567890123456789012345678901234";

static uint32_t code_of(otpd_hmac_alg alg, const uint8_t *key, size_t keylen, unsigned digits,
                        uint64_t counter) {
  uint32_t code = 0;
  otpd_hmac_key *k = otpd_hmac_key_new(alg, key, keylen);
  assert(k != NULL);
  assert(otpd_hotp_code(k, digits, counter, &code) == OTPD_OK);
  otpd_hmac_key_free(k);
  return code;
}

static void test_rfc4226(void) {
  static const uint32_t expect[10] = {755224, 287082, 359152, 969429, 338314,
                                      254676, 287922, 162583, 399871, 520489};
  uint32_t range[10];
  assert(otpd_hotp_range(rfc_key20, 20, OTPD_HMAC_SHA1, 6, 0, 10, range) == OTPD_OK);
  for (uint64_t c = 0; c < 10; c++) {
    assert(code_of(OTPD_HMAC_SHA1, rfc_key20, 20, 6, c) == expect[c]);
    assert(range[c] == expect[c]);
  }
}

static void test_rfc6238(void) {
  static const struct {
    otpd_hmac_alg alg;
    uint64_t counter;
    uint32_t otp;
  } v[] = {
      {OTPD_HMAC_SHA1, 1, 94287082},           {OTPD_HMAC_SHA256, 1, 46119246},
      {OTPD_HMAC_SHA512, 1, 90693936},         {OTPD_HMAC_SHA1, 37037036, 7081804},
      {OTPD_HMAC_SHA256, 37037036, 68084774},  {OTPD_HMAC_SHA512, 37037036, 25091201},
      {OTPD_HMAC_SHA1, 41152263, 89005924},    {OTPD_HMAC_SHA256, 41152263, 91819424},
      {OTPD_HMAC_SHA512, 41152263, 93441116},  {OTPD_HMAC_SHA1, 666666666, 65353130},
      {OTPD_HMAC_SHA256, 666666666, 77737706}, {OTPD_HMAC_SHA512, 666666666, 47863826},
  };
  for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
    const uint8_t *key = v[i].alg == OTPD_HMAC_SHA1     ? rfc_key20
                         : v[i].alg == OTPD_HMAC_SHA256 ? rfc_key32
                                                        : rfc_key64;
    size_t keylen = v[i].alg == OTPD_HMAC_SHA1 ? 20 : v[i].alg == OTPD_HMAC_SHA256 ? 32 : 64;
    int found = 0;
    uint64_t at = 0;
    assert(code_of(v[i].alg, key, keylen, 8, v[i].counter) == v[i].otp);
    /* 6 digits are the same value mod 10^6. */
    assert(code_of(v[i].alg, key, keylen, 6, v[i].counter) == v[i].otp % 1000000u);
    assert(otpd_hotp_search(key, keylen, v[i].alg, 8, v[i].counter - 1, 5, v[i].otp, &found, &at) == OTPD_OK);
    assert(found == 1 && at == v[i].counter);
  }
}

/* Every key length around the block sizes, against OpenSSL's own HMAC(). */
static void test_against_openssl_hmac(void) {
  static const size_t lens[] = {0, 1, 20, 63, 64, 65, 127, 128, 129, 200, 1024};
  uint8_t key[1024];
  for (size_t i = 0; i < sizeof(key); i++) key[i] = (uint8_t)(i * 7 + 3);
  for (int a = 0; a < 3; a++) {
    otpd_hmac_alg alg = (otpd_hmac_alg)a;
    const EVP_MD *md = a == 0 ? EVP_sha1() : a == 1 ? EVP_sha256() : EVP_sha512();
    for (size_t l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
      for (uint64_t c = 0; c < 300; c += 37) {
        uint64_t counter = c * 0x0101010101ull;
        uint8_t msg[8], mac[EVP_MAX_MD_SIZE];
        unsigned maclen = 0;
        for (int b = 0; b < 8; b++) msg[b] = (uint8_t)(counter >> (56 - 8 * b));
        assert(HMAC(md, key, (int)lens[l], msg, 8, mac, &maclen) != NULL);
        unsigned off = mac[maclen - 1] & 0x0f;
        uint32_t bin = ((uint32_t)(mac[off] & 0x7f) << 24) | ((uint32_t)mac[off + 1] << 16) |
                       ((uint32_t)mac[off + 2] << 8) | mac[off + 3];
        for (unsigned d = 6; d <= 8; d++) {
          uint32_t mod = d == 6 ? 1000000u : d == 7 ? 10000000u : 100000000u;
          assert(code_of(alg, key, lens[l], d, counter) == bin % mod);
        }
      }
    }
  }
}

static void test_search(void) {
  int found = -1;
  uint64_t at = 12345;
  /* Counter 7 (162583) is found from 0 with a window of 9, and from 7 with window 0. */
  assert(otpd_hotp_search(rfc_key20, 20, OTPD_HMAC_SHA1, 6, 0, 9, 162583, &found, &at) == OTPD_OK);
  assert(found == 1 && at == 7);
  assert(otpd_hotp_search(rfc_key20, 20, OTPD_HMAC_SHA1, 6, 7, 0, 162583, &found, &at) == OTPD_OK);
  assert(found == 1 && at == 7);
  /* Window 0 on the wrong counter, and a window that ends just before the match. */
  at = 12345;
  assert(otpd_hotp_search(rfc_key20, 20, OTPD_HMAC_SHA1, 6, 6, 0, 162583, &found, &at) == OTPD_OK);
  assert(found == 0 && at == 12345);
  assert(otpd_hotp_search(rfc_key20, 20, OTPD_HMAC_SHA1, 6, 0, 6, 162583, &found, &at) == OTPD_OK);
  assert(found == 0);
  /* Past the match: none. */
  assert(otpd_hotp_search(rfc_key20, 20, OTPD_HMAC_SHA1, 6, 8, 1, 162583, &found, &at) == OTPD_OK);
  assert(found == 0);
  /* The lowest match wins when a code repeats: find two counters with equal codes. */
  {
    static uint32_t codes[3000];
    assert(otpd_hotp_range(rfc_key20, 20, OTPD_HMAC_SHA1, 6, 0, 3000, codes) == OTPD_OK);
    for (int i = 0; i < 3000; i++) {
      assert(otpd_hotp_search(rfc_key20, 20, OTPD_HMAC_SHA1, 6, 0, 2999, codes[i], &found, &at) == OTPD_OK);
      assert(found == 1 && at <= (uint64_t)i && codes[at] == codes[i]);
    }
  }
  /* A key longer than the block size (RFC 2104: hashed first) searches like any other. */
  {
    uint8_t longkey[200];
    for (size_t i = 0; i < sizeof(longkey); i++) longkey[i] = (uint8_t)i;
    for (int a = 0; a < 3; a++) {
      uint32_t want = code_of((otpd_hmac_alg)a, longkey, sizeof(longkey), 7, 1000);
      assert(otpd_hotp_search(longkey, sizeof(longkey), (otpd_hmac_alg)a, 7, 990, 20, want, &found, &at) ==
             OTPD_OK);
      assert(found == 1 && at <= 1000);
      assert(code_of((otpd_hmac_alg)a, longkey, sizeof(longkey), 7, at) == want);
    }
  }
  /* The top of the 64-bit range terminates. */
  assert(otpd_hotp_search(rfc_key20, 20, OTPD_HMAC_SHA1, 6, UINT64_MAX - 3, 3, 0, &found, &at) == OTPD_OK);
}

static void test_bad_arguments(void) {
  int found = 0;
  uint64_t at = 0;
  uint32_t out[2];
  otpd_hmac_alg alg;
  assert(otpd_hotp_search(NULL, 1, OTPD_HMAC_SHA1, 6, 0, 1, 0, &found, &at) == OTPD_ERR_NULL);
  assert(otpd_hotp_search(rfc_key20, 20, (otpd_hmac_alg)7, 6, 0, 1, 0, &found, &at) == OTPD_ERR_ALGORITHM);
  assert(otpd_hotp_search(rfc_key20, 20, OTPD_HMAC_SHA1, 5, 0, 1, 0, &found, &at) == OTPD_ERR_DIGITS);
  assert(otpd_hotp_search(rfc_key20, 20, OTPD_HMAC_SHA1, 9, 0, 1, 0, &found, &at) == OTPD_ERR_DIGITS);
  assert(otpd_hotp_search(rfc_key20, 20, OTPD_HMAC_SHA1, 6, 0, 1, 1000000, &found, &at) == OTPD_ERR_CODE);
  assert(otpd_hotp_search(rfc_key20, 20, OTPD_HMAC_SHA1, 6, 2, UINT64_MAX - 1, 0, &found, &at) ==
         OTPD_ERR_RANGE);
  assert(otpd_hotp_search(rfc_key20, 20, OTPD_HMAC_SHA1, 6, 0, 1, 0, NULL, &at) == OTPD_ERR_NULL);
  assert(otpd_hotp_range(rfc_key20, 20, OTPD_HMAC_SHA1, 6, 0, 2, NULL) == OTPD_ERR_NULL);
  assert(otpd_hotp_range(rfc_key20, 20, OTPD_HMAC_SHA1, 6, UINT64_MAX, 2, out) == OTPD_ERR_RANGE);
  assert(otpd_hotp_range(rfc_key20, 20, OTPD_HMAC_SHA1, 6, UINT64_MAX, 1, out) == OTPD_OK);
  assert(otpd_hotp_range(NULL, 0, OTPD_HMAC_SHA1, 6, 0, 0, NULL) == OTPD_OK);
  assert(otpd_hmac_key_new((otpd_hmac_alg)3, rfc_key20, 20) == NULL);
  assert(otpd_hmac_key_new(OTPD_HMAC_SHA1, NULL, 20) == NULL);
  assert(otpd_hotp_code(NULL, 6, 0, out) == OTPD_ERR_NULL);
  assert(otpd_hmac_alg_from_name("sha256", &alg) == OTPD_OK && alg == OTPD_HMAC_SHA256);
  assert(otpd_hmac_alg_from_name("SHA256", &alg) == OTPD_ERR_ALGORITHM);
  assert(otpd_hmac_alg_from_name("md5", &alg) == OTPD_ERR_ALGORITHM);
  assert(otpd_hmac_alg_from_name(NULL, &alg) == OTPD_ERR_NULL);
  assert(strcmp(otpd_strerror(OTPD_ERR_DIGITS), "digits must be 6, 7 or 8") == 0);
  assert(otpd_strerror(-99) != NULL);
}

int main(void) {
  test_rfc4226();
  test_rfc6238();
  test_against_openssl_hmac();
  test_search();
  test_bad_arguments();
  puts("test_hotp: ok");
  return 0;
}
