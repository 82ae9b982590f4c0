#pragma once
// SGP.22 v2.5 §3.1.2 Common Mutual Authentication, the server's part, shared by the SM-DP+ (ES9+)
// and the SM-DS (ES11): which CIs a session uses (from EUICCInfo1), serverSigned1, and the checks
// of the eUICC's AuthenticateServerResponse. Each failure is a kind; each server maps the kinds to
// its own subject and reason codes.
#include <ctime>
#include <functional>
#include <optional>
#include <string>

#include "rsp/bytes.hpp"
#include "rsp/crypto/certificate.hpp"
#include "rsp/crypto/certificate_chain.hpp"
#include "rsp/expected.hpp"

namespace rsp::authentication {

// The CIs of one session, each from its own list of EUICCInfo1 (§3.1.2): the server signs under
// `server_ci` (its DPauth/DSauth chains to it; from euiccCiPKIdListForVerification) and verifies
// the eUICC under `euicc_ci` (from euiccCiPKIdListForSigning; sent as euiccCiPKIdToBeUsed). A CI
// in both lists is preferred, so that both readings of euiccCiPKIdToBeUsed agree.
struct CiChoice {
  Bytes server_ci;  // SubjectKeyIdentifier
  Bytes euicc_ci;
};

enum class CiChoiceFailure {
  malformed,              // euiccInfo1 is not DER or lacks a member
  svn_not_supported,      // not an SGP.22 v2.x eUICC
  no_supported_ci,        // no CI of either list is known to the server
  no_credentials_for_ci,  // a CI of the verification list is known, but the server has no certificate under it
};

struct CiChoiceError {
  CiChoiceFailure kind;
  std::string message;  // for logs: what is wrong with euiccInfo1
};

// `euicc_info1` is checked (the codec's type and DER-like TLV) before it is read.
// `has_credentials(ski)`: the server holds an authentication certificate and key under that CI.
// `knows_ci(ski)`: the server can verify chains under that CI.
Expected<CiChoice, CiChoiceError> choose_cis(ByteView euicc_info1, const std::function<bool(ByteView)>& has_credentials,
                                             const std::function<bool(ByteView)>& knows_ci);

// serverSigned1 (§5.6.1 / §5.8.1): SEQUENCE { [0] transactionId, [1] euiccChallenge,
// [3] serverAddress, [4] serverChallenge }.
Bytes server_signed1(ByteView transaction_id, ByteView euicc_challenge, std::string_view server_address,
                     ByteView server_challenge);

// What the session expects the eUICC to have signed.
struct SessionExpectation {
  ByteView transaction_id;
  ByteView server_challenge;
  std::string_view server_address;
  ByteView euicc_ci;  // the CI the eUICC's chain must end at (CiChoice::euicc_ci)
  // false only for a conformance-harness fault (smds serve --fault skip-signature-check): a server
  // that does not check euiccSignature1, so that the harness can show its cases catch one.
  bool check_euicc_signature1 = true;
  // Likewise false only for the SM-DP+'s faults accept-any-challenge and skip-eid-range-check.
  bool check_transaction_id = true;  // euiccSigned1's transactionId the session's
  bool check_server_challenge = true;
  bool check_server_address = true;  // euiccSigned1's serverAddress the session's (fault skip-address-check)
  bool check_eid_range = true;       // CERT.EUICC's EID within the EUM's permitted range
  bool check_certificates = true;    // CERT.EUM and CERT.EUICC verified at all (fault skip-certificate-check)
};

enum class EuiccAuthenticationFailure {
  malformed,                // not DER, or a member missing
  refused_by_euicc,         // authenticateResponseError: the eUICC refused the server (code in `euicc_error`)
  unknown_ci,               // the EUM names a CI the server does not know at all
  eum_certificate_invalid,  // includes an EUM that does not chain to the session's CI
  eum_certificate_expired,
  euicc_certificate_invalid,
  euicc_certificate_expired,
  euicc_signature_invalid,  // euiccSignature1 does not verify
  transaction_id_mismatch,  // euiccSigned1 carries another transactionId
  server_challenge_mismatch,
  server_address_mismatch,
};

struct EuiccAuthenticationError {
  EuiccAuthenticationFailure kind;
  std::string message;   // for logs: what failed; never key material
  long euicc_error = 0;  // the AuthenticateErrorCode, for refused_by_euicc
};

// The authenticated eUICC: who it is and what it asked for.
struct AuthenticatedEuicc {
  std::string eid;  // from CERT.EUICC's subject serialNumber
  crypto::Certificate euicc_certificate;
  Bytes euicc_signed1;     // the whole TLV, as signed
  Bytes euicc_signature1;  // the 5F37 TLV (smdpSignature2 covers it)
  Bytes euicc_info2;       // the BF22 TLV, empty if absent
  Bytes ctx_params1;       // the A0 TLV
  // ctxParams1's matchingId: nullopt when the element is absent, "" when it is empty.
  std::optional<std::string> matching_id;
};

// SGP.22 v2.5 §5.6.2 / §5.8.2 the eUICC's AuthenticateServerResponse ('BF38') checked against the
// session: CI -> EUM -> eUICC under `expected.euicc_ci` (each position its own failure),
// euiccSignature1 over euiccSigned1 as received, then transactionId, serverChallenge, address.
// `cis` are all the CIs the server knows.
Expected<AuthenticatedEuicc, EuiccAuthenticationError> verify_authenticate_server_response(
    ByteView response, const SessionExpectation& expected, const crypto::TrustedCis& cis, time_t now);

}  // namespace rsp::authentication
