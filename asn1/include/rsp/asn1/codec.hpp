#pragma once
// The C++ face over asn1c's generated code: decode bytes into an owned value (or an error
// naming the type and byte offset), encode to DER, dump as text. Components use this header
// and never call asn1c's allocation or free functions themselves.
#include <asn_application.h>  // first: the generated headers rely on its system includes
#include <constr_TYPE.h>

#include <cstddef>
#include <optional>
#include <string>

#include "rsp/bytes.hpp"
#include "rsp/expected.hpp"

namespace rsp::asn1 {

using Type = asn_TYPE_descriptor_t;

struct DecodeError {
  std::string type;              // ASN.1 type name, e.g. "AuthenticateServerResponse"
  std::optional<size_t> offset;  // byte offset where decoding stopped, if it is known
  std::string reason;
  std::string message() const;
};

// Owns one structure of a generated type; freed with its descriptor.
class Value {
 public:
  Value(const Type& type, void* structure) : type_(&type), ptr_(structure) {}
  Value(Value&& other) noexcept : type_(other.type_), ptr_(other.ptr_) { other.ptr_ = nullptr; }
  Value& operator=(Value&& other) noexcept;
  Value(const Value&) = delete;
  Value& operator=(const Value&) = delete;
  ~Value();

  const Type& type() const { return *type_; }
  void* get() { return ptr_; }
  const void* get() const { return ptr_; }
  template <class T>
  T& as() {
    return *static_cast<T*>(ptr_);
  }
  template <class T>
  const T& as() const {
    return *static_cast<const T*>(ptr_);
  }

 private:
  const Type* type_;
  void* ptr_;
};

// Typed view of a Value, for code that knows what it decoded.
template <class T>
class Decoded {
 public:
  explicit Decoded(Value v) : value_(std::move(v)) {}
  T* operator->() { return &value_.as<T>(); }
  const T* operator->() const { return &value_.as<T>(); }
  T& operator*() { return value_.as<T>(); }
  const T& operator*() const { return value_.as<T>(); }
  Value& value() { return value_; }
  const Value& value() const { return value_; }

 private:
  Value value_;
};

// Decodes exactly one value of `type` that must fill `ber` (BER or DER), with the type's
// constraints checked. Nesting depth is bounded, so hostile input cannot exhaust the stack.
Expected<Value, DecodeError> decode(const Type& type, ByteView ber);

template <class T>
Expected<Decoded<T>, DecodeError> decode_as(const Type& type, ByteView ber) {
  auto v = decode(type, ber);
  if (!v) return Unexpected{v.error()};
  return Decoded<T>(std::move(*v));
}

// Like decode, but for a value at the start of a longer buffer: reports how much it consumed.
struct Prefix {
  Value value;
  size_t consumed;
};
Expected<Prefix, DecodeError> decode_prefix(const Type& type, ByteView ber);

// DER encoding; fails if the structure violates a constraint of its type.
Expected<Bytes> encode(const Type& type, const void* structure);
inline Expected<Bytes> encode(const Value& v) { return encode(v.type(), v.get()); }

// asn1c's indented text form, for logs and the CLI.
std::string dump(const Type& type, const void* structure);
inline std::string dump(const Value& v) { return dump(v.type(), v.get()); }

}  // namespace rsp::asn1
