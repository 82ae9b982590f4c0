#include "rsp/asn1/codec.hpp"

#include <asn_application.h>
#include <ber_decoder.h>
#include <constraints.h>
#include <der_encoder.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>

namespace rsp::asn1 {
namespace {

// asn1c checks this bound against the distance it has recursed on the stack; 256 KiB admits
// every real RSP message (nesting depth < 20) and stops crafted deep nesting long before the
// default 8 MiB stack is at risk, also under AddressSanitizer's larger frames.
constexpr size_t kMaxDecoderStack = 256 * 1024;

std::string type_name(const Type& type) { return type.name ? type.name : "?"; }

// asn1c 0.9.28's generated code for derived types (X ::= OCTET STRING (SIZE(..)) and the like)
// copies the base type's functions into the shared descriptor on every decode, encode, print
// and free. The values written are always the same, but concurrent writes are a data race, and
// servers (the SM-DP+) decode on several threads: every call into asn1c goes through this lock.
// Decoding an RSP message takes microseconds; signatures dominate a request by far.
std::recursive_mutex& runtime_lock() {
  static std::recursive_mutex lock;
  return lock;
}

}  // namespace

std::string DecodeError::message() const {
  std::string m = type + ": " + reason;
  if (offset) m += " at byte " + std::to_string(*offset);
  return m;
}

Value& Value::operator=(Value&& other) noexcept {
  if (this != &other) {
    std::lock_guard guard(runtime_lock());
    if (ptr_) type_->free_struct(const_cast<Type*>(type_), ptr_, 0);
    type_ = other.type_;
    ptr_ = other.ptr_;
    other.ptr_ = nullptr;
  }
  return *this;
}

Value::~Value() {
  if (!ptr_) return;
  std::lock_guard guard(runtime_lock());
  if (ptr_) type_->free_struct(const_cast<Type*>(type_), ptr_, 0);
}

Expected<Prefix, DecodeError> decode_prefix(const Type& type, ByteView ber) {
  std::lock_guard guard(runtime_lock());
  asn_codec_ctx_t ctx{};
  ctx.max_stack_size = kMaxDecoderStack;
  void* structure = nullptr;
  asn_dec_rval_t rv = ber_decode(&ctx, const_cast<Type*>(&type), &structure, ber.data(), ber.size());
  Value value(type, structure);  // owns even a partial result, so it is always freed
  if (rv.code == RC_WMORE)
    return Unexpected{DecodeError{type_name(type), rv.consumed, "input ends before the value is complete"}};
  if (rv.code != RC_OK || structure == nullptr)
    return Unexpected{DecodeError{type_name(type), rv.consumed, "malformed or unexpected encoding"}};
  char errbuf[256];
  size_t errlen = sizeof(errbuf);
  if (asn_check_constraints(const_cast<Type*>(&type), structure, errbuf, &errlen) != 0)
    return Unexpected{DecodeError{type_name(type), std::nullopt,
                                  "constraint violated: " + std::string(errbuf, strnlen(errbuf, errlen))}};
  return Prefix{std::move(value), rv.consumed};
}

Expected<Value, DecodeError> decode(const Type& type, ByteView ber) {
  auto p = decode_prefix(type, ber);
  if (!p) return Unexpected{p.error()};
  if (p->consumed != ber.size())
    return Unexpected{DecodeError{type_name(type), p->consumed,
                                  std::to_string(ber.size() - p->consumed) + " trailing bytes after the value"}};
  return std::move(p->value);
}

Expected<Bytes> encode(const Type& type, const void* structure) {
  std::lock_guard guard(runtime_lock());
  char errbuf[256];
  size_t errlen = sizeof(errbuf);
  if (asn_check_constraints(const_cast<Type*>(&type), structure, errbuf, &errlen) != 0)
    return fail(type_name(type) + ": constraint violated: " + std::string(errbuf, strnlen(errbuf, errlen)));
  Bytes out;
  auto append = [](const void* buffer, size_t size, void* key) -> int {
    auto* o = static_cast<Bytes*>(key);
    auto* b = static_cast<const uint8_t*>(buffer);
    o->insert(o->end(), b, b + size);
    return 0;
  };
  asn_enc_rval_t rv = der_encode(const_cast<Type*>(&type), const_cast<void*>(structure), append, &out);
  if (rv.encoded < 0)
    return fail(type_name(type) + ": cannot encode member " +
                (rv.failed_type && rv.failed_type->name ? rv.failed_type->name : "?"));
  return out;
}

std::string dump(const Type& type, const void* structure) {
  std::lock_guard guard(runtime_lock());
  char* buffer = nullptr;
  size_t size = 0;
  FILE* stream = open_memstream(&buffer, &size);
  if (!stream) return {};
  asn_fprint(stream, const_cast<Type*>(&type), structure);
  std::fclose(stream);
  std::string out(buffer, size);
  std::free(buffer);
  return out;
}

}  // namespace rsp::asn1
