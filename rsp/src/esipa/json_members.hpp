#pragma once
// The members of an ESipa message in both bindings (FACTS §8.1-8.2): how one DER member of a
// SEQUENCE or CHOICE is written as a JSON member and read back, and the schema checks on the way.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "rsp/asn1/codec.hpp"
#include "rsp/bytes.hpp"
#include "rsp/expected.hpp"
#include "rsp/tlv.hpp"

namespace rsp::esipa::detail {

enum class Form {
  whole,            // base64 of the whole TLV, tag included
  contents_base64,  // base64 of the contents only (euiccChallenge, rPlmn), `size` bytes
  hex,              // upper-case hex of the contents, 1..16 bytes (transactionId, eimTransactionId)
  eid,              // the 16 EID bytes as 32 hex digits (decimal for real EIDs)
  text,             // the contents as a string (smdpAddress, matchingId)
  flag,             // NULL, as true (false or absent: no member)
  integer,          // INTEGER, as a JSON integer 0..2^31-1
  signature,        // the whole 5F37 TLV; the bare 64 bytes accepted on input
  retagged,         // base64 of the TLV under `json_tag` (the eUICC's BF41 in place of the automatic A1)
  unwrapped,        // DER: an explicit tag around the value; JSON: base64 of the value (pendingNotification)
  explicit_whole,   // base64 of an explicit tag's whole TLV; the bare value accepted on input (ctxParams1)
};

struct Member {
  const char* name;
  tlv::Tag tag;  // in the DER message; 0: any (an untagged CHOICE the type decides)
  Form form;
  bool mandatory = false;
  const asn1::Type* type = nullptr;  // the value's schema, checked on what JSON brings
  tlv::Tag json_tag = 0;             // retagged
  size_t size = 0;                   // contents_base64
};
using Members = std::span<const Member>;

// `der` checked before it is read: at most kMaxBodySize bytes, one DER-like TLV, and a valid
// value of `type`. Its outer TLV.
Expected<tlv::Tlv> check_message(ByteView der, const asn1::Type& type, std::string_view what);

// The INTEGER contents as a number; nullopt past 8 bytes.
std::optional<int64_t> integer_value(ByteView contents);

// The members of schema-checked DER contents (a SEQUENCE's, or the one TLV of a CHOICE) added to
// `out`, matched by tag in order; unknown extensions are left out.
Status<> members_to_json(ByteView contents, Members members, nlohmann::json& out);

// The DER contents for the JSON members, in schema order; each value checked against its type.
Expected<Bytes> members_from_json(const nlohmann::json& body, Members members);

// A CHOICE written as exclusive JSON members: the DER of the one present (empty when none is and
// `none_allowed`); two at once are refused.
Expected<Bytes> choice_from_json(const nlohmann::json& body, Members members, bool none_allowed);

// Whether `body` has a member `name` (not null).
bool has_member(const nlohmann::json& body, const char* name);

}  // namespace rsp::esipa::detail
