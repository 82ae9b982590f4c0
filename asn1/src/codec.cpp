#include "rsp/asn1/codec.hpp"

#include "rsp/asn1/runtime.hpp"
#include "rsp/asn1/types.hpp"

#include <asn_application.h>
#include <ber_decoder.h>
#include <constraints.h>
#include <der_encoder.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <stdexcept>

namespace rsp::asn1 {
namespace {

// asn1c checks this bound against the distance it has recursed on the stack; 256 KiB admits
// every real RSP message (nesting depth < 20) and stops crafted deep nesting long before the
// default 8 MiB stack is at risk, also under AddressSanitizer's larger frames.
constexpr size_t kMaxDecoderStack = 256 * 1024;

std::string type_name(const Type& type) { return type.name ? type.name : "?"; }

// asn1c 0.9.28's generated code for a derived type (Octet16 ::= OCTET STRING (SIZE(16)), the
// ENUMERATED-like INTEGER aliases, SubjectKeyIdentifier ::= KeyIdentifier ...) fills that type's
// shared descriptor on first use: its free, print, BER decoder, DER encoder and XER functions call
// <T>_inherit_TYPE_descriptor(), which copies the base type's functions, elements and specifics
// into it, and the constraint checker of an alias without constraints of its own replaces itself
// with the base's. Once done, the descriptor points at the base's functions and nothing writes it
// again; no other runtime code (skeletons included) writes shared state outside ASN_DEBUG builds.
// settle_descriptors() makes all those writes once, before main and before the first call, so
// threads decode and encode without a lock.
//
// Runs settle_descriptors() exactly once; every entry point calls it, so a call that a static
// initializer of another translation unit makes before ours has run is covered too.
void settle_once() {
  static const bool settled = (settle_descriptors(), true);
  (void)settled;
}
[[maybe_unused]] const bool settled_before_main = (settle_once(), true);

}  // namespace

DescriptorState descriptor_state(const Type& type) {
  return {type.free_struct, type.print_struct, type.check_constraints, type.ber_decoder, type.der_encoder,
          type.xer_decoder, type.xer_encoder, type.uper_decoder, type.uper_encoder, type.elements,
          type.elements_count, type.specifics, type.per_constraints};
}

void settle_descriptors() {
  // One pass per link of a chain of aliases (SubjectKeyIdentifier -> KeyIdentifier -> OCTET STRING):
  // a descriptor may first take its base's own inheriting functions. A null structure makes each
  // function return at once after the inheriting step.
  for (int pass = 0; pass < 8; ++pass) {
    bool changed = false;
    for (const Type* t : all_types()) {  // every derived type is a named one, so in the collection
      Type& type = *const_cast<Type*>(t);
      const DescriptorState before = descriptor_state(type);
      type.free_struct(&type, nullptr, 0);
      type.check_constraints(&type, nullptr, nullptr, nullptr);  // fails: no value
      changed |= !(descriptor_state(type) == before);
    }
    if (!changed) return;
  }
  throw std::logic_error("asn1c type descriptors do not settle");
}

std::string DecodeError::message() const {
  std::string m = type + ": " + reason;
  if (offset) m += " at byte " + std::to_string(*offset);
  return m;
}

Value& Value::operator=(Value&& other) noexcept {
  if (this != &other) {
    settle_once();
    if (ptr_) type_->free_struct(const_cast<Type*>(type_), ptr_, 0);
    type_ = other.type_;
    ptr_ = other.ptr_;
    other.ptr_ = nullptr;
  }
  return *this;
}

Value::~Value() {
  if (!ptr_) return;
  settle_once();
  type_->free_struct(const_cast<Type*>(type_), ptr_, 0);
}

Expected<Prefix, DecodeError> decode_prefix(const Type& type, ByteView ber) {
  settle_once();
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
  settle_once();
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
  settle_once();
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
