// SGP.22 v2.5 §6.6 the ASN.1 binding of ES9+, client side: every function is one
// RemoteProfileProvisioningRequest ('A2', an explicit tag around the CHOICE) POSTed to
// /gsma/rsp2/asn1; the answer is the function's Ok alternative ('A0') or its error INTEGER ('81'),
// mapped back to the subject/reason codes of §5.6 (the enumerations of asn1/modules/rsp-definitions.asn).
#include <span>
#include <string_view>

#include "es9plus_asn1.hpp"
#include "rsp/tlv.hpp"

namespace ipa {

namespace {

using rsp::tlv::encode;
using rsp::tlv::Tag;

constexpr const char* kPath = "/gsma/rsp2/asn1";
constexpr const char* kContentType = "application/x-gsma-rsp-asn1";

struct FunctionTag {
  Es9Function function;
  Tag tag;
};
constexpr FunctionTag kTags[] = {
    {Es9Function::initiate_authentication, 0xBF39},
    {Es9Function::authenticate_client, 0xBF3B},
    {Es9Function::get_bound_profile_package, 0xBF3A},
    {Es9Function::handle_notification, 0xBF3D},
    {Es9Function::cancel_session, 0xBF41},
};
Tag tag_of(Es9Function function) {
  for (const auto& t : kTags)
    if (t.function == function) return t.tag;
  return 0;
}

constexpr ErrorName kInitiateAuthenticationErrors[] = {
    {1, "invalidDpAddress", "8.8.1", "3.8"},
    {2, "euiccVersionNotSupportedByDp", "8.8.3", "3.1"},
    {3, "ciPKNotSupported", "8.8.2", "3.1"},
};
constexpr ErrorName kAuthenticateClientErrors[] = {
    {1, "eumCertificateInvalid", "8.1.2", "6.1"},
    {2, "eumCertificateExpired", "8.1.2", "6.3"},
    {3, "euiccCertificateInvalid", "8.1.3", "6.1"},
    {4, "euiccCertificateExpired", "8.1.3", "6.3"},
    {5, "euiccSignatureInvalid", "8.1", "6.1"},
    {6, "matchingIdRefused", "8.2.6", "3.8"},
    {7, "eidMismatch", "8.1.1", "3.8"},
    {8, "noEligibleProfile", "8.2.5", "4.3"},
    {9, "ciPKUnknown", "8.11.1", "3.9"},
    {10, "invalidTransactionId", "8.10.1", "3.9"},
    {11, "insufficientMemory", "8.1", "4.8"},
};
constexpr ErrorName kGetBoundProfilePackageErrors[] = {
    {1, "euiccSignatureInvalid", "8.1", "6.1"},     {2, "confirmationCodeMissing", "8.2.7", "2.2"},
    {3, "confirmationCodeRefused", "8.2.7", "3.8"}, {4, "confirmationCodeRetriesExceeded", "8.2.7", "6.4"},
    {5, "bppRebindingRefused", "8.2", "3.7"},       {6, "downloadOrderExpired", "8.8.5", "4.10"},
    {95, "invalidTransactionId", "8.10.1", "3.9"},
};
constexpr ErrorName kCancelSessionErrors[] = {
    {1, "invalidTransactionId", "8.10.1", "3.9"},
    {2, "euiccSignatureInvalid", "8.1", "6.1"},
};

std::span<const ErrorName> error_names(Es9Function function) {
  switch (function) {
    case Es9Function::initiate_authentication: return kInitiateAuthenticationErrors;
    case Es9Function::authenticate_client: return kAuthenticateClientErrors;
    case Es9Function::get_bound_profile_package: return kGetBoundProfilePackageErrors;
    case Es9Function::cancel_session: return kCancelSessionErrors;
    case Es9Function::handle_notification: break;
  }
  return {};
}

Es9WireRequest es9_request(Es9Function function, ByteView members) { return asn1_request(tag_of(function), members); }

Es9Result<OkMembers> open_answer(Es9Function function, const std::string& body) {
  return open_asn1_answer(function, tag_of(function), error_names(function), body);
}

class Asn1Wire final : public Es9Wire {
 public:
  // SGP.22 v2.5 §6.6.2.1
  Es9WireRequest initiate_authentication(const InitiateAuthenticationRequest& r) const override {
    return es9_request(
        Es9Function::initiate_authentication,
        rsp::concat({encode(0x81, r.euicc_challenge), encode(0x83, rsp::to_bytes(r.smdp_address)), r.euicc_info1}));
  }
  // SGP.22 v2.5 §6.6.2.2
  Es9WireRequest authenticate_client(ByteView transaction_id, ByteView authenticate_server_response) const override {
    return es9_request(Es9Function::authenticate_client,
                       rsp::concat({transaction_id_tlv(transaction_id), authenticate_server_response}));
  }
  // SGP.22 v2.5 §6.6.2.3
  Es9WireRequest get_bound_profile_package(ByteView transaction_id, ByteView prepare_download_response) const override {
    return es9_request(Es9Function::get_bound_profile_package,
                       rsp::concat({transaction_id_tlv(transaction_id), prepare_download_response}));
  }
  // SGP.22 v2.5 §6.6.2.4: the PendingNotification CHOICE inside an explicit '[0]'.
  Es9WireRequest handle_notification(ByteView pending_notification) const override {
    return es9_request(Es9Function::handle_notification, encode(0xA0, pending_notification));
  }
  // SGP.22 v2.5 §6.6.2.5: the eUICC's 'BF41' is a member without a tag of its own, so automatic
  // tagging makes it '[1]' ('A1') around the same contents.
  Es9WireRequest cancel_session(ByteView transaction_id, ByteView cancel_session_response) const override {
    auto card_answer = rsp::tlv::read(cancel_session_response);
    Bytes contents = card_answer ? Bytes(card_answer->value.begin(), card_answer->value.end()) : Bytes{};
    return es9_request(Es9Function::cancel_session,
                       rsp::concat({transaction_id_tlv(transaction_id), encode(0xA1, contents)}));
  }

