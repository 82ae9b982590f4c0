#pragma once
// The eIM Packages the IPA itself executes (internal to ipa_ipad): IpaEuiccDataRequest, answered
// from ES10 calls, and ProfileDownloadTriggerRequest, a direct ES9+ download.
#include <string>

#include "ipa/download.hpp"
#include "ipa/esipa_messages.hpp"
#include "ipa/ipad.hpp"
#include "ipa/sgp32_es10b.hpp"

namespace ipa::detail {

// Traffic of several exchanges (downloads, event retrievals) in one count.
inline void add_traffic(Es9Traffic& total, const Es9Traffic& more) {
  total.exchanges += more.exchanges;
  total.bytes_sent += more.bytes_sent;
  total.bytes_received += more.bytes_received;
}

struct IpaEuiccDataOutcome {
  Bytes response;       // IpaEuiccDataResponse (BF52): the data, or its error for the eIM
  std::string problem;  // why the error was answered; empty when the data was
};
// SGP.32 v1.2 IpaEuiccDataRequest: the members of its tagList (notificationsList, defaultSmdpAddress,
// euiccPackageResultList, euiccInfo1/2, rootSmdsAddress, associationToken, eum/euiccCertificate,
// eimTransactionId, ipaCapabilities, deviceInfo), else incorrectTagList, euiccCiPKIdNotFound or undefinedError.
IpaEuiccDataOutcome answer_ipa_euicc_data_request(Es10Channel& channel, const esipa::IpaEuiccDataRequest& request,
                                                  const sgp32::EimConfiguration& eim, const DeviceInfo& device);

struct TriggerOutcome {
  Bytes result;  // ProfileDownloadTriggerResult (BF54) for the eIM
  bool installed = false;
  std::string line;  // the download's line, or why none ran
  Es9Traffic es9;
};
// SGP.32 v1.2 ProfileDownloadTriggerRequest as a direct download (activationCode, the default
// SM-DP+, or Event Retrieval at an SM-DS). The installation result also goes to the SM-DP+ as in
// any download.
TriggerOutcome run_profile_download_trigger(Es10Channel& channel, const esipa::ProfileDownloadTrigger& trigger,
                                            const IpadOptions& options);

}  // namespace ipa::detail
