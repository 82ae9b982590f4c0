#pragma once
// The eIM's side of ESipa (SGP.32 v1.2), independent of the binding: one DER
// EsipaMessageFromIpaToEim in, one DER EsipaMessageFromEimToIpa out (none for HandleNotification),
// both checked against the schema. GetEimPackage hands out the device's queued packages (each
// once), ProvideEimPackageResult / HandleNotification take the results back, which count only
// once the eUICC's signature verifies under one of the PKI's CIs. The HTTP face (ASN.1 binding,
// and the JSON binding through rsp_esipa) sits on top of handle().
#include <cstdint>
#include <functional>
#include <set>
#include <string>

#include "eim/indirect_download.hpp"
#include "eim/store.hpp"
#include "rsp/bytes.hpp"
#include "rsp/crypto/certificate_chain.hpp"

namespace eim {

using rsp::ByteView;

struct EsipaSettings {
  std::string eim_id;                          // this eIM's eimId (for the log; devices carry the one they know)
  rsp::crypto::TrustedCis cis;                 // the CIs CERT.EUM must chain to
  std::function<int64_t()> clock;              // unix seconds; empty: the system clock
  IndirectDownloadSettings indirect_download;  // relaying ES9+ to SM-DP+s (TLS under `cis`)
  std::set<std::string> faults = {};           // EimConfig::faults (conformance harness only)
  bool fault(const std::string& name) const { return faults.count(name) != 0; }
};

struct EsipaReply {
  Bytes der_response;        // EsipaMessageFromEimToIpa; empty for HandleNotification and refusals
  std::string function;      // "GetEimPackage", "ProvideEimPackageResult", "HandleNotification", ... ("unknown")
  std::string eid;           // as the request named it (32 digits), or ""
  std::string outcome;       // for logs and metrics: "delivered", "noEimPackageAvailable", "executed", "refused", ...
  std::string message;       // for the log: what happened, never keys
  int http_status = 200;     // 200 with a body, 204 without (HandleNotification), 400 malformed, 500 store failure
  int results_verified = 0;  // eUICC-signed results that verified in this call
  int results_refused = 0;   // results that did not (unsigned, forged, unknown package)
};

class Esipa {
 public:
  Esipa(EimStore& store, EsipaSettings settings);

  // One ESipa call. Malformed input changes nothing and gets http_status 400.
  EsipaReply handle(ByteView der_request);

 private:
  int64_t now() const;

  EimStore& store_;
  EsipaSettings settings_;
};

}  // namespace eim
