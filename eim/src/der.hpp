#pragma once
// TLV shorthands for the eIM's messages (DER, definite lengths).
#include <initializer_list>

#include "rsp/bytes.hpp"
#include "rsp/der_integer.hpp"
#include "rsp/tlv.hpp"

namespace eim::der {

using rsp::Bytes;
using rsp::ByteView;

inline Bytes tlv(rsp::tlv::Tag tag, ByteView value) { return rsp::tlv::encode(tag, value); }
inline Bytes tlv(rsp::tlv::Tag tag, std::initializer_list<ByteView> parts) {
  return rsp::tlv::encode(tag, rsp::concat(parts));
}
using rsp::der::integer;

}  // namespace eim::der
