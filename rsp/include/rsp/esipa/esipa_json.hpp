#pragma once
// SGP.32 v1.2 §6.4 the JSON binding of ESipa as a translation of the ASN.1 binding's messages
// (FACTS §8): the eIM and the IPA work on DER EsipaMessageFromIpaToEim / EsipaMessageFromEimToIpa
// alternatives only, and these four functions stand between them and the JSON bodies.
//
// Every DER in and out is checked against the schema; bodies over kMaxBodySize and JSON nested
// deeper than kMaxJsonDepth are refused before anything is built. Errors are values, never
// exceptions.
#include <cstddef>
#include <string>
#include <string_view>

#include "rsp/bytes.hpp"
#include "rsp/esipa/esipa.hpp"
#include "rsp/expected.hpp"

namespace rsp::esipa {

inline constexpr size_t kMaxBodySize = 1024 * 1024;  // JSON bodies and DER messages alike
inline constexpr int kMaxJsonDepth = 4;              // header.functionExecutionStatus.statusCodeData is 3

// IPA side: a request (an EsipaMessageFromIpaToEim alternative) as the JSON body of its function,
// which request_function(der) names.
rsp::Expected<std::string> request_to_json(rsp::ByteView der);
// IPA side: the eIM's JSON answer of `f` as the EsipaMessageFromEimToIpa alternative the ASN.1
// binding would carry; a Failed status becomes the function's ASN.1 error value by the mapping
// tables (unknown codes: undefinedError 127). handleNotification: empty bytes (an empty body is
// fine; a Failed one is an error).
rsp::Expected<rsp::Bytes> response_from_json(Function f, std::string_view body);

// eIM side: the JSON request body of `f` as the EsipaMessageFromIpaToEim alternative.
rsp::Expected<rsp::Bytes> request_from_json(Function f, std::string_view body);
// eIM side: the DER answer (an EsipaMessageFromEimToIpa alternative of `f`) as the JSON body
// {"header":{"functionExecutionStatus":{...}}, members...}; ASN.1 error values become Failed with
// statusCodeData by the mapping tables, but noEimPackageAvailable travels as the member
// eimPackageError 1 under Executed-Success. handleNotification has no answer: `der` must be
// empty and the body is empty (HTTP 204).
rsp::Expected<std::string> response_to_json(Function f, rsp::ByteView der);

}  // namespace rsp::esipa
