#pragma once
// The eIM's side of eUICC Packages (SGP.32 v1.2 §2.11, §5.9.x ES10b.LoadEuiccPackage): building a
// signed EuiccPackageRequest (BF51) for one eUICC, and verifying the EuiccPackageResult that comes
// back (its schema, the eUICC's certificate chain, its signature, and that it answers the request).
#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include "rsp/bytes.hpp"
#include "rsp/crypto/certificate_chain.hpp"
#include "rsp/crypto/keys.hpp"
#include "rsp/expected.hpp"

namespace eim {

using rsp::Bytes;
using rsp::ByteView;

// One PSMO or eCO, as its DER TLV; `eco` says which list it belongs in.
struct Operation {
  Bytes der;
  bool eco = false;
};

namespace psmo {
Operation enable(const std::string& iccid, bool rollback = false);
Operation disable(const std::string& iccid);
Operation remove(const std::string& iccid);  // "delete"
// ProfileInfoListRequest contents (searchCriteria, tagList), empty for every profile and tag.
Operation list_profile_info(ByteView request_contents = {});
Operation get_rat();
// `smdp_oid`: the OBJECT IDENTIFIER contents (no tag and length).
Operation configure_immediate_enable(bool immediate_enable, const std::optional<Bytes>& smdp_oid = std::nullopt,
                                     const std::optional<std::string>& smdp_address = std::nullopt);
Operation set_fallback_attribute(const std::string& iccid);
Operation unset_fallback_attribute();
Operation set_default_dp_address(const std::string& address);
}  // namespace psmo

namespace eco {
// `eim_configuration_data`: a DER EimConfigurationData (30 ...), checked against the schema.
Operation add_eim(ByteView eim_configuration_data);
Operation update_eim(ByteView eim_configuration_data);
Operation delete_eim(const std::string& eim_id);
Operation list_eim();
}  // namespace eco

// What the eIM sends one eUICC.
struct PackageRequest {
  std::string eim_id;
  Bytes eid;                   // 16 bytes
  uint64_t counter_value = 0;  // above the last one this eUICC accepted from this eIM
  std::optional<Bytes> eim_transaction_id;
  std::vector<Operation> operations;         // all PSMOs or all eCOs, at least one
  std::optional<int64_t> association_token;  // as the eUICC issued it; absent counts as 0
};

// The associationToken as it enters eimSignature, euiccSignEPR and euiccSignEPE: 84 L token
// (DER INTEGER contents), 0 when the eUICC issued none.
Bytes association_token_tlv(std::optional<int64_t> token);

// EuiccPackageRequest BF51 { euiccPackageSigned, 5F37 eimSignature }, signed with the eIM's key,
// validated against the SGP.32 v1.2 schema before it is returned.
rsp::Expected<Bytes> build_euicc_package_request(const PackageRequest& request, const rsp::crypto::PrivateKey& eim_key);

// The eUICC's credentials as the eIM knows them (GetCerts / IpaEuiccData), and the CIs it trusts.
struct EuiccTrust {
  rsp::crypto::Certificate euicc_certificate;
  rsp::crypto::Certificate eum_certificate;
  rsp::crypto::TrustedCis cis;
  time_t now = 0;  // 0: the current time
  // false only for the conformance harness's skip-result-signature-check fault (eim serve --fault).
  bool check_signature = true;
};

// One entry of euiccResult.
struct OperationResult {
  std::string operation;     // "enable", "disable", "delete", "listProfileInfo", ... "processingTerminated"
  std::optional<long> code;  // the result code, for operations that have one
  std::string code_name;     // its name in the schema ("ok", "iccidOrAidNotFound", ...), or the number
  std::optional<int64_t> association_token;  // addEim that issued one
  Bytes der;                                 // the whole entry as received (listProfileInfo, getRAT, listEim data)
};

enum class VerifyFailure {
  malformed,          // not an EuiccPackageResult by the schema
  unsigned_error,     // EuiccPackageErrorUnsigned: nobody vouches for it
  certificate_chain,  // CI -> EUM -> eUICC does not verify
  eid_mismatch,       // CERT.EUICC is not the request's eUICC
  bad_signature,      // euiccSignEPR / euiccSignEPE does not verify
  eim_id_mismatch,
  counter_mismatch,
  transaction_id_mismatch,
};
std::string_view verify_failure_name(VerifyFailure f);

struct PackageOutcome {
  enum class Kind { results, signed_error, failed } kind = Kind::failed;
  // results
  std::vector<OperationResult> results;
  std::optional<long> seq_number;
  // signed_error
  std::optional<long> error_code;
  std::string error_name;  // invalidEid, replayError, counterValueOutOfRange, ...
  // failed
  std::optional<VerifyFailure> failure;
  std::string message;

  // Every operation ran and answered ok (or data).
  bool all_ok() const;
};

// Verifies `response` (BF51 EuiccPackageResult) as the answer to `request`.
PackageOutcome verify_euicc_package_result(ByteView response, const PackageRequest& request, const EuiccTrust& trust);

}  // namespace eim
