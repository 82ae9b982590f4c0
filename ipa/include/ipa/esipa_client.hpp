#pragma once
// SGP.32 v1.2 ESipa client (IPA -> eIM) over HTTPS (rsp_http, libcurl): the IPA hands it DER
// messages (EsipaMessageFromIpaToEim) and gets the eIM's DER answers (EsipaMessageFromEimToIpa).
// ASN.1 binding: POST /gsma/rsp2/asn1 with the DER as body (FACTS §5.1); JSON binding: POST
// /gsma/rsp2/esipa/<function> with rsp_esipa's translation (FACTS §8). The eIM's TLS certificate
// is always verified, against the CAs in the options (from the eIM's trustedPublicKeyDataTls or
// configuration).
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "ipa/es9plus_client.hpp"
#include "rsp/bytes.hpp"
#include "rsp/esipa/esipa.hpp"
#include "rsp/expected.hpp"
#include "rsp/http/client.hpp"

namespace ipa {

using rsp::Bytes;
using rsp::ByteView;

enum class EsipaBinding { asn1, json };
const char* esipa_binding_name(EsipaBinding binding);  // "asn1", "json"

struct EsipaClientOptions {
  rsp::http::ClientOptions http;  // trusted CAs and timeouts; insecure_lab_only is refused
  EsipaBinding binding = EsipaBinding::asn1;
  // Exchanges tried after transport failures (no answer, or 502/503/504 from a front end),
  // waiting retry_delay, then twice as long each time (at most max_retry_delay), with up to half
  // of it added at random so that many devices do not come back in step.
  int transport_attempts = 3;
  std::chrono::milliseconds retry_delay{500};
  std::chrono::milliseconds max_retry_delay{8'000};
  size_t response_limit = 1024 * 1024;  // a larger answer is refused
};

struct EsipaError {
  enum class Kind {
    transport,  // no answer: cannot connect, TLS refused (untrusted eIM), timed out
    protocol,   // an answer that is not ESipa: unexpected HTTP status or content
  };
  Kind kind = Kind::transport;
  int http_status = 0;  // 0 when no answer came
  int attempts = 1;
  std::string message;  // one line for people
};

// ESipa traffic of a client, counted as ES9+'s: HTTP bodies only.
using EsipaTraffic = Es9Traffic;

// Not thread-safe (it counts its traffic); one poll round drives one client.
class EsipaClient {
 public:
  // `eim_address`: the eimFqdn, optionally with ":port". Errors: an empty or URL-shaped address,
  // unreadable CA files, verification turned off.
  static rsp::Expected<EsipaClient> create(std::string eim_address, EsipaClientOptions options);

  // One ESipa function: the DER request out, the eIM's DER answer back (empty for
  // handleNotification, which the eIM answers with 200 or 204 and no body).
  rsp::Expected<Bytes, EsipaError> call(ByteView der_request);

  const std::string& eim_address() const { return address_; }
  EsipaBinding binding() const { return options_.binding; }
  const EsipaTraffic& traffic() const { return traffic_; }

 private:
  EsipaClient(std::string address, rsp::http::Client http, EsipaClientOptions options);
  std::chrono::milliseconds backoff(int attempt) const;
  // The DER an answer's body carries: itself (ASN.1), or its translation (JSON).
  rsp::Expected<Bytes, EsipaError> answer_der(rsp::esipa::Function function, const std::string& body,
                                              int attempt) const;

  std::string address_;
  rsp::http::Client http_;
  EsipaClientOptions options_;
  EsipaTraffic traffic_;
};

}  // namespace ipa
