#pragma once
// The SM-DP+ reached over HTTPS with the ES9+ JSON binding (SGP.22 v2.5 §6.5.2), as a device's
// LPA reaches `smdp serve`: POST <url>/gsma/rsp2/es9plus/<function>, the server certificate
// checked against the given CI.
#include <nlohmann/json.hpp>

#include <atomic>
#include <memory>
#include <string>

#include "download_relay.hpp"
#include "rsp/crypto/certificate.hpp"
#include "rsp/http/client.hpp"

namespace smdp_bench {

class HttpsEs9 final : public Es9Endpoint {
 public:
  // `base_url`: https://HOST:PORT
  static rsp::Expected<HttpsEs9> create(const std::string& base_url, const rsp::crypto::Certificate& ci);

  smdp::Es9Result<smdp::InitiateAuthenticationResponse> initiate_authentication(
      const smdp::InitiateAuthenticationRequest& request) override;
  smdp::Es9Result<smdp::AuthenticateClientResponse> authenticate_client(
      const smdp::AuthenticateClientRequest& request) override;
  smdp::Es9Result<smdp::GetBoundProfilePackageResponse> get_bound_profile_package(
      const smdp::GetBoundProfilePackageRequest& request) override;
  smdp::FunctionStatus handle_notification(rsp::ByteView pending_notification) override;

  // TCP connections (each with its TLS handshake) opened so far; kept-alive ones are reused.
  size_t connections_opened() const { return *connections_opened_; }

 private:
  HttpsEs9(rsp::http::Client client, std::string base_url)
      : client_(std::move(client)), base_url_(std::move(base_url)) {}
  rsp::Expected<nlohmann::json, smdp::FunctionStatus> call(const std::string& function, const nlohmann::json& body,
                                                           int expected_http_status = 200);
  rsp::http::Client client_;
  std::string base_url_;
  std::unique_ptr<std::atomic<size_t>> connections_opened_ = std::make_unique<std::atomic<size_t>>(0);
};

}  // namespace smdp_bench
