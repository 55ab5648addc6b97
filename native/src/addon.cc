// SPDX-License-Identifier: MIT
//
// Node-API glue over otp_core: argument checks, copies for async work, result conversion. Nothing
// else lives here. The callers are src/otp-backend/native-backend.ts, which validates user input
// first, and src/addon/ (peer credentials, range locks, filesystem room); a violated contract here is
// a caller bug and throws TypeError/RangeError (C++ exceptions on).
//
// Exports (counters are JS numbers, safe integers):
//   hotpSearch(key: Uint8Array, alg, digits, counter, window, code) -> number   (-1 = none)
//   hotpSearchAsync(same)                                           -> Promise<number>
//   hotpRange(key, alg, digits, counter, count)                     -> Uint32Array(count)
//   skeyChain(alg, input: Uint8Array, count)                        -> Buffer(8)
//   skeyChainAsync(same)                                            -> Promise<Buffer>
//   skeyList(alg, input, first, n)                                  -> Buffer(n * 8)
//   peerCredentials(fd)                                             -> { pid, uid, gid }
//   peerGone(fd)                                                    -> boolean
//   tryLockRange(fd, start, len)                                    -> boolean   (false = held)
//   unlockRange(fd, start, len)                                     -> undefined
//   fsRoom(fd)                -> { readOnly: boolean, freeBytes: number, freeInodes: number }
#include <napi.h>

#include <cerrno>
#include <cinttypes>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "file_lock.h"
#include "fs_room.h"
#include "otp_core.h"
#include "peer_cred.h"

namespace {

constexpr double kMaxSafeInteger = 9007199254740991.0;  // Number.MAX_SAFE_INTEGER
constexpr uint64_t kMaxBatch = 1u << 20;                // hotpRange count, skeyList n
constexpr size_t kMaxKeyBytes = 1024;                   // BACKEND_LIMITS.maxKeyBytes
const uint32_t kPow10[] = {1000000u, 10000000u, 100000000u};

// Secret bytes copied off the JS heap; wiped when dropped.
class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(const Napi::Uint8Array &a) : bytes_(a.Data(), a.Data() + a.ElementLength()) {}
  SecretBytes(SecretBytes &&other) noexcept : bytes_(std::move(other.bytes_)) {}
  SecretBytes(const SecretBytes &) = delete;
  SecretBytes &operator=(const SecretBytes &) = delete;
  ~SecretBytes() { otpd_wipe(bytes_.data(), bytes_.size()); }
  const uint8_t *data() const { return bytes_.data(); }
  size_t size() const { return bytes_.size(); }

 private:
  std::vector<uint8_t> bytes_;
};

// Decimal text of n (snprintf rather than std::to_string, which leaves a GNU unique symbol exported).
std::string Decimal(uint64_t n) {
  char buf[24];
  std::snprintf(buf, sizeof(buf), "%" PRIu64, n);
  return buf;
}

void CheckArity(const Napi::CallbackInfo &info, size_t n) {
  if (info.Length() != n) {
    throw Napi::TypeError::New(info.Env(),
                               "expected " + Decimal(n) + " arguments, got " + Decimal(info.Length()));
  }
}

Napi::Uint8Array BytesArg(const Napi::CallbackInfo &info, size_t i, const char *name, size_t max) {
  Napi::Value v = info[i];
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    throw Napi::TypeError::New(info.Env(), std::string(name) + " must be a Uint8Array");
  }
  Napi::Uint8Array a = v.As<Napi::Uint8Array>();
  if (a.ElementLength() > max) {
    throw Napi::RangeError::New(info.Env(),
                                std::string(name) + " must be at most " + Decimal(max) + " bytes");
  }
  return a;
}

uint64_t IntegerArg(const Napi::CallbackInfo &info, size_t i, const char *name, double max) {
  Napi::Value v = info[i];
  if (!v.IsNumber()) throw Napi::TypeError::New(info.Env(), std::string(name) + " must be a number");
  double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || std::trunc(d) != d || d < 0 || d > max) {
    throw Napi::RangeError::New(info.Env(), std::string(name) + " must be an integer from 0 to " +
                                                Decimal(static_cast<uint64_t>(max)));
  }
  return static_cast<uint64_t>(d);
}

std::string StringArg(const Napi::CallbackInfo &info, size_t i, const char *name) {
  Napi::Value v = info[i];
  if (!v.IsString()) throw Napi::TypeError::New(info.Env(), std::string(name) + " must be a string");
  return v.As<Napi::String>().Utf8Value();
}

