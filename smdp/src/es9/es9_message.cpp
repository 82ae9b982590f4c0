#include "es9_message.hpp"

#include "es9_status_codes.hpp"
#include "rsp/crypto/certificate_cache.hpp"
#include "rsp/crypto/ecdsa.hpp"

namespace smdp::es9_message {

std::optional<FunctionStatus> malformed(const rsp::asn1::Type& type, ByteView message, const std::string& name) {
  if (auto decoded = rsp::asn1::decode(type, message); !decoded)
    return es9_status::malformed("8.1", name + ": " + decoded.error().message());
  if (auto why = rsp::tlv::not_der_like(message)) return es9_status::malformed("8.1", name + " is not DER: " + *why);
  return std::nullopt;
}

Es9Result<std::vector<rsp::tlv::Tlv>> members(ByteView contents, std::initializer_list<rsp::tlv::Tag> tags,
                                              const std::string& name) {
  std::vector<rsp::tlv::Tlv> out;
  for (auto tag : tags) {
    auto found = rsp::tlv::find(contents, tag);
    if (!found)
      return rsp::Unexpected{
          es9_status::malformed("8.1", name + " has no '" + rsp::to_hex(rsp::tlv::encode_tag(tag)) + "' in DER form")};
    out.push_back(*found);
  }
  return out;
}

bool signed_by_euicc(const SessionRecord& session, ByteView data, ByteView signature) {
  auto certificate = rsp::crypto::certificate_from_der(session.euicc_certificate);
  if (!certificate) return false;
  auto key = certificate->public_key();
  return key && rsp::crypto::verify(*key, data, signature);
}

}  // namespace smdp::es9_message
