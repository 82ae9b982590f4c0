// SGP.32 v1.2 ProfileDownloadTriggerRequest executed by the IPA as a direct profile download
// (SGP.22 v2.5 §3.1.3): the activation code given, the eUICC's default SM-DP+ with no matchingId,
// or an SM-DS's Event Records (§3.6.3). The ProfileInstallationResult goes to the SM-DP+ as in any
// download and, in a ProfileDownloadTriggerResult, to the eIM.
#include "ipa/es10a.hpp"
#include "ipa/event_retrieval.hpp"
#include "ipad_steps.hpp"
#include "rsp/tlv.hpp"

namespace ipa::detail {
namespace {

// The ProfileDownloadTriggerResult error value used here.
namespace profile_download_error {
constexpr long kUndefinedError = 127;
}  // namespace profile_download_error

rsp::Expected<rsp::ActivationCode> default_smdp(Es10Channel& channel) {
  auto addresses = es10a::get_euicc_configured_addresses(channel);
  if (!addresses) return rsp::fail("cannot read the default SM-DP+ address: " + addresses.error().message);
  if (!addresses->default_dp_address || addresses->default_dp_address->empty())
    return rsp::fail("the eUICC has no default SM-DP+ address");
  rsp::ActivationCode code;
  code.smdp_address = *addresses->default_dp_address;
  return code;
}

// Event Retrieval at the SM-DS (the trigger's, else the eUICC's root SM-DS): the first event's server and EventID.
rsp::Expected<rsp::ActivationCode> smds_event(Es10Channel& channel, const esipa::ProfileDownloadTrigger& trigger,
                                              const IpadOptions& options, Es9Traffic& es11) {
  std::string smds = trigger.smds_address.value_or("");
  if (smds.empty()) {
    auto addresses = es10a::get_euicc_configured_addresses(channel);
    if (!addresses) return rsp::fail("cannot read the root SM-DS address: " + addresses.error().message);
    smds = addresses->root_ds_address;
  }
  if (smds.empty()) return rsp::fail("no SM-DS address");
  EventRetrievalOptions retrieval;
  retrieval.es11 = options.download.es9;
  retrieval.es11.port = options.smds_port;
  retrieval.device = options.download.device;
  auto events = retrieve_events(channel, smds, retrieval);
  add_traffic(es11, events.es11);
  if (!events.success) return rsp::fail(events.line());
  if (events.events.empty()) return rsp::fail("no event for this eUICC at " + smds);
  rsp::ActivationCode code;
  code.smdp_address = events.events.front().rsp_server_address;
  code.matching_id = events.events.front().event_id;
  return code;
}

}  // namespace

TriggerOutcome run_profile_download_trigger(Es10Channel& channel, const esipa::ProfileDownloadTrigger& trigger,
                                            const IpadOptions& options) {
  TriggerOutcome outcome;
  auto refuse = [&](std::string why) {
    outcome.line = std::move(why);
    outcome.result =
        esipa::profile_download_trigger_error(trigger.eim_transaction_id, profile_download_error::kUndefinedError)
            .value_or(Bytes{});
    return outcome;
  };
  rsp::Expected<rsp::ActivationCode> code = rsp::fail("a ProfileDownloadTriggerRequest without profileDownloadData");
  switch (trigger.kind) {
    case esipa::ProfileDownloadTrigger::Kind::activation_code: {
      code = rsp::ActivationCode::parse(trigger.activation_code);
      if (!code) return refuse("activation code refused: " + code.error().message);
      break;
    }
    case esipa::ProfileDownloadTrigger::Kind::contact_default_smdp: code = default_smdp(channel); break;
    case esipa::ProfileDownloadTrigger::Kind::contact_smds:
      code = smds_event(channel, trigger, options, outcome.es9);
      break;
    case esipa::ProfileDownloadTrigger::Kind::none: break;
  }
  if (!code) return refuse(code.error().message);

  DownloadResult result = download_profile(channel, DownloadRequest{*code, std::nullopt}, options.download);
  add_traffic(outcome.es9, result.es9);
  outcome.installed = result.success;
  outcome.line = result.line();
  if (result.profile_installation_result.empty()) return refuse(outcome.line);
  auto reported =
      esipa::profile_download_trigger_result(trigger.eim_transaction_id, result.profile_installation_result);
  if (!reported) return refuse(reported.error().message);
  outcome.result = std::move(*reported);
  return outcome;
}

}  // namespace ipa::detail
