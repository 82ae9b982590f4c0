#pragma once
// SGP.32 v1.2 ESipa messages the IPA sends and reads (FACTS §5.1; asn1/modules/sgp32-definitions.asn),
// as DER. Every message built here and every answer read here is checked against the schema
// (EsipaMessageFromIpaToEim / EsipaMessageFromEimToIpa) first; the eUICC's own TLVs (EuiccPackageResult,
// ProfileInstallationResult, notifications) travel byte for byte.
#include <optional>
#include <string>
#include <vector>

#include "rsp/bytes.hpp"
#include "rsp/expected.hpp"

namespace ipa::esipa {

using rsp::Bytes;
using rsp::ByteView;

// SGP.32 v1.2 §6.3.2.1 ESipa.GetEimPackage: BF4F { 5A eid, 80 notifyStateChange?, 81 stateChangeCause? }.
rsp::Expected<Bytes> get_eim_package_request(ByteView eid, std::optional<long> state_change_cause = std::nullopt);

// What the eIM answered GetEimPackage with.
struct EimPackage {
  enum class Kind {
    euicc_package_request,
    ipa_euicc_data_request,
    profile_download_trigger_request,
    eim_package_error
  };
  Kind kind = Kind::eim_package_error;
  Bytes tlv;                   // the package as received: BF51 / BF52 / BF54
  long eim_package_error = 0;  // noEimPackageAvailable 1, eidNotFound 2, invalidEid 3, missingEid 4, undefinedError 127
};
rsp::Expected<EimPackage> read_get_eim_package_response(ByteView der);
const char* eim_package_kind_name(EimPackage::Kind kind);  // "euiccPackageRequest", ...
std::string eim_package_error_name(long code);             // "noEimPackageAvailable", or the number
constexpr long kNoEimPackageAvailable = 1;

// SGP.32 v1.2 §6.3.2.2 ESipa.ProvideEimPackageResult: BF50 { 5A eid, EimPackageResult }, with the
// result (BF51 / BF52 / BF54 / A0 error) as one whole TLV.
rsp::Expected<Bytes> provide_eim_package_result(ByteView eid, ByteView eim_package_result);
// EimPackageResultResponseError A0 { 80 eimTransactionId?, 02 code }: invalidPackageFormat 1,
// unknownPackage 2, undefinedError 127.
Bytes eim_package_result_error(const std::optional<Bytes>& eim_transaction_id, long code);

struct ProvideEimPackageResultAnswer {
  std::vector<long> acknowledged;  // EimAcknowledgements' seqNumbers (empty for emptyResponse)
  std::optional<long> error;       // provideEimPackageResultError: eidNotFound 2, invalidEid 3, missingEid 4, 127
};
rsp::Expected<ProvideEimPackageResultAnswer> read_provide_eim_package_result_response(ByteView der);
std::string provide_eim_package_result_error_name(long code);

// What identifies an EuiccPackageRequest (BF51) in logs and error results.
struct EuiccPackageSummary {
  std::string eim_id;
  long counter_value = 0;
  std::optional<Bytes> eim_transaction_id;
};
rsp::Expected<EuiccPackageSummary> read_euicc_package_request(ByteView bf51);
// The seqNumber of a signed EuiccPackageResult (BF51 { A0 { 30 { ... 83 seqNumber ... } } }), if any.
std::optional<long> euicc_package_result_seq_number(ByteView bf51);

// IpaEuiccDataRequest (BF52), already checked by read_get_eim_package_response.
struct IpaEuiccDataRequest {
  std::vector<uint32_t> tags;  // tagList, in order
  std::optional<Bytes> euicc_ci_pkid;
  std::optional<long> notification_seq_number;
  std::optional<int> notification_event;  // NotificationEvent bit
  std::optional<long> euicc_package_result_seq_number;
  std::optional<Bytes> eim_transaction_id;
};
rsp::Expected<IpaEuiccDataRequest> read_ipa_euicc_data_request(ByteView bf52);
// IpaEuiccDataResponse BF52 { A0 { members } }: `members` are whole TLVs in the schema's order.
rsp::Expected<Bytes> ipa_euicc_data_response(ByteView members);
// BF52 { A1 { 80 eimTransactionId?, 02 code } }: incorrectTagList 1, euiccCiPKIdNotFound 5, 127.
Bytes ipa_euicc_data_error(const std::optional<Bytes>& eim_transaction_id, long code);

// ProfileDownloadTriggerRequest (BF54).
struct ProfileDownloadTrigger {
  enum class Kind { none, activation_code, contact_default_smdp, contact_smds };
  Kind kind = Kind::none;
  std::string activation_code;
  std::optional<std::string> smds_address;  // contactSmds; absent: the eUICC's root SM-DS
  std::optional<Bytes> eim_transaction_id;
};
rsp::Expected<ProfileDownloadTrigger> read_profile_download_trigger_request(ByteView bf54);
// ProfileDownloadTriggerResult BF54 { 82 eimTransactionId?, BF37 ProfileInstallationResult }.
rsp::Expected<Bytes> profile_download_trigger_result(const std::optional<Bytes>& eim_transaction_id,
                                                     ByteView profile_installation_result);
// BF54 { 82 eimTransactionId?, 30 { 80 reason, 04 errorResponse? } }: ecallActive 104, undefinedError 127.
rsp::Expected<Bytes> profile_download_trigger_error(const std::optional<Bytes>& eim_transaction_id, long reason,
                                                    const std::optional<Bytes>& error_response = std::nullopt);

}  // namespace ipa::esipa
