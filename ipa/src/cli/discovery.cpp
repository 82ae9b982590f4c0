// Event Retrieval for the ipa command line (discovery.hpp).
#include "discovery.hpp"

#include "ipa/es10a.hpp"

namespace ipa::cli {

rsp::Expected<std::string> smds_address(Es10Channel& channel, const SmdsFlags& flags) {
  if (!flags.address.empty()) return flags.address;
  auto addresses = es10a::get_euicc_configured_addresses(channel);
  if (!addresses) return rsp::fail("cannot read the root SM-DS address: " + addresses.error().message);
  if (addresses->root_ds_address.empty()) return rsp::fail("the eUICC has no root SM-DS address; give --smds ADDR");
  return addresses->root_ds_address;
}

EventRetrievalResult retrieve_events_with_progress(Es10Channel& channel, const std::string& smds,
                                                   const Es9ClientOptions& options, Output& out) {
  EventRetrievalOptions retrieval;
  retrieval.es11 = options;
  retrieval.progress = [&out](EventRetrievalPhase phase) {
    if (phase != EventRetrievalPhase::finished) out.progress(event_retrieval_phase_name(phase));
  };
  return retrieve_events(channel, smds, retrieval);
}

void add_server_error(json& data, const Es9Error& e) {
  auto text = [](const std::string& s) { return s.empty() ? json() : json(s); };
  data["function"] = es9_function_name(e.function);
  data["status"] = text(e.status);
  data["subjectCode"] = text(e.subject_code);
  data["reasonCode"] = text(e.reason_code);
}

json event_retrieval_data(const EventRetrievalResult& r) {
  json entries = json::array();
  for (const auto& e : r.events)
    entries.push_back({{"eventId", e.event_id}, {"rspServerAddress", e.rsp_server_address}});
  json data = {{"smdsAddress", r.smds_address}, {"eventEntries", entries}};
  if (r.dropped_events) data["droppedEventEntries"] = r.dropped_events;
  if (r.success) return data;
  data["failedPhase"] = event_retrieval_phase_name(r.failed_phase);
  if (r.es11_error) add_server_error(data, *r.es11_error);
  if (r.euicc_error_code) data["euiccErrorCode"] = *r.euicc_error_code;
  return data;
}

}  // namespace ipa::cli
