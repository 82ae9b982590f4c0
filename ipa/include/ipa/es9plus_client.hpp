#pragma once
// SGP.22 v2.5 §5.6 ES9+ client: the IPA's calls to one SM-DP+ over HTTPS (rsp_http, libcurl), in the
// JSON binding (§6.5: POST /gsma/rsp2/es9plus/<function>) or the ASN.1 binding (§6.6: POST
// /gsma/rsp2/asn1). The server certificate must chain to a configured CA, normally the GSMA CI
// (SGP.22 v2.5 §2.6.6); only ClientOptions::insecure_lab_only turns that off, and the caller warns.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "ipa/es9plus_messages.hpp"
#include "rsp/http/client.hpp"

namespace ipa {

// json / asn1: ES9+ straight to the SM-DP+. esipa_asn1 / esipa_json: the indirect profile download
// (SGP.32 v1.2), the same steps as ESipa messages to the eIM named by Es9ClientOptions::relay.
enum class Es9Binding { json, asn1, esipa_asn1, esipa_json };

class Es9Wire;  // the binding's form of each function (src/es9plus_wire.hpp)
struct Es9WireRequest;

struct Es9ClientOptions {
  // Trusted CAs (e.g. a PKI's <curve>/ci.pem), timeouts, insecure_lab_only.
  rsp::http::ClientOptions http;
  Es9Binding binding = Es9Binding::json;
  std::string admin_protocol = "gsma/rsp/v2.5.0";  // X-Admin-Protocol (§6.5.1.2); "gsma/rsp/v2.2.0" also served
  std::string user_agent = "open-rsp-ipa/0.1";
  // Where the SM-DP+ listens when not on 443 (lab set-ups). The address in the requests and the
  // one serverSigned1 must name stay the SM-DP+ address without it.
  std::optional<uint16_t> port;
  // The ESipa bindings: the eIM's "fqdn[:port]" every request goes to (its TLS certificate checked
  // against `http`'s CAs); the SM-DP+ address inside the messages stays the SM-DP+'s, and
  // X-Admin-Protocol / User-Agent become ESipa's.
  std::string relay;
  // With `relay`: the eUICC's answers in the compact forms of SGP.32 v1.2 minimizeEsipaBytes
  // (AuthenticateServerResponse without CERT.EUM, PrepareDownloadResponse and CancelSessionResponse
  // without what the eIM's session knows); the eIM rebuilds the full ones for the SM-DP+.
  bool minimize_esipa_bytes = false;
  // Exchanges tried for the functions the spec lets the IPA repeat after a transport failure
  // (initiateAuthentication re-run, getBoundProfilePackage with the same transactionId); the
  // others are sent once. A refused server certificate is never retried.
  int transport_attempts = 3;
  std::chrono::milliseconds retry_delay{500};
};

// ES9+ traffic of a client: HTTP bodies (bytes_*), HTTP headers (request and status lines
// included), and apart from both the TLS records that carried them on the wire, handshakes included
// (rsp::http::ClientResponse's counts).
struct Es9Traffic {
  uint64_t exchanges = 0;
  uint64_t bytes_sent = 0;
  uint64_t bytes_received = 0;
  uint64_t header_bytes_sent = 0;
  uint64_t header_bytes_received = 0;
  uint64_t tls_bytes_sent = 0;
  uint64_t tls_bytes_received = 0;
};

// Not thread-safe (it counts its traffic); one download drives one client.
class Es9PlusClient {
 public:
  // `smdp_address`: the FQDN from the activation code (or a notification's address), optionally
  // with ":port". Errors: unreadable CA files, an empty address.
  static rsp::Expected<Es9PlusClient> create(std::string smdp_address, Es9ClientOptions options);

  // SGP.22 v2.5 §5.6.1 ES9+.InitiateAuthentication
  Es9Result<InitiateAuthenticationResponse> initiate_authentication(const InitiateAuthenticationRequest& request);
  // SGP.22 v2.5 §5.6.3 ES9+.AuthenticateClient
  Es9Result<AuthenticateClientResponse> authenticate_client(ByteView transaction_id,
                                                            ByteView authenticate_server_response);
  // SGP.22 v2.5 §5.6.2 ES9+.GetBoundProfilePackage
  Es9Result<GetBoundProfilePackageResponse> get_bound_profile_package(ByteView transaction_id,
                                                                      ByteView prepare_download_response);
  // SGP.22 v2.5 §5.6.4 ES9+.HandleNotification: a ProfileInstallationResult ('BF37') or an
  // OtherSignedNotification ('30'). The SM-DP+ answers 204 whatever it made of it.
  Es9Result<rsp::Ok> handle_notification(ByteView pending_notification);
  // SGP.22 v2.5 §5.6.5 ES9+.CancelSession with the eUICC's signed CancelSessionResponse ('BF41').
  Es9Result<rsp::Ok> cancel_session(ByteView transaction_id, ByteView cancel_session_response);

  // The address as given (what initiateAuthentication sends), and the base URL it calls.
  const std::string& smdp_address() const { return address_; }
  const std::string& base_url() const { return base_url_; }
  const Es9Traffic& traffic() const { return traffic_; }

 private:
  friend class Es11Client;  // ES11 goes over the same HTTP binding, retries and traffic count
  Es9PlusClient(std::string address, std::string base_url, rsp::http::Client http, Es9ClientOptions options);
  // One function over HTTP, with the retries `retryable` allows: the body of the expected answer
  // (200, or 204 for handleNotification).
  Es9Result<std::string> exchange(Es9Function function, const Es9WireRequest& request, bool retryable);

  std::string address_;
  std::string base_url_;
  rsp::http::Client http_;
  Es9ClientOptions options_;
  std::shared_ptr<const Es9Wire> wire_;
  Es9Traffic traffic_;
};

}  // namespace ipa
