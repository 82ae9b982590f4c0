#include "status_codes.hpp"

#include <string_view>

#include "rsp/server/json_request.hpp"

namespace rsp::esipa {

namespace {

using F = Function;

struct Row {
  F function;
  int value;
  std::string_view name;
  std::string_view subject, reason;
};

// The first row of a value is what the eIM sends; every row is read on input. Where FACTS has no
// code for a value, the nearest SGP.22 ES9+/ES11 pair is used: eventIdUnknown as ES11's unknown
// Event (8.9.5/3.9), undefinedError as "function provider: execution error" (1.2/4.2).
constexpr Row kRows[] = {
    // InitiateAuthentication: SGP.32 Table 9a and the ES9+ / ES11 codes passed through
    {F::initiate_authentication, 1, "invalidDpAddress", "8.8.1", "3.8"},
    {F::initiate_authentication, 2, "euiccVersionNotSupportedByDp", "8.8.3", "3.1"},
    {F::initiate_authentication, 3, "ciPKIdNotSupported", "8.8.2", "3.1"},
    {F::initiate_authentication, 50, "smdpAddressMismatch", "8.8.1", "3.10"},
    {F::initiate_authentication, 51, "smdpOidMismatch", "8.8", "3.10"},
    {F::initiate_authentication, 52, "invalidEimTransactionId", "8.31.2", "3.10"},
    {F::initiate_authentication, 3, "ciPKIdNotSupported", "8.8.4", "3.7"},
    {F::initiate_authentication, 1, "invalidDpAddress", "8.9.1", "3.8"},
    {F::initiate_authentication, 3, "ciPKIdNotSupported", "8.9.2", "3.1"},
    {F::initiate_authentication, 2, "euiccVersionNotSupportedByDp", "8.9.3", "3.1"},
    {F::initiate_authentication, 3, "ciPKIdNotSupported", "8.9.4", "3.7"},
    // AuthenticateClient: the ES9+ codes and SGP.32 Table 13a
    {F::authenticate_client, 1, "eumCertificateInvalid", "8.1.2", "6.1"},
    {F::authenticate_client, 2, "eumCertificateExpired", "8.1.2", "6.3"},
    {F::authenticate_client, 3, "euiccCertificateInvalid", "8.1.3", "6.1"},
    {F::authenticate_client, 4, "euiccCertificateExpired", "8.1.3", "6.3"},
    {F::authenticate_client, 5, "euiccSignatureInvalid", "8.1", "6.1"},
    {F::authenticate_client, 6, "matchingIdRefused", "8.2.6", "3.8"},
    {F::authenticate_client, 7, "eidMismatch", "8.1.1", "3.8"},
    {F::authenticate_client, 8, "noEligibleProfile", "8.2.5", "4.3"},
    {F::authenticate_client, 9, "ciPKUnknown", "8.11.1", "3.9"},
    {F::authenticate_client, 10, "invalidTransactionId", "8.10.1", "3.9"},
    {F::authenticate_client, 11, "insufficientMemory", "8.1", "4.8"},
    {F::authenticate_client, 50, "pprNotAllowed", "8.2.8", "1.2"},
    {F::authenticate_client, 56, "eventIdUnknown", "8.9.5", "3.9"},
    // GetBoundProfilePackage: the ES9+ codes and SGP.32 Table 11a
    {F::get_bound_profile_package, 1, "euiccSignatureInvalid", "8.1", "6.1"},
    {F::get_bound_profile_package, 2, "confirmationCodeMissing", "8.2.7", "2.2"},
    {F::get_bound_profile_package, 3, "confirmationCodeRefused", "8.2.7", "3.8"},
    {F::get_bound_profile_package, 4, "confirmationCodeRetriesExceeded", "8.2.7", "6.4"},
    {F::get_bound_profile_package, 5, "bppRebindingRefused", "8.2", "3.7"},
    {F::get_bound_profile_package, 6, "downloadOrderExpired", "8.8.5", "4.10"},
    {F::get_bound_profile_package, 50, "metadataMismatch", "8.2.9", "3.11"},
    {F::get_bound_profile_package, 95, "invalidTransactionId", "8.10.1", "3.9"},
    // CancelSession: the ES9+ codes
    {F::cancel_session, 1, "invalidTransactionId", "8.10.1", "3.9"},
    {F::cancel_session, 2, "euiccSignatureInvalid", "8.1", "6.1"},
    // GetEimPackage: SGP.32 Table 18 (noEimPackageAvailable leaves the eIM as the member eimPackageError)
    {F::get_eim_package, 1, "noEimPackageAvailable", "8.1.1", "3.7"},
    {F::get_eim_package, 2, "eidNotFound", "8.1.1", "3.9"},
    {F::get_eim_package, 3, "invalidEid", "8.1.1", "2.1"},
    {F::get_eim_package, 4, "missingEid", "8.1.1", "2.2"},
    // ProvideEimPackageResult: SGP.32 Table 21
    {F::provide_eim_package_result, 2, "eidNotFound", "8.1.1", "3.9"},
    {F::provide_eim_package_result, 3, "invalidEid", "8.1.1", "2.1"},
    {F::provide_eim_package_result, 4, "missingEid", "8.1.1", "2.2"},
};

const Row* row_of(Function f, long value) {
  for (const Row& r : kRows)
    if (r.function == f && r.value == value) return &r;
  return nullptr;
}

}  // namespace

server::FunctionStatus failure_for(Function f, long value) {
  if (const Row* r = row_of(f, value))
    return server::FunctionStatus::failure(std::string(r->subject), std::string(r->reason), std::string(r->name));
  return server::FunctionStatus::failure(server::subject::function_provider, server::reason::execution_error,
                                         error_name(f, value));
}

int error_value(Function f, const std::string& subject_code, const std::string& reason_code) {
  for (const Row& r : kRows)
    if (r.function == f && r.subject == subject_code && r.reason == reason_code) return r.value;
  return kUndefinedError;
}

std::string error_name(Function f, long value) {
  if (const Row* r = row_of(f, value)) return std::string(r->name);
  if (value == kUndefinedError) return "undefinedError";
  return "error " + std::to_string(value);
}

}  // namespace rsp::esipa
