#pragma once
// What every ES10 function of the client does the same way: send the command, check the answer
// against the spec's ASN.1 type before anything reads it, and turn result codes into Es10Errors
// that carry the spec's name and number. Internal to ipa_es10.
#include <initializer_list>
#include <optional>
#include <string_view>

#include "ipa/es10_channel.hpp"
#include "rsp/asn1/codec.hpp"
#include "rsp/tlv.hpp"

namespace ipa::detail {

struct CodeName {
  long code;
  const char* name;
};
using CodeNames = std::initializer_list<CodeName>;

Es10Error malformed(std::string_view function, std::string_view what);
// "EnableProfile: profileNotInDisabledState (2)"
Es10Error result_error(std::string_view function, long code, CodeNames names);

// Sends `request`; the answer must decode as one of `types` (an SGP.22 type and its SGP.32 form).
// The DER answer, kept by the caller: the TLV views below point into it.
Es10Expected<Bytes> call(Es10Channel& channel, std::string_view function, ByteView request,
                         std::initializer_list<const rsp::asn1::Type*> types);

// The answer's outer TLV (checked already, but still read as a value, never thrown).
Es10Expected<rsp::tlv::Tlv> outer(std::string_view function, const Bytes& answer);
// A DER INTEGER's contents as a long; nullopt when empty or too long.
std::optional<long> integer(ByteView contents);
// The children of a constructed value.
Es10Expected<std::vector<rsp::tlv::Tlv>> children(std::string_view function, ByteView contents);

// The many answers that are `TAG { A0 list | 81 error }` (a CHOICE): the list's elements, or the
// error as a result Es10Error. `answer` must outlive the elements.
Es10Expected<std::vector<rsp::tlv::Tlv>> list_or_error(std::string_view function, const Bytes& answer, CodeNames names);

// A BIT STRING's DER contents for named bits (bit 0 first), trailing zero bits dropped (X.690 §11.2.2).
Bytes named_bits(std::initializer_list<bool> bits);
// DER BOOLEAN contents.
inline Bytes boolean(bool b) { return Bytes{b ? uint8_t(0xFF) : uint8_t(0x00)}; }
// DER INTEGER contents (minimal two's complement).
Bytes integer_contents(long value);

// The many functions that answer `TAG { 80 result }` (or a bare INTEGER with another tag): ok (0)
// or the named error.
Es10Status result_function(Es10Channel& channel, std::string_view function, ByteView request,
                           const rsp::asn1::Type& type, rsp::tlv::Tag result_tag, CodeNames names);

}  // namespace ipa::detail
