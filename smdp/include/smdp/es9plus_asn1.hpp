#pragma once
// The ASN.1 binding of ES9+ (SGP.22 v2.5 §6.6): the DER body of POST /gsma/rsp2/asn1, a
// RemoteProfileProvisioningRequest ('A2'), in; a RemoteProfileProvisioningResponse ('A2') out.
// One path serves every function: the request's CHOICE alternative names it. A refusal is the
// function's error alternative, an INTEGER of the module's enumeration (the subject/reason pair
// stays in `status`, for logs); the sibling of the JSON binding in es9plus_json.hpp.
#include <string>
#include <string_view>

#include "smdp/es9plus.hpp"

namespace smdp {

// Requests and answers carry this content type; the HTTP layer answers 415 to another one
// (as onomondo-eim does on the same binding of ESipa).
inline constexpr std::string_view kEs9Asn1Path = "/gsma/rsp2/asn1";
inline constexpr std::string_view kEs9Asn1ContentType = "application/x-gsma-rsp-asn1";

struct Es9Asn1Reply {
  // 200 with a response; 204 for handleNotification (no response type exists for it);
  // 400 for a body that names no ES9+ function, as there is no alternative to answer it with.
  int http_status = 200;
  Bytes body;                  // DER RemoteProfileProvisioningResponse; empty with 204 and 400
  FunctionStatus status;       // for logs and metrics
  std::string function;        // the spec's name ("initiateAuthentication", ...); empty with 400
  std::string transaction_id;  // upper-case hex, when the request or answer names one
};

Es9Asn1Reply es9plus_asn1(Es9Plus& es9, ByteView body);

}  // namespace smdp
