#pragma once
// The two bindings of ES11 (SGP.22 v2.5 §6.5 JSON, §6.6 ASN.1): a request body in, the answer out.
// JSON: POST .../<function> with base64 DER fields, transactionId in hex, eventEntries always an
// array. ASN.1: POST /gsma/rsp2/asn1 with A2 { BF39 | BF3B }, answered A2 { BF39 } or
// A2 { BF40 AuthenticateClientResponseEs11 } (one tag, FACTS §7.2).
#include <optional>
#include <string>
#include <string_view>

#include "smds/es11.hpp"

namespace smds {

inline constexpr std::string_view kAsn1ContentType = "application/x-gsma-rsp-asn1";

struct Es11Reply {
  int http_status = 200;
  std::string body;            // JSON text, or DER bytes
  FunctionStatus status;       // for logs and metrics
  std::string function;        // "initiateAuthentication", "authenticateClient"; empty if unknown
  std::string transaction_id;  // when the request or answer names one, for logs
};

// nullopt for a function name ES11 does not have (the HTTP layer answers 404).
std::optional<Es11Reply> es11_json(Es11& es11, std::string_view function, std::string_view body);
Es11Reply es11_asn1(Es11& es11, rsp::ByteView body);

}  // namespace smds
