#pragma once
// SGP.22 v2.5 §5.8 ES11 client: the IPA's event retrieval at an SM-DS. The eUICC authenticates the
// SM-DS as it does an SM-DP+ (initiateAuthentication, then authenticateClient with the card's
// AuthenticateServerResponse); the answer is the list of Event Records for the card's EID. Both
// bindings: JSON on the ES9+ paths (POST /gsma/rsp2/es9plus/initiateAuthentication and
// .../authenticateClient, as lpac sends to the root SM-DSs) and ASN.1 (A2 { BF39 } / A2 { BF3B }
// answered A2 { BF40 AuthenticateClientResponseEs11 }). The HTTP exchange, TLS checks, retries
// and traffic count are the ES9+ client's. Failures are Es9Error values with es11 set; the SM-DS's
// status codes (8.9.x, 8.10.1, ...) travel in them as sent.
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "ipa/es9plus_client.hpp"

namespace ipa {

// SGP.22 v2.5 §5.8.2 EventEntries: where to go (an SM-DP+, or an alternative SM-DS) with which EventID.
struct EventEntry {
  std::string event_id;
  std::string rsp_server_address;
};

// What one SM-DS answer may hold at most: more Event Records are dropped (counted), a longer
// field makes the answer malformed; a body above kEs11ResponseLimit is a transport error.
constexpr size_t kMaxEventEntries = 100;
constexpr size_t kMaxEventFieldLength = 255;  // an FQDN's limit; EventIDs are matchingIds (shorter)
constexpr size_t kEs11ResponseLimit = 256 * 1024;

// SGP.22 v2.5 §5.8.2 AuthenticateClientOkEs11. No Event Record is an empty list, not a failure.
struct AuthenticateClientResponseEs11 {
  Bytes transaction_id;
  std::vector<EventEntry> event_entries;  // in the SM-DS's order (first registered first)
  size_t dropped_entries = 0;             // beyond kMaxEventEntries
};

// The binding's form of ES11's answers (src/es11_wire.hpp).
class Es11Wire;

class Es11Client {
 public:
  // `smds_address`: the SM-DS FQDN (the eUICC's rootDsAddress, or an alternative SM-DS from an
  // Event Record). options.port: where it listens when not on 443.
  static rsp::Expected<Es11Client> create(std::string smds_address, Es9ClientOptions options);

  // SGP.22 v2.5 §5.8.1 ES11.InitiateAuthentication
  Es9Result<InitiateAuthenticationResponse> initiate_authentication(const InitiateAuthenticationRequest& request);
  // SGP.22 v2.5 §5.8.2 ES11.AuthenticateClient
  Es9Result<AuthenticateClientResponseEs11> authenticate_client(ByteView transaction_id,
                                                                ByteView authenticate_server_response);

  const std::string& smds_address() const { return http_.smdp_address(); }
  const Es9Traffic& traffic() const { return http_.traffic(); }

 private:
  Es11Client(Es9PlusClient http, std::shared_ptr<const Es11Wire> wire)
      : http_(std::move(http)), wire_(std::move(wire)) {}
  Es9PlusClient http_;
  std::shared_ptr<const Es11Wire> wire_;
};

}  // namespace ipa