otpd_hmac_alg HmacAlgArg(const Napi::CallbackInfo &info, size_t i) {
  otpd_hmac_alg alg;
  if (otpd_hmac_alg_from_name(StringArg(info, i, "algorithm").c_str(), &alg) != OTPD_OK) {
    throw Napi::RangeError::New(info.Env(), "algorithm must be sha1, sha256 or sha512");
  }
  return alg;
}

otpd_skey_alg SkeyAlgArg(const Napi::CallbackInfo &info, size_t i) {
  otpd_skey_alg alg;
  if (otpd_skey_alg_from_name(StringArg(info, i, "algorithm").c_str(), &alg) != OTPD_OK) {
    throw Napi::RangeError::New(info.Env(), "algorithm must be md4, md5 or sha1");
  }
  return alg;
}

void ThrowIfFailed(Napi::Env env, int rc) {
  if (rc != OTPD_OK) throw Napi::Error::New(env, std::string("otp_core: ") + otpd_strerror(rc));
}

// ---- HOTP ----------------------------------------------------------------------------------------

// The arguments every HOTP call starts with: key, algorithm, digits, first counter (0 .. 3).
struct HotpKeyArgs {
  Napi::Uint8Array key;  // still on the JS heap: copy it before async work
  otpd_hmac_alg alg;
  unsigned digits;
  uint64_t counter;
};

HotpKeyArgs ParseHotpKey(const Napi::CallbackInfo &info) {
  Napi::Uint8Array key = BytesArg(info, 0, "key", kMaxKeyBytes);
  otpd_hmac_alg alg = HmacAlgArg(info, 1);
  auto digits = static_cast<unsigned>(IntegerArg(info, 2, "digits", OTPD_MAX_DIGITS));
  if (digits < OTPD_MIN_DIGITS) throw Napi::RangeError::New(info.Env(), "digits must be 6, 7 or 8");
  uint64_t counter = IntegerArg(info, 3, "counter", kMaxSafeInteger);
  return HotpKeyArgs{key, alg, digits, counter};
}

struct HotpSearchArgs {
  SecretBytes key;
  otpd_hmac_alg alg;
  unsigned digits;
  uint64_t counter;
  uint64_t window;
  uint32_t code;
};

HotpSearchArgs ParseHotpSearch(const Napi::CallbackInfo &info) {
  CheckArity(info, 6);
  HotpKeyArgs k = ParseHotpKey(info);
  uint64_t window = IntegerArg(info, 4, "window", kMaxSafeInteger - static_cast<double>(k.counter));
  auto code = static_cast<uint32_t>(IntegerArg(info, 5, "code", kPow10[k.digits - OTPD_MIN_DIGITS] - 1.0));
  return HotpSearchArgs{SecretBytes(k.key), k.alg, k.digits, k.counter, window, code};
}

// -1 when no counter matches.
double RunHotpSearch(const HotpSearchArgs &a, int *rc) {
  int found = 0;
  uint64_t at = 0;
  *rc =
      otpd_hotp_search(a.key.data(), a.key.size(), a.alg, a.digits, a.counter, a.window, a.code, &found, &at);
  return (*rc == OTPD_OK && found) ? static_cast<double>(at) : -1.0;
}

Napi::Value HotpSearch(const Napi::CallbackInfo &info) {
  HotpSearchArgs a = ParseHotpSearch(info);
  int rc;
  double result = RunHotpSearch(a, &rc);
  ThrowIfFailed(info.Env(), rc);
  return Napi::Number::New(info.Env(), result);
}

class HotpSearchWorker : public Napi::AsyncWorker {
 public:
  HotpSearchWorker(Napi::Env env, HotpSearchArgs args)
      : Napi::AsyncWorker(env, "otpd:hotpSearch"), deferred_(Napi::Promise::Deferred::New(env)),
        args_(std::move(args)) {}
  Napi::Promise Promise() const { return deferred_.Promise(); }

