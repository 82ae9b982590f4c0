// SGP.32 v1.2 the indirect profile download, IPA side: the ES9+ steps sent as ESipa messages to
// the eIM, which calls the SM-DP+ (FACTS §5.1 "Indirect profile download"). The ASN.1 binding
// POSTs the DER EsipaMessageFromIpaToEim to /gsma/rsp2/asn1; the JSON binding is rsp_esipa's
// translation of the same DER, per function path. The smdpAddress inside stays the SM-DP+'s. The
// eIM's error values come back as the subject/reason codes of the mapping (status_codes.hpp), so
// a refusal reads as in a direct download. With minimizeEsipaBytes the eUICC's answers go in their
// compact forms (esipa_compact.hpp); the eIM rebuilds the full ones.
#include "es9plus_asn1.hpp"
#include "esipa_compact.hpp"
#include "rsp/esipa/esipa_json.hpp"
#include "rsp/esipa/status_codes.hpp"

namespace ipa {

namespace {

using rsp::esipa::Function;
using rsp::tlv::encode;

// The ESipa function that carries an ES9+ function.
Function esipa_function(Es9Function f) {
  switch (f) {
    case Es9Function::initiate_authentication: return Function::initiate_authentication;
    case Es9Function::authenticate_client: return Function::authenticate_client;
    case Es9Function::get_bound_profile_package: return Function::get_bound_profile_package;
    case Es9Function::cancel_session: return Function::cancel_session;
    case Es9Function::handle_notification: break;
  }
  return Function::handle_notification;
}

long integer_of(ByteView contents) {
  long value = !contents.empty() && (contents[0] & 0x80) ? -1 : 0;
  for (uint8_t b : contents.first(std::min<size_t>(contents.size(), 4))) value = value * 256 + b;
  return value;
}

class EsipaWire final : public Es9Wire {
 public:
  EsipaWire(bool json_binding, bool minimize) : json_(json_binding), minimize_(minimize) {}

  // ESipa.InitiateAuthentication: euiccInfo1 always sent (no compact form).
  Es9WireRequest initiate_authentication(const InitiateAuthenticationRequest& r) const override {
    return message(Function::initiate_authentication,
                   encode(0xBF39, rsp::concat({encode(0x81, r.euicc_challenge),
                                               encode(0x83, rsp::to_bytes(r.smdp_address)), r.euicc_info1})));
  }
  // ESipa.AuthenticateClient: the eUICC's BF38 unchanged, or CompactAuthenticateResponseOk.
  Es9WireRequest authenticate_client(ByteView transaction_id, ByteView authenticate_server_response) const override {
    Bytes card = minimize_ ? esipa_compact::authenticate_server_response(authenticate_server_response)
                           : Bytes(authenticate_server_response.begin(), authenticate_server_response.end());
    return message(Function::authenticate_client,
                   encode(0xBF3B, rsp::concat({transaction_id_tlv(transaction_id), card})));
  }
  // ESipa.GetBoundProfilePackage: the eUICC's BF21 unchanged, or CompactPrepareDownloadResponseOk.
  Es9WireRequest get_bound_profile_package(ByteView transaction_id, ByteView prepare_download_response) const override {
    Bytes card = minimize_ ? esipa_compact::prepare_download_response(prepare_download_response)
                           : Bytes(prepare_download_response.begin(), prepare_download_response.end());
    return message(Function::get_bound_profile_package,
                   encode(0xBF3A, rsp::concat({transaction_id_tlv(transaction_id), card})));
  }
  // ESipa.HandleNotification: the PendingNotification inside '[0]'; a ProfileInstallationResult as
  // CompactProfileInstallationResult with minimizeEsipaBytes.
  Es9WireRequest handle_notification(ByteView pending_notification) const override {
    Bytes pending = minimize_ ? esipa_compact::profile_installation_result(pending_notification)
                              : Bytes(pending_notification.begin(), pending_notification.end());
    return message(Function::handle_notification, encode(0xBF3D, encode(0xA0, pending)));
  }
  // ESipa.CancelSession: the eUICC's BF41 is an untagged member, so automatic tagging makes it
  // '[1]' (A1) around the same contents; CompactCancelSessionResponseOk with minimizeEsipaBytes.
  Es9WireRequest cancel_session(ByteView transaction_id, ByteView cancel_session_response) const override {
    auto card_answer = rsp::tlv::read(cancel_session_response);
    Bytes contents = minimize_     ? esipa_compact::cancel_session_response_contents(cancel_session_response)
                     : card_answer ? Bytes(card_answer->value.begin(), card_answer->value.end())
                                   : Bytes{};
    return message(Function::cancel_session,
                   encode(0xBF41, rsp::concat({transaction_id_tlv(transaction_id), encode(0xA1, contents)})));
  }

