#pragma once
// SGP.32 v1.2 §6.1 ESipa (IPA <-> eIM): the functions, their names on the JSON binding and the
// HTTP constants both bindings share. The ASN.1 binding POSTs every message to one path; the JSON
// binding has one path per function (FACTS §5.1, §8.1).
#include <optional>
#include <string_view>

#include "rsp/bytes.hpp"
#include "rsp/tlv.hpp"

namespace rsp::esipa {

enum class Function {
  initiate_authentication,
  authenticate_client,
  get_bound_profile_package,
  cancel_session,
  handle_notification,
  get_eim_package,
  provide_eim_package_result
};

// The JSON path segment: "initiateAuthentication", ..., "getEimPackage", "provideEimPackageResult".
std::string_view function_name(Function f);
std::optional<Function> function_named(std::string_view name);
// Which function an EsipaMessageFromIpaToEim (DER) is, from its tag (BF39 ... BF50); nullopt for
// anything else, TransferEimPackageResponse (BF4E, the answer to a push) included.
std::optional<Function> request_function(rsp::ByteView der);
// The tag of f's request and response messages (BF39 ... BF50), and of its response's INTEGER
// error alternative (81; 82 for authenticateClient; 02 for getEimPackage and
// provideEimPackageResult; 0 for handleNotification, which has no response).
rsp::tlv::Tag message_tag(Function f);
rsp::tlv::Tag error_tag(Function f);

inline constexpr std::string_view kAsn1Path = "/gsma/rsp2/asn1";
inline constexpr std::string_view kJsonPathPrefix = "/gsma/rsp2/esipa/";
inline constexpr std::string_view kAsn1ContentType = "application/x-gsma-rsp-asn1";
inline constexpr std::string_view kJsonContentType = "application/json;charset=UTF-8";
inline constexpr std::string_view kAdminProtocol = "gsma/rsp/v2.1.0";
inline constexpr std::string_view kUserAgent = "gsma-rsp-ipad";

// A User-Agent an IPA sends (v1.2 CR111005): "gsma-rsp-ipad" or "gsma-rsp-ipae", optionally
// followed by "; free text".
bool ipa_user_agent(std::string_view value);

}  // namespace rsp::esipa
