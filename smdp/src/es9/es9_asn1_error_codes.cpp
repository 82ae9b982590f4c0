#include "es9_asn1_error_codes.hpp"

#include <span>
#include <string_view>

namespace smdp::es9_asn1 {

namespace {

struct Code {
  std::string_view subject, reason;
  int value;
};

// InitiateAuthenticationResponse.initiateAuthenticationError. v2.5 names no undefinedError
// here (SGP.32's ESipa counterpart and later SGP.22 versions do); 127 is still a valid INTEGER,
// the one every other ES9+ enumeration uses for it. Having no DPauth under any CI the eUICC
// offers (8.8.4/3.7) is, for the eUICC, the same as none of its CIs being supported.
constexpr Code kInitiateAuthentication[] = {
    {"8.8.1", "3.8", 1},  // invalidDpAddress
    {"8.8.3", "3.1", 2},  // euiccVersionNotSupportedByDp
    {"8.8.2", "3.1", 3},  // ciPKNotSupported
    {"8.8.4", "3.7", 3},  // ciPKNotSupported
};

// AuthenticateClientResponseEs9.authenticateClientError
constexpr Code kAuthenticateClient[] = {
    {"8.1.2", "6.1", 1},    // eumCertificateInvalid
    {"8.1.2", "6.3", 2},    // eumCertificateExpired
    {"8.1.3", "6.1", 3},    // euiccCertificateInvalid
    {"8.1.3", "6.3", 4},    // euiccCertificateExpired
    {"8.1", "6.1", 5},      // euiccSignatureInvalid
    {"8.2.6", "3.8", 6},    // matchingIdRefused
    {"8.1.1", "3.8", 7},    // eidMismatch
    {"8.2.5", "4.3", 8},    // noEligibleProfile
    {"8.11.1", "3.9", 9},   // ciPKUnknown
    {"8.10.1", "3.9", 10},  // invalidTransactionId
    {"8.1", "4.8", 11},     // insufficientMemory
};

// GetBoundProfilePackageResponse.getBoundProfilePackageError
constexpr Code kGetBoundProfilePackage[] = {
    {"8.1", "6.1", 1},      // euiccSignatureInvalid
    {"8.2.7", "2.2", 2},    // confirmationCodeMissing
    {"8.2.7", "3.8", 3},    // confirmationCodeRefused
    {"8.2.7", "6.4", 4},    // confirmationCodeRetriesExceeded
    {"8.2", "3.7", 5},      // bppRebindingRefused
    {"8.8.5", "4.10", 6},   // downloadOrderExpired
    {"8.10.1", "3.9", 95},  // invalidTransactionId
};

// CancelSessionResponseEs9.cancelSessionError
constexpr Code kCancelSession[] = {
    {"8.10.1", "3.9", 1},  // invalidTransactionId
    {"8.1", "6.1", 2},     // euiccSignatureInvalid
};

std::span<const Code> table(Function function) {
  switch (function) {
    case Function::initiate_authentication: return kInitiateAuthentication;
    case Function::authenticate_client: return kAuthenticateClient;
    case Function::get_bound_profile_package: return kGetBoundProfilePackage;
    case Function::cancel_session: return kCancelSession;
  }
  return {};
}

}  // namespace

int error_code(Function function, const FunctionStatus& status) {
  for (const Code& c : table(function))
    if (c.subject == status.subject_code && c.reason == status.reason_code) return c.value;
  return kUndefinedError;
}

}  // namespace smdp::es9_asn1
