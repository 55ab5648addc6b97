/* SPDX-License-Identifier: MIT */
/*
 * The hot loops behind otp_core.h. Every digest is computed from OpenSSL's one-block compression
 * functions on blocks whose padding is written once per call: a HOTP value is one inner and one outer
 * compression, an S/KEY step after the first is one compression. The *_Transform functions are
 * deprecated in OpenSSL 3 but remain public, stable and assembler-backed (SHA-NI, AVX2); the EVP
 * interface costs several allocations and a provider look-up per digest, which is what we avoid here.
 */
#ifndef OPENSSL_SUPPRESS_DEPRECATED
#define OPENSSL_SUPPRESS_DEPRECATED
#endif

#include "otp_core.h"

#include <openssl/crypto.h>
#include <openssl/md4.h>
#include <openssl/md5.h>
#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>

struct otpd_hmac_key {
  otpd_hmac_alg alg;
  union {
    SHA_CTX s1;
    SHA256_CTX s256;
    SHA512_CTX s512;
  } inner, outer;
};

/* Padded single blocks for one HMAC: the inner block holds the 8-byte counter, the outer the digest. */
struct hmac_blocks {
  uint8_t iblk[SHA512_CBLOCK];
  uint8_t oblk[SHA512_CBLOCK];
};

static const uint32_t pow10_table[OTPD_MAX_DIGITS + 1] = {1u,      10u,      100u,      1000u,     10000u,
                                                          100000u, 1000000u, 10000000u, 100000000u};

static inline void put_be32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}

static inline void put_be64(uint8_t *p, uint64_t v) {
  put_be32(p, (uint32_t)(v >> 32));
  put_be32(p + 4, (uint32_t)v);
}

static inline void put_le32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
  p[2] = (uint8_t)(v >> 16);
  p[3] = (uint8_t)(v >> 24);
}

