#pragma once
// ES11 (SGP.22 v2.5 §5.8), device -> SM-DS, independent of the binding: the eUICC authenticates
// the SM-DS as it does an SM-DP+ (Common Mutual Authentication, §3.1.2, through
// rsp/common_mutual_authentication.hpp), and the SM-DS answers with the Event Records of the
// authenticated eUICC's EID (an empty list is a success).
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "rsp/bytes.hpp"
#include "rsp/expected.hpp"
#include "rsp/server/function_status.hpp"
#include "smds/ds_credentials.hpp"
#include "smds/event_store.hpp"

namespace smds {

using rsp::server::FunctionStatus;
template <class T>
using Es11Result = rsp::Expected<T, FunctionStatus>;

struct Es11Settings {
  std::string smds_address;        // the FQDN this SM-DS answers as (serverSigned1)
  int64_t session_lifetime = 600;  // seconds from initiateAuthentication
  int64_t max_pending_sessions = 10000;
  int max_event_entries = 32;         // Event Records in one answer
  std::function<int64_t()> now;       // unix seconds; default time()
  std::set<std::string> faults = {};  // SmdsConfig::faults (conformance harness only)
  bool fault(const std::string& name) const { return faults.count(name) != 0; }
};

struct Es11InitiateAuthenticationRequest {
  rsp::Bytes euicc_challenge;  // 16 bytes
  rsp::Bytes euicc_info1;      // BF20 TLV
  std::string smds_address;    // as the device called it
};
struct Es11InitiateAuthenticationResponse {
  std::string transaction_id;           // upper-case hex
  rsp::Bytes server_signed1;            // 30 TLV
  rsp::Bytes server_signature1;         // 5F37 TLV
  rsp::Bytes euicc_ci_pkid_to_be_used;  // 04 TLV
  rsp::Bytes server_certificate;        // CERT.DSauth, DER
};
struct Es11AuthenticateClientRequest {
  std::string transaction_id;
  rsp::Bytes authenticate_server_response;  // BF38 TLV
};
struct EventEntry {
  std::string event_id;
  std::string rsp_server_address;
  bool operator==(const EventEntry&) const = default;
};
struct Es11AuthenticateClientResponse {
  std::string transaction_id;
  std::vector<EventEntry> event_entries;  // first registered first
};

class Es11 {
 public:
  Es11(EventStore& store, const DsIdentity& identity, Es11Settings settings);

  // SGP.22 v2.5 §5.8.1 ES11.InitiateAuthentication
  Es11Result<Es11InitiateAuthenticationResponse> initiate_authentication(
      const Es11InitiateAuthenticationRequest& request);
  // SGP.22 v2.5 §5.8.2 ES11.AuthenticateClient
  Es11Result<Es11AuthenticateClientResponse> authenticate_client(const Es11AuthenticateClientRequest& request);

 private:
  EventStore& store_;
  const DsIdentity& identity_;
  Es11Settings settings_;
};

}  // namespace smds
