#pragma once
// The two bindings of ES9+ (SGP.22 v2.5 §6.5 JSON, §6.6 ASN.1) as the client uses them: each
// function's request as an HTTP body, and the answer's body back into the binding-free messages.
#include <memory>
#include <string>

#include "ipa/es9plus_client.hpp"

namespace ipa {

struct Es9WireRequest {
  std::string path;  // "/gsma/rsp2/es9plus/initiateAuthentication", "/gsma/rsp2/asn1"
  std::string content_type;
  std::string body;
};

class Es9Wire {
 public:
  virtual ~Es9Wire() = default;

  virtual Es9WireRequest initiate_authentication(const InitiateAuthenticationRequest& request) const = 0;
  virtual Es9WireRequest authenticate_client(ByteView transaction_id, ByteView authenticate_server_response) const = 0;
  virtual Es9WireRequest get_bound_profile_package(ByteView transaction_id,
                                                   ByteView prepare_download_response) const = 0;
  virtual Es9WireRequest handle_notification(ByteView pending_notification) const = 0;
  virtual Es9WireRequest cancel_session(ByteView transaction_id, ByteView cancel_session_response) const = 0;

  // The body of a 200 answer: the function's output, or its failure with the SM-DP+'s codes.
  virtual Es9Result<InitiateAuthenticationResponse> initiate_authentication_answer(const std::string& body) const = 0;
  virtual Es9Result<AuthenticateClientResponse> authenticate_client_answer(const std::string& body) const = 0;
  virtual Es9Result<GetBoundProfilePackageResponse> get_bound_profile_package_answer(const std::string& body) const = 0;
  virtual Es9Result<rsp::Ok> cancel_session_answer(const std::string& body) const = 0;
};

std::shared_ptr<const Es9Wire> es9_json_wire();
std::shared_ptr<const Es9Wire> es9_asn1_wire();
// SGP.32 v1.2 ESipa to the eIM (es9plus_esipa.cpp): the ASN.1 or the JSON binding, and its headers;
// `minimize`: the compact forms (minimizeEsipaBytes).
std::shared_ptr<const Es9Wire> es9_esipa_wire(bool json_binding, bool minimize = false);
void use_esipa_headers(Es9ClientOptions& options);

// An answer that is not what the binding defines.
inline rsp::Unexpected<Es9Error> es9_protocol_error(Es9Function function, std::string message) {
  Es9Error e;
  e.kind = Es9Error::Kind::protocol;
  e.function = function;
  e.message = std::move(message);
  e.http_status = 200;
  return {std::move(e)};
}

// The SM-DP+'s refusal, with its codes.
inline rsp::Unexpected<Es9Error> es9_function_error(Es9Function function, std::string status, std::string subject_code,
                                                    std::string reason_code, std::string message) {
  Es9Error e;
  e.kind = Es9Error::Kind::function;
  e.function = function;
  e.status = std::move(status);
  e.subject_code = std::move(subject_code);
  e.reason_code = std::move(reason_code);
  e.message = std::move(message);
  e.http_status = 200;
  return {std::move(e)};
}

}  // namespace ipa
