// SGP.22 v2.5 §5.8 ES11 over HTTPS: the ES9+ client's exchange (addressing, headers, TLS, retries,
// traffic) with ES11's answers read by the binding's Es11Wire.
#include "ipa/es11_client.hpp"

#include <algorithm>

#include "es11_wire.hpp"

namespace ipa {

namespace {

template <class T>
Es9Result<T> from_smds(Es9Result<T> result) {
  if (result) return result;
  Es9Error e = result.error();
  e.es11 = true;
  return rsp::Unexpected{std::move(e)};
}

}  // namespace

rsp::Expected<Es11Client> Es11Client::create(std::string smds_address, Es9ClientOptions options) {
  if (smds_address.empty()) return rsp::fail("no SM-DS address");
  // An SM-DS answers a few hundred bytes per Event Record; much more is not an SM-DS.
  options.http.response_limit = std::min(options.http.response_limit, kEs11ResponseLimit);
  auto wire = options.binding == Es9Binding::asn1 ? es11_asn1_wire() : es11_json_wire();
  auto http = Es9PlusClient::create(std::move(smds_address), std::move(options));
  if (!http) return rsp::Unexpected{http.error()};
  return Es11Client(std::move(*http), std::move(wire));
}

// SGP.22 v2.5 §5.8.1 ES11.InitiateAuthentication
Es9Result<InitiateAuthenticationResponse> Es11Client::initiate_authentication(
    const InitiateAuthenticationRequest& request) {
  auto body =
      http_.exchange(Es9Function::initiate_authentication, wire_->requests().initiate_authentication(request), true);
  if (!body) return from_smds<InitiateAuthenticationResponse>(rsp::Unexpected{body.error()});
  return from_smds(wire_->initiate_authentication_answer(*body));
}

// SGP.22 v2.5 §5.8.2 ES11.AuthenticateClient: sent once (the SM-DS's session ends with it).
Es9Result<AuthenticateClientResponseEs11> Es11Client::authenticate_client(ByteView transaction_id,
                                                                          ByteView authenticate_server_response) {
  auto body =
      http_.exchange(Es9Function::authenticate_client,
                     wire_->requests().authenticate_client(transaction_id, authenticate_server_response), false);
  if (!body) return from_smds<AuthenticateClientResponseEs11>(rsp::Unexpected{body.error()});
  return from_smds(wire_->authenticate_client_answer(*body));
}

std::optional<std::string> event_field_problem(const std::string& name, const std::string& value) {
  if (value.empty()) return name + " is empty";
  if (value.size() > kMaxEventFieldLength)
    return name + " is longer than " + std::to_string(kMaxEventFieldLength) + " bytes";
  if (std::any_of(value.begin(), value.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; }))
    return name + " holds control characters";
  return std::nullopt;
}

}  // namespace ipa
