#pragma once
// SAIP profile packages (TCA eUICC Profile Package v3.3.1 §8): an unprotected profile package is a
// plain concatenation of ProfileElement TLVs, without an outer wrapper. Our PEDefinitions module
// decodes only a subset of the ProfileElement alternatives; every other element (cd, telecom, rfm,
// application, ...) is carried through as its original bytes, keyed by its outer tag.
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "rsp/asn1/codec.hpp"
#include "rsp/bytes.hpp"
#include "rsp/expected.hpp"
#include "rsp/tlv.hpp"

namespace rsp::asn1 {

// One element of a profile package, in stream order.
struct ProfileElementEntry {
  tlv::Tag tag = 0;              // outer tag as encoded: 0xA0 header, 0xB0 mf, 0xAA end, ...
  Bytes raw;                     // the element exactly as it came, tag + length + contents
  std::optional<Value> decoded;  // a ProfileElement, if the tag is one of our subset's alternatives
  size_t offset = 0;             // where the element starts in the parsed stream
};

// True if `tag` selects an alternative of ProfileElement that our module decodes.
bool is_decoded_profile_element(tlv::Tag tag);

// The ASN.1 identifier of the alternative ("header", "usim", ...) for a decoded tag, or the TCA
// name for the well-known elements we pass through ("telecom", "application", ...); empty if unknown.
std::string profile_element_name(tlv::Tag tag);

// Splits a profile package into its elements; every element whose tag is in our subset must decode
// as ProfileElement (constraints checked). Errors carry the type and the offset in `stream`.
Expected<std::vector<ProfileElementEntry>, DecodeError> parse_profile_package(ByteView stream);

// Re-emits a profile package: decoded elements are DER-encoded from their structure (so changes
// made to them are kept), the others are copied from `raw`. asn1c drops unknown extension fields
// of a decoded element when it re-encodes it (EXTENSIBILITY IMPLIED); all kit packages re-emit
// byte-identically, but to forward a package untouched, concatenate the `raw` bytes instead.
Expected<Bytes> serialize_profile_package(std::span<const ProfileElementEntry> elements);

}  // namespace rsp::asn1
