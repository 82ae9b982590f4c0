// SGP.32 v1.2 §6.1 ESipa over HTTPS: addressing, headers, retries with backoff, traffic. The ASN.1
// binding carries the DER as it is (FACTS §5.1); the JSON binding is rsp_esipa's translation of
// the same DER messages (FACTS §8).
#include "ipa/esipa_client.hpp"

#include <algorithm>
#include <random>
#include <thread>

#include "rsp/esipa/esipa.hpp"
#include "rsp/esipa/esipa_json.hpp"

namespace ipa {

namespace {

rsp::Unexpected<EsipaError> esipa_error(EsipaError::Kind kind, std::string message, int attempts, int http_status = 0) {
  return {EsipaError{kind, http_status, attempts, std::move(message)}};
}

// A refused certificate or a TLS set-up problem will not go away by asking again.
bool worth_retrying(const std::string& transport_failure) {
  return !transport_failure.starts_with("TLS certificate verification failed") &&
         !transport_failure.starts_with("TLS set-up failed");
}

bool transient_status(int http_status) { return http_status == 502 || http_status == 503 || http_status == 504; }

}  // namespace

const char* esipa_binding_name(EsipaBinding binding) { return binding == EsipaBinding::asn1 ? "asn1" : "json"; }

rsp::Expected<EsipaClient> EsipaClient::create(std::string eim_address, EsipaClientOptions options) {
  if (eim_address.empty()) return rsp::fail("no eIM address");
  if (eim_address.find_first_of("/?#@ ") != std::string::npos)
    return rsp::fail("an eIM address is a host name with an optional port, not a URL: " + eim_address);
  if (options.http.insecure_lab_only) return rsp::fail("the eIM's TLS certificate is always verified");
  options.http.response_limit = std::min(options.http.response_limit, options.response_limit);
  auto http = rsp::http::Client::create(options.http);
  if (!http) return rsp::Unexpected{http.error()};
  return EsipaClient(std::move(eim_address), std::move(*http), std::move(options));
}

EsipaClient::EsipaClient(std::string address, rsp::http::Client http, EsipaClientOptions options)
    : address_(std::move(address)), http_(std::move(http)), options_(std::move(options)) {}

std::chrono::milliseconds EsipaClient::backoff(int attempt) const {
  auto delay = options_.retry_delay;
  for (int i = 1; i < attempt && delay < options_.max_retry_delay; ++i) delay *= 2;
  delay = std::min(delay, options_.max_retry_delay);
  thread_local std::mt19937 random{std::random_device{}()};
  std::uniform_int_distribution<long> jitter(0, std::max<long>(0, delay.count() / 2));
  return delay + std::chrono::milliseconds(jitter(random));
}

rsp::Expected<Bytes, EsipaError> EsipaClient::call(ByteView der_request) {
  auto function = rsp::esipa::request_function(der_request);
  if (!function) return esipa_error(EsipaError::Kind::protocol, "not an ESipa request", 0);
  rsp::http::ClientRequest request;
  request.headers = {{"X-Admin-Protocol", std::string(rsp::esipa::kAdminProtocol)},
                     {"User-Agent", std::string(rsp::esipa::kUserAgent)}};
  if (options_.binding == EsipaBinding::asn1) {
    request.url = "https://" + address_ + std::string(rsp::esipa::kAsn1Path);
    request.headers.set("Content-Type", std::string(rsp::esipa::kAsn1ContentType));
    request.body.assign(der_request.begin(), der_request.end());
  } else {
    auto body = rsp::esipa::request_to_json(der_request);
    if (!body) return esipa_error(EsipaError::Kind::protocol, body.error().message, 0);
    request.url = "https://" + address_ + std::string(rsp::esipa::kJsonPathPrefix) +
                  std::string(rsp::esipa::function_name(*function));
    request.headers.set("Content-Type", std::string(rsp::esipa::kJsonContentType));
    request.body = std::move(*body);
  }
  const int attempts_allowed = std::max(1, options_.transport_attempts);

  for (int attempt = 1;; ++attempt) {
    ++traffic_.exchanges;
    traffic_.bytes_sent += request.body.size();
    auto answer = http_.send(request);
    const bool last = attempt >= attempts_allowed;
    if (!answer) {
      if (last || !worth_retrying(answer.error().message))
        return esipa_error(EsipaError::Kind::transport, answer.error().message, attempt);
    } else {
      traffic_.bytes_received += answer->body.size();
      if (answer->status == 200 || answer->status == 204) return answer_der(*function, answer->body, attempt);
      if (last || !transient_status(answer->status))
        return esipa_error(EsipaError::Kind::protocol, "the eIM answered HTTP " + std::to_string(answer->status),
                           attempt, answer->status);
    }
    std::this_thread::sleep_for(backoff(attempt));
  }
}

rsp::Expected<Bytes, EsipaError> EsipaClient::answer_der(rsp::esipa::Function function, const std::string& body,
                                                         int attempt) const {
  if (options_.binding == EsipaBinding::asn1) return Bytes(body.begin(), body.end());
  auto der = rsp::esipa::response_from_json(function, body);
  if (!der) return esipa_error(EsipaError::Kind::protocol, "the eIM's JSON answer: " + der.error().message, attempt);
  return std::move(*der);
}

}  // namespace ipa
