#pragma once
// The pieces of the ASN.1 binding (SGP.22 v2.5 §6.6) that ES9+ and ES11 share: the request
// around a function's members, an answer opened into its Ok members or its error enumeration
// mapped to the spec's subject/reason codes, and initiateAuthentication's answer (the same type
// for an SM-DP+ and an SM-DS, with different codes).
#include <initializer_list>
#include <span>
#include <string_view>
#include <vector>

#include "es9plus_wire.hpp"
#include "rsp/tlv.hpp"

namespace ipa {

constexpr rsp::tlv::Tag kProvisioningTag = 0xA2;  // RemoteProfileProvisioningRequest/Response

// One value of a function's error enumeration, and the codes it stands for.
struct ErrorName {
  int value;
  std::string_view name, subject, reason;
};

// The members of an Ok alternative, taken in order: several share a tag ('30').
class OkMembers {
 public:
  explicit OkMembers(std::vector<rsp::tlv::Tlv> members) : members_(std::move(members)) {}

  Bytes whole(rsp::tlv::Tag tag) { return next(tag, true); }
  Bytes value(rsp::tlv::Tag tag) { return next(tag, false); }
  const std::optional<std::string>& problem() const { return problem_; }

 private:
  Bytes next(rsp::tlv::Tag tag, bool with_header);
  std::vector<rsp::tlv::Tlv> members_;
  size_t index_ = 0;
  std::optional<std::string> problem_;
};

// One member of an Ok alternative, in order: its tag, where it goes, whole TLV or contents only.
template <class T>
struct OkMember {
  rsp::tlv::Tag tag;
  Bytes T::*field;
  bool whole = true;
};

// The members into a T; one missing or out of order is a protocol error of `function`.
template <class T>
Es9Result<T> take_members(Es9Function function, OkMembers& ok, std::initializer_list<OkMember<T>> members) {
  T out;
  for (const auto& m : members) out.*m.field = m.whole ? ok.whole(m.tag) : ok.value(m.tag);
  if (ok.problem()) return es9_protocol_error(function, *ok.problem());
  return out;
}

// The Ok members of each response, the same in ES9+, ES11 and ESipa: InitiateAuthentication (80
// transactionId, 30 serverSigned1, 5F37, 04, 30 serverCertificate), AuthenticateClient (80, BF25
// profileMetadata, 30 smdpSigned2, 5F37, 30 smdpCertificate), GetBoundProfilePackage (80, BF36).
Es9Result<InitiateAuthenticationResponse> initiate_authentication_members(OkMembers& ok);
Es9Result<AuthenticateClientResponse> authenticate_client_members(OkMembers& ok);
Es9Result<GetBoundProfilePackageResponse> get_bound_profile_package_members(OkMembers& ok);

// 80 transactionId: the first member of most ES9+ requests, in both the ES9+ and the ESipa messages.
Bytes transaction_id_tlv(ByteView transaction_id);

// A2 { <function_tag> { members } } POSTed to /gsma/rsp2/asn1.
Es9WireRequest asn1_request(rsp::tlv::Tag function_tag, ByteView members);

// The answer in `body`: A2 { <alternative_tag> { A0 ok | 81 error } } (the alternative's tag also
// accepted twice); its Ok members, or its refusal with the codes `errors` gives the value.
Es9Result<OkMembers> open_asn1_answer(Es9Function function, rsp::tlv::Tag alternative_tag,
                                      std::span<const ErrorName> errors, const std::string& body);

// A2 { BF39 InitiateAuthenticationResponse }, its error values read with `errors`.
Es9Result<InitiateAuthenticationResponse> asn1_initiate_authentication_answer(const std::string& body,
                                                                              std::span<const ErrorName> errors);

}  // namespace ipa