  Es9Result<InitiateAuthenticationResponse> initiate_authentication_answer(const std::string& body) const override {
    return asn1_initiate_authentication_answer(body, kInitiateAuthenticationErrors);
  }
  Es9Result<AuthenticateClientResponse> authenticate_client_answer(const std::string& body) const override {
    auto ok = open_answer(Es9Function::authenticate_client, body);
    if (!ok) return rsp::Unexpected{ok.error()};
    return authenticate_client_members(*ok);
  }
  Es9Result<GetBoundProfilePackageResponse> get_bound_profile_package_answer(const std::string& body) const override {
    auto ok = open_answer(Es9Function::get_bound_profile_package, body);
    if (!ok) return rsp::Unexpected{ok.error()};
    return get_bound_profile_package_members(*ok);
  }
  Es9Result<rsp::Ok> cancel_session_answer(const std::string& body) const override {
    auto m = open_answer(Es9Function::cancel_session, body);
    if (!m) return rsp::Unexpected{m.error()};
    return rsp::Ok{};
  }
};

}  // namespace

Bytes transaction_id_tlv(ByteView transaction_id) { return encode(0x80, transaction_id); }

Es9WireRequest asn1_request(Tag function_tag, ByteView members) {
  Bytes body = encode(kProvisioningTag, encode(function_tag, members));
  return {kPath, kContentType, std::string(body.begin(), body.end())};
}

Bytes OkMembers::next(Tag tag, bool with_header) {
  if (problem_) return {};
  if (index_ >= members_.size() || members_[index_].tag != tag) {
    problem_ = "member " + rsp::to_hex(rsp::tlv::encode_tag(tag)) + " missing or out of order";
    return {};
  }
  ByteView part = with_header ? members_[index_].whole : members_[index_].value;
  ++index_;
  return Bytes(part.begin(), part.end());
}

Es9Result<OkMembers> open_asn1_answer(Es9Function function, Tag alternative_tag, std::span<const ErrorName> errors,
                                      const std::string& body) {
  ByteView bytes(reinterpret_cast<const uint8_t*>(body.data()), body.size());
  auto outer = rsp::tlv::read(bytes);
  if (!outer || outer->tag != kProvisioningTag || outer->whole.size() != bytes.size())
    return es9_protocol_error(function, "the body is not one RemoteProfileProvisioningResponse ('A2')");
  auto alternative = rsp::tlv::read(outer->value);
  if (!alternative || alternative->tag != alternative_tag)
    return es9_protocol_error(function, "the response is not the function's");
  // Some encoders write the alternative's tag twice ('A2 BF40 BF40 ...', X.680 says once): taken either way.
  if (auto inner = rsp::tlv::read(alternative->value);
      inner && inner->tag == alternative_tag && inner->whole.size() == alternative->value.size())
    alternative = inner;
  auto choice = rsp::tlv::read(alternative->value);
  if (!choice) return es9_protocol_error(function, "the response names neither result nor error");
  if (choice->tag == 0x81) {
    int code = 0;
    for (uint8_t b : choice->value.first(std::min<size_t>(choice->value.size(), 4))) code = code * 256 + b;
    for (const ErrorName& e : errors)
      if (e.value == code)
        return es9_function_error(function, "Failed", std::string(e.subject), std::string(e.reason),
                                  std::string(e.name));
    return es9_function_error(function, "Failed", "", "",
                              "error " + std::to_string(code) + (code == 127 ? " (undefinedError)" : ""));
  }
  if (choice->tag != 0xA0) return es9_protocol_error(function, "the response names neither result nor error");
  auto members = rsp::tlv::read_all(choice->value);
  if (!members) return es9_protocol_error(function, "the result's members: " + members.error().message);
  return OkMembers(std::move(*members));
}

Es9Result<InitiateAuthenticationResponse> asn1_initiate_authentication_answer(const std::string& body,
                                                                              std::span<const ErrorName> errors) {
  auto ok = open_asn1_answer(Es9Function::initiate_authentication, 0xBF39, errors, body);
  if (!ok) return rsp::Unexpected{ok.error()};
  return initiate_authentication_members(*ok);
}

Es9Result<InitiateAuthenticationResponse> initiate_authentication_members(OkMembers& ok) {
  using T = InitiateAuthenticationResponse;
  return take_members<T>(Es9Function::initiate_authentication, ok,
                         {{0x80, &T::transaction_id, false},
                          {0x30, &T::server_signed1},
                          {0x5F37, &T::server_signature1},
                          {0x04, &T::euicc_ci_pkid_to_be_used},
                          {0x30, &T::server_certificate}});
}

Es9Result<AuthenticateClientResponse> authenticate_client_members(OkMembers& ok) {
  using T = AuthenticateClientResponse;
  return take_members<T>(Es9Function::authenticate_client, ok,
                         {{0x80, &T::transaction_id, false},
                          {0xBF25, &T::profile_metadata},
                          {0x30, &T::smdp_signed2},
                          {0x5F37, &T::smdp_signature2},
                          {0x30, &T::smdp_certificate}});
}

Es9Result<GetBoundProfilePackageResponse> get_bound_profile_package_members(OkMembers& ok) {
  using T = GetBoundProfilePackageResponse;
  return take_members<T>(Es9Function::get_bound_profile_package, ok,
                         {{0x80, &T::transaction_id, false}, {0xBF36, &T::bound_profile_package}});
}

std::shared_ptr<const Es9Wire> es9_asn1_wire() { return std::make_shared<Asn1Wire>(); }

}  // namespace ipa
