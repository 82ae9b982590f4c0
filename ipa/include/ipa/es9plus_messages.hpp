#pragma once
// SGP.22 v2.5 §5.6 ES9+ as the IPA sees it: what each function sends and returns, independent of
// the binding (JSON §6.5, ASN.1 §6.6), and how a call fails. Signed objects travel as the whole
// DER TLVs the eUICC produced or will take (serverSignature1 is the '5F37' TLV, not r||s).
#include <string>

#include "rsp/bytes.hpp"
#include "rsp/expected.hpp"

namespace ipa {

using rsp::Bytes;
using rsp::ByteView;

enum class Es9Function {
  initiate_authentication,
  authenticate_client,
  get_bound_profile_package,
  handle_notification,
  cancel_session
};

// The spec's name: "initiateAuthentication", ... (also the JSON binding's path element).
const char* es9_function_name(Es9Function function);

// Why an ES9+ call failed.
struct Es9Error {
  enum class Kind {
    transport,  // no answer: cannot connect, TLS refused (untrusted server), timed out
    function,   // the SM-DP+ answered that the function failed: status and codes below
    protocol,   // an answer that is not ES9+: unexpected HTTP status, body or missing field
  };
  Kind kind = Kind::transport;
  Es9Function function = Es9Function::initiate_authentication;
  std::string message;
  // Kind::function, as the SM-DP+ sent them (SGP.22 v2.5 §6.5.1.4 functionExecutionStatus), or
  // mapped from the ASN.1 binding's error enumeration (§6.6). Compared as strings: "3.1" != "3.10".
  std::string status;  // "Failed", "Expired"
  std::string subject_code;
  std::string reason_code;
  std::string subject_identifier;
  int http_status = 0;  // 0 when no answer came
  int attempts = 1;     // HTTP exchanges tried
  bool es11 = false;    // the call went to an SM-DS (ES11, SGP.22 v2.5 §5.8), not an SM-DP+

  bool is_transport() const { return kind == Kind::transport; }
  bool is_function() const { return kind == Kind::function; }
  // One line for people: "getBoundProfilePackage: Failed 8.2.7/3.8 (confirmation code refused)".
  std::string describe() const;
};

template <class T>
using Es9Result = rsp::Expected<T, Es9Error>;

// SGP.22 v2.5 §5.6.1
struct InitiateAuthenticationRequest {
  Bytes euicc_challenge;     // 16 bytes, from ES10b.GetEUICCChallenge
  Bytes euicc_info1;         // 'BF20', from ES10b.GetEUICCInfo
  std::string smdp_address;  // the address the IPA calls (from the activation code)
};
struct InitiateAuthenticationResponse {
  Bytes transaction_id;            // raw bytes (hex on the JSON wire)
  Bytes server_signed1;            // '30'
  Bytes server_signature1;         // '5F37'
  Bytes euicc_ci_pkid_to_be_used;  // '04'
  Bytes server_certificate;        // CERT.DPauth, '30'
};

// SGP.22 v2.5 §5.6.3
struct AuthenticateClientResponse {
  Bytes transaction_id;
  Bytes profile_metadata;  // StoreMetadataRequest 'BF25'
  Bytes smdp_signed2;      // '30'
  Bytes smdp_signature2;   // '5F37'
  Bytes smdp_certificate;  // CERT.DPpb, '30'
};

// SGP.22 v2.5 §5.6.2
struct GetBoundProfilePackageResponse {
  Bytes transaction_id;
  Bytes bound_profile_package;  // 'BF36'
};

}  // namespace ipa
