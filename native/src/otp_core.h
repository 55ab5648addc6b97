/* SPDX-License-Identifier: MIT */
/*
 * otp_core: the hot loops of otpd in plain C11 (no Node, no allocation in the loops).
 *
 * HOTP (RFC 4226) window search and ranges over HMAC-SHA1/256/512 with precomputed pads, and the
 * S/KEY chain (RFC 2289). The compression functions come from the system libcrypto (OpenSSL 3's
 * SHA1_Transform & co., which use SHA-NI/AVX where the CPU has them).
 *
 * Contract shared by every function that returns an int (the errors convention of all of native/ and
 * pam/): OTPD_OK (0) means success, anything else is a positive otpd_status error and nothing else
 * was written except as stated. Results go through out-parameters, never through the return value.
 * Bad arguments never abort.
 */
#ifndef OTPD_OTP_CORE_H
#define OTPD_OTP_CORE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum otpd_status {
  OTPD_OK = 0,
  OTPD_ERR_NULL = 1,      /* a required pointer was NULL */
  OTPD_ERR_ALGORITHM = 2, /* unknown algorithm */
  OTPD_ERR_DIGITS = 3,    /* digits outside 6..8 */
  OTPD_ERR_CODE = 4,      /* code >= 10^digits */
  OTPD_ERR_RANGE = 5,     /* counter arithmetic would overflow uint64 */
  OTPD_ERR_LENGTH = 6,    /* input longer than OTPD_SKEY_MAX_INPUT */
  OTPD_ERR_NOMEM = 7      /* allocation failed */
} otpd_status;

typedef enum otpd_hmac_alg { OTPD_HMAC_SHA1 = 0, OTPD_HMAC_SHA256 = 1, OTPD_HMAC_SHA512 = 2 } otpd_hmac_alg;

typedef enum otpd_skey_alg { OTPD_SKEY_MD4 = 0, OTPD_SKEY_MD5 = 1, OTPD_SKEY_SHA1 = 2 } otpd_skey_alg;

#define OTPD_MIN_DIGITS 6
#define OTPD_MAX_DIGITS 8
/* Longest first-step S/KEY input (seed ‖ pass phrase, or a response) the core accepts. */
#define OTPD_SKEY_MAX_INPUT 256
#define OTPD_SKEY_BYTES 8

/* Lower-case names as the JS side spells them ("sha1", "md5", ...). Return OTPD_OK or OTPD_ERR_*. */
int otpd_hmac_alg_from_name(const char *name, otpd_hmac_alg *out);
int otpd_skey_alg_from_name(const char *name, otpd_skey_alg *out);

/* A short English description of an otpd_status, never NULL. */
const char *otpd_strerror(int status);

/* Overwrites n bytes at p with zeros in a way the compiler keeps (OPENSSL_cleanse); p may be NULL. */
void otpd_wipe(void *p, size_t n);

/*
 * A key prepared once for HMAC (RFC 2104): keys longer than the hash block are hashed first, then the
 * chaining states after the (K ^ ipad) and (K ^ opad) blocks are kept, so each HOTP value costs one
 * inner and one outer compression. Opaque; wiped by otpd_hmac_key_free.
 */
typedef struct otpd_hmac_key otpd_hmac_key;

/* Returns NULL on a bad argument or when out of memory; `key` may be NULL when keylen is 0. */
otpd_hmac_key *otpd_hmac_key_new(otpd_hmac_alg alg, const uint8_t *key, size_t keylen);
void otpd_hmac_key_free(otpd_hmac_key *k);

/* The HOTP value for one counter: DT(HMAC(K, counter)) mod 10^digits (RFC 4226 §5.3). */
int otpd_hotp_code(const otpd_hmac_key *k, unsigned digits, uint64_t counter, uint32_t *code);

/*
 * Searches counters first ..= first + window (inclusive, so window 0 tries one counter) for `code`.
 * On OTPD_OK, *found is 1 and *counter the lowest matching counter, or *found is 0 (counter untouched).
 */
int otpd_hotp_search(const uint8_t *key, size_t keylen, otpd_hmac_alg alg, unsigned digits, uint64_t first,
                     uint64_t window, uint32_t code, int *found, uint64_t *counter);

/* The codes for counters first .. first + count - 1 into out[0 .. count-1]; count may be 0. */
int otpd_hotp_range(const uint8_t *key, size_t keylen, otpd_hmac_alg alg, unsigned digits, uint64_t first,
                    uint64_t count, uint32_t *out);

/*
 * S/KEY: applies f(x) = fold(hash(x)) count + 1 times; the first application hashes `input`
 * (0..OTPD_SKEY_MAX_INPUT bytes; NULL only when inlen is 0), later ones hash the 8-byte value.
 */
int otpd_skey_chain(otpd_skey_alg alg, const uint8_t *input, size_t inlen, uint64_t count,
                    uint8_t out[OTPD_SKEY_BYTES]);

/* The chain values for counts first .. first + n - 1 in one pass, 8 bytes each, into out[n * 8]. */
int otpd_skey_list(otpd_skey_alg alg, const uint8_t *input, size_t inlen, uint64_t first, uint64_t n,
                   uint8_t *out);

#ifdef __cplusplus
}
#endif

#endif /* OTPD_OTP_CORE_H */
