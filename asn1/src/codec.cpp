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
#include <optional>
#include <set>
#include <stdexcept>
#include <string_view>
#include <vector>

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
// with the base's; and SEQUENCE, CHOICE and SET OF's constraint checks fill a member's empty
// memb_constraints with the member type's checker. Once done, nothing writes them again.
// settle_descriptors() makes all those writes once, before main and before the first call, so
// threads decode and encode without a lock. (The one other shared write, ber_tlv_tag_string()'s
// static buffer, is made per thread by asn1/CMakeLists.txt; tests/asn1/test_asn1_concurrency.cpp
// runs clean under ThreadSanitizer.)
//
// Runs settle_descriptors() exactly once; every entry point calls it, so a call that a static
// initializer of another translation unit makes before ours has run is covered too.
void settle_once() {
  static const bool settled = (settle_descriptors(), true);
  (void)settled;
}
[[maybe_unused]] const bool settled_before_main = (settle_once(), true);

// What asn_check_constraints() says of the first constraint `structure` breaks, or nothing when it
// keeps them all. asn1c's generated checkers and skeletons end each text with "(%s:%d)" of
// __FILE__ and __LINE__, the build machine's path of a source file; what stays is the type and
// what failed ("TransactionId: constraint failed").
std::optional<std::string> constraint_failure(const Type& type, const void* structure) {
  char errbuf[256];
  size_t errlen = sizeof(errbuf);
  if (asn_check_constraints(const_cast<Type*>(&type), structure, errbuf, &errlen) == 0) return std::nullopt;
  std::string text(errbuf, strnlen(errbuf, errlen));
  // The location may be cut short by errbuf's size: drop from the last " (" on if what follows
  // is one word naming a file.
  if (auto at = text.rfind(" ("); at != std::string::npos) {
    std::string_view location = std::string_view(text).substr(at + 2);
    if (location.find(' ') == std::string_view::npos && location.find_first_of("/.:") != std::string_view::npos)
      text.erase(at);
  }
  return text;
}

}  // namespace

DescriptorState descriptor_state(const Type& type) {
  DescriptorState state{type.free_struct,       type.print_struct,
                        type.check_constraints, type.ber_decoder,
                        type.der_encoder,       type.xer_decoder,
                        type.xer_encoder,       type.uper_decoder,
                        type.uper_encoder,      type.elements,
                        type.elements_count,    type.specifics,
                        type.per_constraints,   {}};
  for (int i = 0; i < type.elements_count && type.elements; ++i)
    state.member_constraints.push_back(reinterpret_cast<const void*>(type.elements[i].memb_constraints));
  return state;
}

std::vector<Type*> reachable_types() {
  std::set<Type*> seen;
  std::vector<Type*> todo;
  for (const Type* t : all_types()) todo.push_back(const_cast<Type*>(t));
  while (!todo.empty()) {
    Type* t = todo.back();
    todo.pop_back();
    if (!t || !seen.insert(t).second) continue;
    for (int i = 0; i < t->elements_count && t->elements; ++i) todo.push_back(t->elements[i].type);
  }
  return {seen.begin(), seen.end()};
}

void settle_descriptors() {
  // One pass per link of a chain of aliases (SubjectKeyIdentifier -> KeyIdentifier -> OCTET STRING):
  // a descriptor may first take its base's own inheriting functions. A null structure makes each
  // function return at once after the inheriting step.
  const std::vector<Type*> types = reachable_types();
  for (int pass = 0; pass < 8; ++pass) {
    bool changed = false;
    for (Type* type : types) {
      const DescriptorState before = descriptor_state(*type);
      type->free_struct(type, nullptr, 0);
      type->check_constraints(type, nullptr, nullptr, nullptr);  // fails: no value
      changed |= !(descriptor_state(*type) == before);
    }
    if (!changed) {
      // Then what SEQUENCE_constraint, CHOICE_constraint and SET_OF_constraint would store into an
      // empty member checker: the member type's settled check_constraints.
      for (Type* type : types)
        for (int i = 0; i < type->elements_count && type->elements; ++i)
          if (!type->elements[i].memb_constraints)
            type->elements[i].memb_constraints = type->elements[i].type->check_constraints;
      return;
    }
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
  if (auto failure = constraint_failure(type, structure))
    return Unexpected{DecodeError{type_name(type), std::nullopt, "constraint violated: " + *failure}};
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
  if (auto failure = constraint_failure(type, structure))
    return fail(type_name(type) + ": constraint violated: " + *failure);
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
