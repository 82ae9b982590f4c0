// SGP.22 v2.5 §5.6 ES9+ over HTTPS: addressing, headers (§6.5.1), retries, traffic; the wire form
// of each function is the binding's (es9plus_json.cpp, es9plus_asn1.cpp).
#include "ipa/es9plus_client.hpp"

#include <algorithm>
#include <thread>

#include "es9plus_wire.hpp"

namespace ipa {

namespace {

rsp::Unexpected<Es9Error> transport_error(Es9Function function, std::string message, int attempts) {
  Es9Error e;
  e.kind = Es9Error::Kind::transport;
  e.function = function;
  e.message = std::move(message);
  e.attempts = attempts;
  return {std::move(e)};
}

// A refused certificate or a TLS set-up problem will not go away by asking again.
bool worth_retrying(const std::string& transport_failure) {
  return !transport_failure.starts_with("TLS certificate verification failed") &&
         !transport_failure.starts_with("TLS set-up failed");
}

// Gateways and overloaded front ends answer these without having run the function.
bool transient_status(int http_status) { return http_status == 502 || http_status == 503 || http_status == 504; }

}  // namespace

rsp::Expected<Es9PlusClient> Es9PlusClient::create(std::string smdp_address, Es9ClientOptions options) {
  if (smdp_address.empty()) return rsp::fail("no SM-DP+ address");
  if (smdp_address.find_first_of("/?#@ ") != std::string::npos)
    return rsp::fail("an SM-DP+ address is a host name, not a URL: " + smdp_address);
  auto http = rsp::http::Client::create(options.http);
  if (!http) return rsp::Unexpected{http.error()};
  std::string base_url = "https://" + smdp_address;
  if (options.port) base_url += ":" + std::to_string(*options.port);
  if (options.binding == Es9Binding::esipa_asn1 || options.binding == Es9Binding::esipa_json) {
    if (options.relay.empty() || options.relay.find_first_of("/?#@ ") != std::string::npos)
      return rsp::fail("the ESipa bindings need the eIM's address (host[:port]): '" + options.relay + "'");
    base_url = "https://" + options.relay;
    use_esipa_headers(options);
  }
  return Es9PlusClient(std::move(smdp_address), std::move(base_url), std::move(*http), std::move(options));
}

Es9PlusClient::Es9PlusClient(std::string address, std::string base_url, rsp::http::Client http,
                             Es9ClientOptions options)
    : address_(std::move(address)),
      base_url_(std::move(base_url)),
      http_(std::move(http)),
      options_(std::move(options)),
      wire_(options_.binding == Es9Binding::asn1         ? es9_asn1_wire()
            : options_.binding == Es9Binding::esipa_asn1 ? es9_esipa_wire(false, options_.minimize_esipa_bytes)
            : options_.binding == Es9Binding::esipa_json ? es9_esipa_wire(true, options_.minimize_esipa_bytes)
                                                         : es9_json_wire()) {}

Es9Result<std::string> Es9PlusClient::exchange(Es9Function function, const Es9WireRequest& request, bool retryable) {
  rsp::http::ClientRequest http_request;
  http_request.url = base_url_ + request.path;
  http_request.headers = {{"Content-Type", request.content_type},
                          {"X-Admin-Protocol", options_.admin_protocol},
                          {"User-Agent", options_.user_agent}};
  http_request.body = request.body;
  int attempts_allowed = retryable ? std::max(1, options_.transport_attempts) : 1;
  const int expected_status = function == Es9Function::handle_notification ? 204 : 200;

  for (int attempt = 1;; ++attempt) {
    ++traffic_.exchanges;
    traffic_.bytes_sent += request.body.size();
    auto answer = http_.send(http_request);
    bool last = attempt >= attempts_allowed;
    if (!answer) {
      if (last || !worth_retrying(answer.error().message))
        return transport_error(function, answer.error().message, attempt);
    } else {
      traffic_.bytes_received += answer->body.size();
      traffic_.header_bytes_sent += answer->wire.header_bytes_sent;
      traffic_.header_bytes_received += answer->wire.header_bytes_received;
      traffic_.tls_bytes_sent += answer->wire.tls_bytes_sent;
      traffic_.tls_bytes_received += answer->wire.tls_bytes_received;
      if (answer->status == expected_status) return std::move(answer->body);
      if (last || !transient_status(answer->status)) {
        Es9Error e;
        e.kind = Es9Error::Kind::protocol;
        e.function = function;
        e.http_status = answer->status;
        e.attempts = attempt;
        e.message = "expected HTTP " + std::to_string(expected_status) + ": " + answer->body.substr(0, 200);
        return rsp::Unexpected{std::move(e)};
      }
    }
    std::this_thread::sleep_for(options_.retry_delay);
  }
}

Es9Result<InitiateAuthenticationResponse> Es9PlusClient::initiate_authentication(
    const InitiateAuthenticationRequest& request) {
  // SGP.22 v2.5 §3.1.3: the LPA may start the authentication again; the SM-DP+ opens a new session.
  auto body = exchange(Es9Function::initiate_authentication, wire_->initiate_authentication(request), true);
  if (!body) return rsp::Unexpected{body.error()};
  return wire_->initiate_authentication_answer(*body);
}

Es9Result<AuthenticateClientResponse> Es9PlusClient::authenticate_client(ByteView transaction_id,
                                                                         ByteView authenticate_server_response) {
  auto body = exchange(Es9Function::authenticate_client,
                       wire_->authenticate_client(transaction_id, authenticate_server_response), false);
  if (!body) return rsp::Unexpected{body.error()};
  return wire_->authenticate_client_answer(*body);
}

Es9Result<GetBoundProfilePackageResponse> Es9PlusClient::get_bound_profile_package(ByteView transaction_id,
                                                                                   ByteView prepare_download_response) {
  // The same transactionId and otPK.EUICC again gets the same package (SGP.22 v2.5 §5.6.2).
  auto body = exchange(Es9Function::get_bound_profile_package,
                       wire_->get_bound_profile_package(transaction_id, prepare_download_response), true);
  if (!body) return rsp::Unexpected{body.error()};
  return wire_->get_bound_profile_package_answer(*body);
}

Es9Result<rsp::Ok> Es9PlusClient::handle_notification(ByteView pending_notification) {
  // Not repeated here: a notification left on the card is sent again by the next run.
  auto body = exchange(Es9Function::handle_notification, wire_->handle_notification(pending_notification), false);
  if (!body) return rsp::Unexpected{body.error()};
  return rsp::Ok{};
}

Es9Result<rsp::Ok> Es9PlusClient::cancel_session(ByteView transaction_id, ByteView cancel_session_response) {
  auto body =
      exchange(Es9Function::cancel_session, wire_->cancel_session(transaction_id, cancel_session_response), false);
  if (!body) return rsp::Unexpected{body.error()};
  return wire_->cancel_session_answer(*body);
}

}  // namespace ipa
