// SGP.22 v2.5 §6.5 the JSON binding of ES9+, client side: one path per function, base64 for the
// DER objects, hex for transactionId, and header.functionExecutionStatus in every 200 answer.
#include "es9plus_json.hpp"

namespace ipa {

namespace {

Es9WireRequest request(Es9Function function, const json& body) { return json_request(function, body); }

std::string b64(ByteView bytes) { return rsp::to_base64(bytes); }

// One field of a function's output: its JSON name, where it goes, hex (transactionId) or base64.
template <class T>
struct Field {
  const char* name;
  Bytes T::*member;
  bool hex = false;
};

template <class T>
Es9Result<T> decode(Es9Function function, const std::string& body, std::initializer_list<Field<T>> fields) {
  JsonAnswer a(function, body);
  if (auto failed = a.failure()) return *failed;
  T out;
  for (const auto& f : fields) out.*f.member = f.hex ? a.hex(f.name) : a.base64(f.name);
  return a.result(std::move(out));
}

class JsonWire final : public Es9Wire {
 public:
  Es9WireRequest initiate_authentication(const InitiateAuthenticationRequest& r) const override {
    return request(Es9Function::initiate_authentication, {{"smdpAddress", r.smdp_address},
                                                          {"euiccChallenge", b64(r.euicc_challenge)},
                                                          {"euiccInfo1", b64(r.euicc_info1)}});
  }
  Es9WireRequest authenticate_client(ByteView transaction_id, ByteView authenticate_server_response) const override {
    return request(Es9Function::authenticate_client,
                   {{"transactionId", rsp::to_hex(transaction_id)},
                    {"authenticateServerResponse", b64(authenticate_server_response)}});
  }
  Es9WireRequest get_bound_profile_package(ByteView transaction_id, ByteView prepare_download_response) const override {
    return request(
        Es9Function::get_bound_profile_package,
        {{"transactionId", rsp::to_hex(transaction_id)}, {"prepareDownloadResponse", b64(prepare_download_response)}});
  }
  Es9WireRequest handle_notification(ByteView pending_notification) const override {
    return request(Es9Function::handle_notification, {{"pendingNotification", b64(pending_notification)}});
  }
  Es9WireRequest cancel_session(ByteView transaction_id, ByteView cancel_session_response) const override {
    return request(Es9Function::cancel_session, {{"transactionId", rsp::to_hex(transaction_id)},
                                                 {"cancelSessionResponse", b64(cancel_session_response)}});
  }

  Es9Result<InitiateAuthenticationResponse> initiate_authentication_answer(const std::string& body) const override {
    using T = InitiateAuthenticationResponse;
    return decode<T>(Es9Function::initiate_authentication, body,
                     {{"transactionId", &T::transaction_id, true},
                      {"serverSigned1", &T::server_signed1},
                      {"serverSignature1", &T::server_signature1},
                      {"euiccCiPKIdToBeUsed", &T::euicc_ci_pkid_to_be_used},
                      {"serverCertificate", &T::server_certificate}});
  }
  Es9Result<AuthenticateClientResponse> authenticate_client_answer(const std::string& body) const override {
    using T = AuthenticateClientResponse;
    return decode<T>(Es9Function::authenticate_client, body,
                     {{"transactionId", &T::transaction_id, true},
                      {"profileMetadata", &T::profile_metadata},
                      {"smdpSigned2", &T::smdp_signed2},
                      {"smdpSignature2", &T::smdp_signature2},
                      {"smdpCertificate", &T::smdp_certificate}});
  }
  Es9Result<GetBoundProfilePackageResponse> get_bound_profile_package_answer(const std::string& body) const override {
    using T = GetBoundProfilePackageResponse;
    return decode<T>(Es9Function::get_bound_profile_package, body,
                     {{"transactionId", &T::transaction_id, true}, {"boundProfilePackage", &T::bound_profile_package}});
  }
  Es9Result<rsp::Ok> cancel_session_answer(const std::string& body) const override {
    JsonAnswer a(Es9Function::cancel_session, body);
    if (auto failed = a.failure()) return *failed;
    return rsp::Ok{};
  }
};

}  // namespace

Es9WireRequest json_request(Es9Function function, const json& body) {
  return {std::string("/gsma/rsp2/es9plus/") + es9_function_name(function), "application/json", body.dump()};
}

JsonAnswer::JsonAnswer(Es9Function function, const std::string& body) : function_(function) {
  body_ = json::parse(body, nullptr, false);
  if (body_.is_discarded() || !body_.is_object()) problem_ = "the body is not a JSON object";
}

std::optional<rsp::Unexpected<Es9Error>> JsonAnswer::failure() const {
  if (problem_) return es9_protocol_error(function_, *problem_);
  const json* status = at({"header", "functionExecutionStatus"});
  if (!status || !status->is_object() || !status->contains("status") || !(*status)["status"].is_string())
    return es9_protocol_error(function_, "no header.functionExecutionStatus.status");
  std::string value = (*status)["status"];
  if (value == "Executed-Success" || value == "Executed-WithWarning") return std::nullopt;
  const json data = status->value("statusCodeData", json::object());
  auto text = [&](const char* name) {
    return data.contains(name) && data[name].is_string() ? data[name].get<std::string>() : "";
  };
  auto e = es9_function_error(function_, value, text("subjectCode"), text("reasonCode"), text("message"));
  e.error.subject_identifier = text("subjectIdentifier");
  return e;
}

const json* JsonAnswer::at(std::initializer_list<const char*> path) const {
  const json* node = &body_;
  for (const char* key : path) {
    if (!node->is_object() || !node->contains(key)) return nullptr;
    node = &(*node)[key];
  }
  return node;
}

std::shared_ptr<const Es9Wire> es9_json_wire() { return std::make_shared<JsonWire>(); }

}  // namespace ipa