static inline uint32_t get_be32(const uint8_t *p) {
  return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

int otpd_hmac_alg_from_name(const char *name, otpd_hmac_alg *out) {
  if (name == NULL || out == NULL) return OTPD_ERR_NULL;
  if (strcmp(name, "sha1") == 0)
    *out = OTPD_HMAC_SHA1;
  else if (strcmp(name, "sha256") == 0)
    *out = OTPD_HMAC_SHA256;
  else if (strcmp(name, "sha512") == 0)
    *out = OTPD_HMAC_SHA512;
  else
    return OTPD_ERR_ALGORITHM;
  return OTPD_OK;
}

int otpd_skey_alg_from_name(const char *name, otpd_skey_alg *out) {
  if (name == NULL || out == NULL) return OTPD_ERR_NULL;
  if (strcmp(name, "md4") == 0)
    *out = OTPD_SKEY_MD4;
  else if (strcmp(name, "md5") == 0)
    *out = OTPD_SKEY_MD5;
  else if (strcmp(name, "sha1") == 0)
    *out = OTPD_SKEY_SHA1;
  else
    return OTPD_ERR_ALGORITHM;
  return OTPD_OK;
}

const char *otpd_strerror(int status) {
  switch (status) {
  case OTPD_OK: return "success";
  case OTPD_ERR_NULL: return "a required pointer is NULL";
  case OTPD_ERR_ALGORITHM: return "unknown algorithm";
  case OTPD_ERR_DIGITS: return "digits must be 6, 7 or 8";
  case OTPD_ERR_CODE: return "code must be below 10^digits";
  case OTPD_ERR_RANGE: return "counter range overflows 64 bits";
  case OTPD_ERR_LENGTH: return "input is longer than 256 bytes";
  case OTPD_ERR_NOMEM: return "out of memory";
  default: return "unknown error";
  }
}

void otpd_wipe(void *p, size_t n) {
  if (p != NULL && n > 0) OPENSSL_cleanse(p, n);
}

/* ---- HMAC with precomputed pads (RFC 2104) ---------------------------------------------------- */

static size_t hmac_block_size(otpd_hmac_alg alg) {
  return alg == OTPD_HMAC_SHA512 ? SHA512_CBLOCK : SHA_CBLOCK;
}

static size_t hmac_digest_size(otpd_hmac_alg alg) {
  switch (alg) {
  case OTPD_HMAC_SHA1: return SHA_DIGEST_LENGTH;
  case OTPD_HMAC_SHA256: return SHA256_DIGEST_LENGTH;
  default: return SHA512_DIGEST_LENGTH;
  }
}

static int valid_hmac_alg(otpd_hmac_alg alg) {
  return alg == OTPD_HMAC_SHA1 || alg == OTPD_HMAC_SHA256 || alg == OTPD_HMAC_SHA512;
}

/* One compression of `blk` from a fresh initial state, for the (K ^ pad) blocks. */
static void hmac_pad_state(otpd_hmac_key *k, int outer, const uint8_t *blk) {
  switch (k->alg) {
  case OTPD_HMAC_SHA1: {
    SHA_CTX *c = outer ? &k->outer.s1 : &k->inner.s1;
    SHA1_Init(c);
    SHA1_Transform(c, blk);
    break;
  }
  case OTPD_HMAC_SHA256: {
    SHA256_CTX *c = outer ? &k->outer.s256 : &k->inner.s256;
    SHA256_Init(c);
    SHA256_Transform(c, blk);
    break;
  }
  default: {
    SHA512_CTX *c = outer ? &k->outer.s512 : &k->inner.s512;
    SHA512_Init(c);
    SHA512_Transform(c, blk);
    break;
  }
  }
}

/* Fills *k; the caller has checked alg and (key != NULL || keylen == 0). */
static void hmac_prepare(otpd_hmac_key *k, otpd_hmac_alg alg, const uint8_t *key, size_t keylen) {
  uint8_t kb[SHA512_CBLOCK];
  uint8_t pad[SHA512_CBLOCK];
  size_t bs = hmac_block_size(alg);

  memset(k, 0, sizeof(*k));
  memset(kb, 0, sizeof(kb));
  k->alg = alg;
  if (keylen > bs) {
    /* RFC 2104 §2: keys longer than the block are replaced by their hash. */
    switch (alg) {
    case OTPD_HMAC_SHA1: SHA1(key, keylen, kb); break;
    case OTPD_HMAC_SHA256: SHA256(key, keylen, kb); break;
    default: SHA512(key, keylen, kb); break;
    }
  } else if (keylen > 0) {
    memcpy(kb, key, keylen);
  }
  for (size_t i = 0; i < bs; i++) pad[i] = (uint8_t)(kb[i] ^ 0x36);
  hmac_pad_state(k, 0, pad);
  for (size_t i = 0; i < bs; i++) pad[i] = (uint8_t)(kb[i] ^ 0x5c);
  hmac_pad_state(k, 1, pad);
  OPENSSL_cleanse(kb, sizeof(kb));
  OPENSSL_cleanse(pad, sizeof(pad));
}

/* Writes the fixed padding of both blocks: message, 0x80, zeros, big-endian bit length. */
static void hmac_blocks_init(struct hmac_blocks *b, otpd_hmac_alg alg) {
  size_t bs = hmac_block_size(alg);
  size_t md = hmac_digest_size(alg);

  memset(b, 0, sizeof(*b));
  b->iblk[8] = 0x80;
  put_be64(b->iblk + bs - 8, (uint64_t)(bs + 8) * 8u);
  b->oblk[md] = 0x80;
  put_be64(b->oblk + bs - 8, (uint64_t)(bs + md) * 8u);
}

/* RFC 4226 §5.3 dynamic truncation to a 31-bit number. */
static inline uint32_t dynamic_truncate(const uint8_t *md, size_t mdlen) {
  unsigned off = md[mdlen - 1] & 0x0fu;
  return get_be32(md + off) & 0x7fffffffu;
}

/* HMAC(K, counter) truncated; exactly two compressions. */
static inline uint32_t hotp_bin(const otpd_hmac_key *k, struct hmac_blocks *b, uint64_t counter) {
  uint8_t md[SHA512_DIGEST_LENGTH];

  put_be64(b->iblk, counter);
  switch (k->alg) {
  case OTPD_HMAC_SHA1: {
    SHA_CTX c = k->inner.s1;
    SHA1_Transform(&c, b->iblk);
    put_be32(b->oblk, c.h0);
    put_be32(b->oblk + 4, c.h1);
    put_be32(b->oblk + 8, c.h2);
    put_be32(b->oblk + 12, c.h3);
    put_be32(b->oblk + 16, c.h4);
    c = k->outer.s1;
    SHA1_Transform(&c, b->oblk);
    put_be32(md, c.h0);
    put_be32(md + 4, c.h1);
    put_be32(md + 8, c.h2);
    put_be32(md + 12, c.h3);
    put_be32(md + 16, c.h4);
    return dynamic_truncate(md, SHA_DIGEST_LENGTH);
  }
  case OTPD_HMAC_SHA256: {
    SHA256_CTX c = k->inner.s256;
    SHA256_Transform(&c, b->iblk);
    for (int i = 0; i < 8; i++) put_be32(b->oblk + 4 * i, c.h[i]);
    c = k->outer.s256;
    SHA256_Transform(&c, b->oblk);
    for (int i = 0; i < 8; i++) put_be32(md + 4 * i, c.h[i]);
    return dynamic_truncate(md, SHA256_DIGEST_LENGTH);
  }
  default: {
    SHA512_CTX c = k->inner.s512;
    SHA512_Transform(&c, b->iblk);
    for (int i = 0; i < 8; i++) put_be64(b->oblk + 8 * i, (uint64_t)c.h[i]);
    c = k->outer.s512;
    SHA512_Transform(&c, b->oblk);
    for (int i = 0; i < 8; i++) put_be64(md + 8 * i, (uint64_t)c.h[i]);
    return dynamic_truncate(md, SHA512_DIGEST_LENGTH);
  }
  }
}

otpd_hmac_key *otpd_hmac_key_new(otpd_hmac_alg alg, const uint8_t *key, size_t keylen) {
  otpd_hmac_key *k;

  if (!valid_hmac_alg(alg) || (key == NULL && keylen > 0)) return NULL;
  k = malloc(sizeof(*k));
  if (k == NULL) return NULL;
  hmac_prepare(k, alg, key, keylen);
  return k;
}

void otpd_hmac_key_free(otpd_hmac_key *k) {
  if (k == NULL) return;
  OPENSSL_cleanse(k, sizeof(*k));
  free(k);
}

int otpd_hotp_code(const otpd_hmac_key *k, unsigned digits, uint64_t counter, uint32_t *code) {
  struct hmac_blocks b;

  if (k == NULL || code == NULL) return OTPD_ERR_NULL;
  if (digits < OTPD_MIN_DIGITS || digits > OTPD_MAX_DIGITS) return OTPD_ERR_DIGITS;
  hmac_blocks_init(&b, k->alg);
  *code = hotp_bin(k, &b, counter) % pow10_table[digits];
  OPENSSL_cleanse(&b, sizeof(b));
  return OTPD_OK;
}

/* Shared argument checks of the raw-key entry points. */
static int hotp_check(const uint8_t *key, size_t keylen, otpd_hmac_alg alg, unsigned digits) {
  if (key == NULL && keylen > 0) return OTPD_ERR_NULL;
  if (!valid_hmac_alg(alg)) return OTPD_ERR_ALGORITHM;
  if (digits < OTPD_MIN_DIGITS || digits > OTPD_MAX_DIGITS) return OTPD_ERR_DIGITS;
  return OTPD_OK;
}

int otpd_hotp_search(const uint8_t *key, size_t keylen, otpd_hmac_alg alg, unsigned digits, uint64_t first,
                     uint64_t window, uint32_t code, int *found, uint64_t *counter) {
  otpd_hmac_key k;
  struct hmac_blocks b;
  uint32_t mod;
  uint64_t last;
  int rc = hotp_check(key, keylen, alg, digits);

  if (rc != OTPD_OK) return rc;
  if (found == NULL || counter == NULL) return OTPD_ERR_NULL;
  mod = pow10_table[digits];
  if (code >= mod) return OTPD_ERR_CODE;
  if (window > UINT64_MAX - first) return OTPD_ERR_RANGE;
  last = first + window;

  *found = 0;
  hmac_prepare(&k, alg, key, keylen);
  hmac_blocks_init(&b, alg);
  for (uint64_t c = first;; c++) {
    if (hotp_bin(&k, &b, c) % mod == code) {
      *found = 1;
      *counter = c;
      break;
    }
    if (c == last) break;
  }
  OPENSSL_cleanse(&k, sizeof(k));
  OPENSSL_cleanse(&b, sizeof(b));
  return OTPD_OK;
}

int otpd_hotp_range(const uint8_t *key, size_t keylen, otpd_hmac_alg alg, unsigned digits, uint64_t first,
                    uint64_t count, uint32_t *out) {
  otpd_hmac_key k;
  struct hmac_blocks b;
  uint32_t mod;
  int rc = hotp_check(key, keylen, alg, digits);

  if (rc != OTPD_OK) return rc;
  if (count == 0) return OTPD_OK;
  if (out == NULL) return OTPD_ERR_NULL;
  if (count - 1 > UINT64_MAX - first) return OTPD_ERR_RANGE;
  mod = pow10_table[digits];

  hmac_prepare(&k, alg, key, keylen);
  hmac_blocks_init(&b, alg);
  for (uint64_t i = 0; i < count; i++) out[i] = hotp_bin(&k, &b, first + i) % mod;
  OPENSSL_cleanse(&k, sizeof(k));
  OPENSSL_cleanse(&b, sizeof(b));
  return OTPD_OK;
}

/* ---- S/KEY (RFC 2289) ------------------------------------------------------------------------- */

/* The running 8-byte value lives in blk[0..7]; the rest of blk is the fixed padding for 8 bytes. */
struct skey_state {
  otpd_skey_alg alg;
  uint8_t blk[64];
};

static int valid_skey_alg(otpd_skey_alg alg) {
  return alg == OTPD_SKEY_MD4 || alg == OTPD_SKEY_MD5 || alg == OTPD_SKEY_SHA1;
}

/* RFC 2289 Appendix A: md4/md5 fold the 16-byte digest in halves. */
static void fold_md(const uint8_t md[16], uint8_t out[8]) {
  for (int i = 0; i < 8; i++) out[i] = (uint8_t)(md[i] ^ md[i + 8]);
}

/* RFC 2289 Appendix A for sha1: XOR the big-endian words, then store each least-significant byte first. */
static void fold_sha1_words(uint32_t h0, uint32_t h1, uint32_t h2, uint32_t h3, uint32_t h4, uint8_t out[8]) {
  put_le32(out, h0 ^ h2 ^ h4);
  put_le32(out + 4, h1 ^ h3);
}

/* Step 0 on arbitrary-length input; the caller has checked the arguments. */
static void skey_first(struct skey_state *s, otpd_skey_alg alg, const uint8_t *input, size_t inlen) {
  uint8_t md[SHA_DIGEST_LENGTH];
  static const uint8_t empty[1] = {0};
  const uint8_t *in = inlen > 0 ? input : empty;

  memset(s, 0, sizeof(*s));
  s->alg = alg;
  switch (alg) {
  case OTPD_SKEY_MD4: {
    MD4_CTX c;
    MD4_Init(&c);
    MD4_Update(&c, in, inlen);
    MD4_Final(md, &c);
    OPENSSL_cleanse(&c, sizeof(c));
    fold_md(md, s->blk);
    break;
  }
  case OTPD_SKEY_MD5: {
    MD5_CTX c;
    MD5_Init(&c);
    MD5_Update(&c, in, inlen);
    MD5_Final(md, &c);
    OPENSSL_cleanse(&c, sizeof(c));
    fold_md(md, s->blk);
    break;
  }
  default: {
    SHA_CTX c;
    SHA1_Init(&c);
    SHA1_Update(&c, in, inlen);
    SHA1_Final(md, &c);
    OPENSSL_cleanse(&c, sizeof(c));
    fold_sha1_words(get_be32(md), get_be32(md + 4), get_be32(md + 8), get_be32(md + 12), get_be32(md + 16),
                    s->blk);
    break;
  }
  }
  OPENSSL_cleanse(md, sizeof(md));
  /* Padding for an 8-byte message: 0x80, zeros, bit length 64 (little-endian for MD4/MD5). */
  s->blk[8] = 0x80;
  if (alg == OTPD_SKEY_SHA1)
    s->blk[63] = 64;
  else
    s->blk[56] = 64;
}

/* `steps` further applications of f, each one compression of the prepared block (the hot loop). */
static void skey_steps(struct skey_state *s, uint64_t steps) {
  switch (s->alg) {
  case OTPD_SKEY_MD4: {
    MD4_CTX iv, c;
    MD4_Init(&iv);
    c = iv;
    for (uint64_t i = 0; i < steps; i++) {
      c.A = iv.A, c.B = iv.B, c.C = iv.C, c.D = iv.D;
      MD4_Transform(&c, s->blk);
      put_le32(s->blk, c.A ^ c.C);
      put_le32(s->blk + 4, c.B ^ c.D);
    }
    OPENSSL_cleanse(&c, sizeof(c));
    break;
  }
  case OTPD_SKEY_MD5: {
    MD5_CTX iv, c;
    MD5_Init(&iv);
    c = iv;
    for (uint64_t i = 0; i < steps; i++) {
      c.A = iv.A, c.B = iv.B, c.C = iv.C, c.D = iv.D;
      MD5_Transform(&c, s->blk);
      put_le32(s->blk, c.A ^ c.C);
      put_le32(s->blk + 4, c.B ^ c.D);
    }
    OPENSSL_cleanse(&c, sizeof(c));
    break;
  }
  default: {
    SHA_CTX iv, c;
    SHA1_Init(&iv);
    c = iv;
    for (uint64_t i = 0; i < steps; i++) {
      c.h0 = iv.h0, c.h1 = iv.h1, c.h2 = iv.h2, c.h3 = iv.h3, c.h4 = iv.h4;
      SHA1_Transform(&c, s->blk);
      fold_sha1_words(c.h0, c.h1, c.h2, c.h3, c.h4, s->blk);
    }
    OPENSSL_cleanse(&c, sizeof(c));
    break;
  }
  }
}

static int skey_check(otpd_skey_alg alg, const uint8_t *input, size_t inlen) {
  if (!valid_skey_alg(alg)) return OTPD_ERR_ALGORITHM;
  if (input == NULL && inlen > 0) return OTPD_ERR_NULL;
  if (inlen > OTPD_SKEY_MAX_INPUT) return OTPD_ERR_LENGTH;
  return OTPD_OK;
}

int otpd_skey_chain(otpd_skey_alg alg, const uint8_t *input, size_t inlen, uint64_t count,
                    uint8_t out[OTPD_SKEY_BYTES]) {
  struct skey_state s;
  int rc = skey_check(alg, input, inlen);

  if (rc != OTPD_OK) return rc;
  if (out == NULL) return OTPD_ERR_NULL;
  skey_first(&s, alg, input, inlen);
  skey_steps(&s, count);
  memcpy(out, s.blk, OTPD_SKEY_BYTES);
  OPENSSL_cleanse(&s, sizeof(s));
  return OTPD_OK;
}

int otpd_skey_list(otpd_skey_alg alg, const uint8_t *input, size_t inlen, uint64_t first, uint64_t n,
                   uint8_t *out) {
  struct skey_state s;
  int rc = skey_check(alg, input, inlen);

  if (rc != OTPD_OK) return rc;
  if (n == 0) return OTPD_OK;
  if (out == NULL) return OTPD_ERR_NULL;
  if (n - 1 > UINT64_MAX - first || n > SIZE_MAX / OTPD_SKEY_BYTES) return OTPD_ERR_RANGE;
  skey_first(&s, alg, input, inlen);
  skey_steps(&s, first);
  memcpy(out, s.blk, OTPD_SKEY_BYTES);
  for (uint64_t i = 1; i < n; i++) {
    skey_steps(&s, 1);
    memcpy(out + i * OTPD_SKEY_BYTES, s.blk, OTPD_SKEY_BYTES);
  }
  OPENSSL_cleanse(&s, sizeof(s));
  return OTPD_OK;
}
