#pragma once
// Reading the eUICC's objects in the ES9+ functions. The codec (asn1c) validates a message
// against its type but accepts BER (indefinite lengths, constructed strings); the functions then
// read it with rsp::tlv, which takes DER-like TLV only. So a message passes both checks before it
// is read, and a member the codec vouches for is still taken checked: what BER lets through and
// the TLV reading cannot follow becomes the function's refusal, never an exception.
#include <initializer_list>
#include <string>
#include <vector>

#include "rsp/asn1/codec.hpp"
#include "rsp/tlv.hpp"
#include "smdp/es9plus.hpp"

namespace smdp::es9_message {

// The codec's check as `type`, then rsp::tlv::not_der_like: a refusal (8.1/2.2, naming `name`) or nullopt.
std::optional<FunctionStatus> malformed(const rsp::asn1::Type& type, ByteView message, const std::string& name);

// The first member of `contents` with each of `tags`, in that order, or the refusal (8.1/2.2)
// saying which one `name` lacks.
Es9Result<std::vector<rsp::tlv::Tlv>> members(ByteView contents, std::initializer_list<rsp::tlv::Tag> tags,
                                              const std::string& name);

// Whether `signature` (plain r||s) over `data` verifies with the key of the eUICC certificate the
// session kept from authenticateClient; false when the session has none.
bool signed_by_euicc(const SessionRecord& session, ByteView data, ByteView signature);

}  // namespace smdp::es9_message