 protected:
  void Execute() override {
    int rc;
    result_ = RunHotpSearch(args_, &rc);
    if (rc != OTPD_OK) SetError(std::string("otp_core: ") + otpd_strerror(rc));
  }
  void OnOK() override { deferred_.Resolve(Napi::Number::New(Env(), result_)); }
  void OnError(const Napi::Error &e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  HotpSearchArgs args_;
  double result_ = -1.0;
};

Napi::Value HotpSearchAsync(const Napi::CallbackInfo &info) {
  auto *worker = new HotpSearchWorker(info.Env(), ParseHotpSearch(info));  // owns the key copy
  Napi::Promise promise = worker->Promise();
  worker->Queue();  // deletes itself after OnOK/OnError
  return promise;
}

Napi::Value HotpRange(const Napi::CallbackInfo &info) {
  CheckArity(info, 5);
  HotpKeyArgs k = ParseHotpKey(info);
  uint64_t count = IntegerArg(info, 4, "count", static_cast<double>(kMaxBatch));
  if (count > 0 && static_cast<double>(k.counter + (count - 1)) > kMaxSafeInteger) {
    throw Napi::RangeError::New(info.Env(), "counter + count - 1 must be a safe integer");
  }
  Napi::Uint32Array out = Napi::Uint32Array::New(info.Env(), static_cast<size_t>(count));
  ThrowIfFailed(info.Env(), otpd_hotp_range(k.key.Data(), k.key.ElementLength(), k.alg, k.digits, k.counter,
                                            count, count > 0 ? out.Data() : nullptr));
  return out;
}

// ---- S/KEY ---------------------------------------------------------------------------------------

struct SkeyChainArgs {
  otpd_skey_alg alg;
  SecretBytes input;
  uint64_t count;
};

SkeyChainArgs ParseSkeyChain(const Napi::CallbackInfo &info) {
  CheckArity(info, 3);
  otpd_skey_alg alg = SkeyAlgArg(info, 0);
  Napi::Uint8Array input = BytesArg(info, 1, "input", OTPD_SKEY_MAX_INPUT);
  uint64_t count = IntegerArg(info, 2, "count", kMaxSafeInteger);
  return SkeyChainArgs{alg, SecretBytes(input), count};
}

Napi::Value SkeyChain(const Napi::CallbackInfo &info) {
  SkeyChainArgs a = ParseSkeyChain(info);
  uint8_t out[OTPD_SKEY_BYTES];
  ThrowIfFailed(info.Env(), otpd_skey_chain(a.alg, a.input.data(), a.input.size(), a.count, out));
  Napi::Buffer<uint8_t> result = Napi::Buffer<uint8_t>::Copy(info.Env(), out, sizeof(out));
  otpd_wipe(out, sizeof(out));
  return result;
}

class SkeyChainWorker : public Napi::AsyncWorker {
 public:
  SkeyChainWorker(Napi::Env env, SkeyChainArgs args)
      : Napi::AsyncWorker(env, "otpd:skeyChain"), deferred_(Napi::Promise::Deferred::New(env)),
        args_(std::move(args)) {}
  ~SkeyChainWorker() override { otpd_wipe(out_, sizeof(out_)); }
  Napi::Promise Promise() const { return deferred_.Promise(); }