  Es9Result<InitiateAuthenticationResponse> initiate_authentication_answer(const std::string& body) const override {
    return answer(Es9Function::initiate_authentication, body, initiate_authentication_members);
  }
  Es9Result<AuthenticateClientResponse> authenticate_client_answer(const std::string& body) const override {
    return answer(Es9Function::authenticate_client, body, authenticate_client_members);
  }
  Es9Result<GetBoundProfilePackageResponse> get_bound_profile_package_answer(const std::string& body) const override {
    return answer(Es9Function::get_bound_profile_package, body, get_bound_profile_package_members);
  }
  Es9Result<rsp::Ok> cancel_session_answer(const std::string& body) const override {
    return answer(Es9Function::cancel_session, body, [](OkMembers&) -> Es9Result<rsp::Ok> { return rsp::Ok{}; });
  }

 private:
  // A message the JSON translation refuses (it failed the schema) goes as an empty body: the eIM
  // refuses it with HTTP 400, which is the error the download then reports.
  Es9WireRequest message(Function f, const Bytes& der) const {
    if (!json_)
      return {std::string(rsp::esipa::kAsn1Path), std::string(rsp::esipa::kAsn1ContentType),
              std::string(der.begin(), der.end())};
    auto body = rsp::esipa::request_to_json(der);
    return {std::string(rsp::esipa::kJsonPathPrefix) + std::string(rsp::esipa::function_name(f)),
            std::string(rsp::esipa::kJsonContentType), body ? std::move(*body) : std::string()};
  }

  // The eIM's answer as the DER EsipaMessageFromEimToIpa alternative: its Ok members, or its error
  // value as the function's Failed status with the mapping's codes. The members point into `der`.
  Es9Result<OkMembers> open(Es9Function es9, const std::string& body, Bytes& der) const {
    const Function f = esipa_function(es9);
    der.assign(body.begin(), body.end());
    if (json_) {
      auto translated = rsp::esipa::response_from_json(f, body);
      if (!translated) return es9_protocol_error(es9, "the eIM's answer: " + translated.error().message);
      der = std::move(*translated);
    }
    auto outer = rsp::tlv::read(der);
    if (!outer || outer->tag != rsp::esipa::message_tag(f) || outer->whole.size() != der.size())
      return es9_protocol_error(es9, "the eIM's answer is not the function's ESipa response");
    auto choice = rsp::tlv::read(outer->value);
    if (choice && choice->tag == rsp::esipa::error_tag(f)) {
      long value = integer_of(choice->value);
      auto status = rsp::esipa::failure_for(f, value);
      return es9_function_error(es9, "Failed", status.subject_code, status.reason_code,
                                status.message + " (from the eIM)");
    }
    if (!choice || choice->tag != 0xA0)
      return es9_protocol_error(es9, "the eIM's answer is neither the SM-DP+'s result nor an error");
    auto members = rsp::tlv::read_all(choice->value);
    if (!members) return es9_protocol_error(es9, "the result's members: " + members.error().message);
    return OkMembers(std::move(*members));
  }

  // The answer's Ok members read by `members`.
  template <class Read>
  auto answer(Es9Function es9, const std::string& body, Read members) const
      -> decltype(members(std::declval<OkMembers&>())) {
    Bytes der;
    auto ok = open(es9, body, der);
    if (!ok) return rsp::Unexpected{ok.error()};
    return members(*ok);
  }

  bool json_;
  bool minimize_;
};

}  // namespace

std::shared_ptr<const Es9Wire> es9_esipa_wire(bool json_binding, bool minimize) {
  return std::make_shared<EsipaWire>(json_binding, minimize);
}

void use_esipa_headers(Es9ClientOptions& options) {
  options.admin_protocol = std::string(rsp::esipa::kAdminProtocol);
  options.user_agent = std::string(rsp::esipa::kUserAgent);
}

}  // namespace ipa