 protected:
  void Execute() override {
    int rc = otpd_skey_chain(args_.alg, args_.input.data(), args_.input.size(), args_.count, out_);
    if (rc != OTPD_OK) SetError(std::string("otp_core: ") + otpd_strerror(rc));
  }
  void OnOK() override { deferred_.Resolve(Napi::Buffer<uint8_t>::Copy(Env(), out_, sizeof(out_))); }
  void OnError(const Napi::Error &e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  SkeyChainArgs args_;
  uint8_t out_[OTPD_SKEY_BYTES] = {0};
};

Napi::Value SkeyChainAsync(const Napi::CallbackInfo &info) {
  auto *worker = new SkeyChainWorker(info.Env(), ParseSkeyChain(info));
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

Napi::Value SkeyList(const Napi::CallbackInfo &info) {
  CheckArity(info, 4);
  otpd_skey_alg alg = SkeyAlgArg(info, 0);
  Napi::Uint8Array input = BytesArg(info, 1, "input", OTPD_SKEY_MAX_INPUT);
  uint64_t first = IntegerArg(info, 2, "first", kMaxSafeInteger);
  uint64_t n = IntegerArg(info, 3, "n", static_cast<double>(kMaxBatch));
  if (n > 0 && static_cast<double>(first + (n - 1)) > kMaxSafeInteger) {
    throw Napi::RangeError::New(info.Env(), "first + n - 1 must be a safe integer");
  }
  Napi::Buffer<uint8_t> out =
      Napi::Buffer<uint8_t>::New(info.Env(), static_cast<size_t>(n * OTPD_SKEY_BYTES));
  ThrowIfFailed(info.Env(), otpd_skey_list(alg, input.Data(), input.ElementLength(), first, n,
                                           n > 0 ? out.Data() : nullptr));
  return out;
}

// A file descriptor argument (a non-negative int).
int FdArg(const Napi::CallbackInfo &info, size_t index) {
  return static_cast<int>(IntegerArg(info, index, "fd", 2147483647.0));
}

// Throws Error("<call>: <errno's text>"), the form every system-call failure of the addon takes.
[[noreturn]] void ThrowErrno(Napi::Env env, const char *call, int err) {
  throw Napi::Error::New(env, std::string(call) + ": " + std::strerror(err));
}

// The credentials of the peer of a connected Unix socket; throws Error with errno's text on failure.
Napi::Value PeerCredentials(const Napi::CallbackInfo &info) {
  CheckArity(info, 1);
  int fd = FdArg(info, 0);
  otpd_peer_cred cred;
  int err = otpd_peer_cred_get(fd, &cred);
  if (err != 0) ThrowErrno(info.Env(), "SO_PEERCRED", err);
  Napi::Object out = Napi::Object::New(info.Env());
  out.Set("pid", Napi::Number::New(info.Env(), static_cast<double>(cred.pid)));
  out.Set("uid", Napi::Number::New(info.Env(), static_cast<double>(cred.uid)));
  out.Set("gid", Napi::Number::New(info.Env(), static_cast<double>(cred.gid)));
  return out;
}

// Whether the peer of a connected socket has hung up; throws Error with errno's text on failure.
Napi::Value PeerGone(const Napi::CallbackInfo &info) {
  CheckArity(info, 1);
  int fd = FdArg(info, 0);
  int gone = 0;
  int err = otpd_peer_gone(fd, &gone);
  if (err != 0) ThrowErrno(info.Env(), "poll", err);
  return Napi::Boolean::New(info.Env(), gone == 1);
}

// The byte range [start, start + len) of an open file's lock, as two safe integers.
std::pair<int64_t, int64_t> RangeArgs(const Napi::CallbackInfo &info) {
  auto start = static_cast<int64_t>(IntegerArg(info, 1, "start", kMaxSafeInteger));
  auto len = static_cast<int64_t>(IntegerArg(info, 2, "len", kMaxSafeInteger));
  if (len < 1) throw Napi::RangeError::New(info.Env(), "len must be at least 1");
  return {start, len};
}

// Tries to lock a byte range of an open file (F_OFD_SETLK, write) without waiting: true when taken,
// false when another open file description holds it; throws Error with errno's text otherwise.
Napi::Value TryLockRange(const Napi::CallbackInfo &info) {
  CheckArity(info, 3);
  int fd = FdArg(info, 0);
  auto [start, len] = RangeArgs(info);
  int err = otpd_range_lock_try(fd, start, len);
  if (err == EAGAIN) return Napi::Boolean::New(info.Env(), false);
  if (err != 0) ThrowErrno(info.Env(), "fcntl(F_OFD_SETLK)", err);
  return Napi::Boolean::New(info.Env(), true);
}

// Releases a byte range locked by TryLockRange; throws Error with errno's text on failure.
Napi::Value UnlockRange(const Napi::CallbackInfo &info) {
  CheckArity(info, 3);
  int fd = FdArg(info, 0);
  auto [start, len] = RangeArgs(info);
  int err = otpd_range_unlock(fd, start, len);
  if (err != 0) ThrowErrno(info.Env(), "fcntl(F_OFD_SETLK)", err);
  return info.Env().Undefined();
}

// The room left on an open file's filesystem; throws Error with errno's text on failure.
Napi::Value FsRoom(const Napi::CallbackInfo &info) {
  CheckArity(info, 1);
  int fd = FdArg(info, 0);
  otpd_fs_room room;
  int err = otpd_fs_room_get(fd, &room);
  if (err != 0) ThrowErrno(info.Env(), "fstatvfs", err);
  Napi::Object out = Napi::Object::New(info.Env());
  out.Set("readOnly", Napi::Boolean::New(info.Env(), room.read_only != 0));
  out.Set("freeBytes", Napi::Number::New(info.Env(), static_cast<double>(room.free_bytes)));
  out.Set("freeInodes", Napi::Number::New(info.Env(), static_cast<double>(room.free_inodes)));
  return out;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("hotpSearch", Napi::Function::New(env, HotpSearch, "hotpSearch"));
  exports.Set("hotpSearchAsync", Napi::Function::New(env, HotpSearchAsync, "hotpSearchAsync"));
  exports.Set("hotpRange", Napi::Function::New(env, HotpRange, "hotpRange"));
  exports.Set("skeyChain", Napi::Function::New(env, SkeyChain, "skeyChain"));
  exports.Set("skeyChainAsync", Napi::Function::New(env, SkeyChainAsync, "skeyChainAsync"));
  exports.Set("skeyList", Napi::Function::New(env, SkeyList, "skeyList"));
  exports.Set("peerCredentials", Napi::Function::New(env, PeerCredentials, "peerCredentials"));
  exports.Set("peerGone", Napi::Function::New(env, PeerGone, "peerGone"));
  exports.Set("tryLockRange", Napi::Function::New(env, TryLockRange, "tryLockRange"));
  exports.Set("unlockRange", Napi::Function::New(env, UnlockRange, "unlockRange"));
  exports.Set("fsRoom", Napi::Function::New(env, FsRoom, "fsRoom"));
  return exports;
}

}  // namespace

NODE_API_MODULE(otpd_native, Init)
