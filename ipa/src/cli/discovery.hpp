#pragma once
// What `discover` and `download --discover` share: which SM-DS to ask, Event Retrieval with a
// progress line per phase, and its result as lpac-shaped JSON data.
#include "cli.hpp"
#include "es9_flags.hpp"
#include "ipa/event_retrieval.hpp"

namespace ipa::cli {

// --smds, else the eUICC's root SM-DS (ES10a.GetEuiccConfiguredAddresses).
rsp::Expected<std::string> smds_address(Es10Channel& channel, const SmdsFlags& flags);
EventRetrievalResult retrieve_events_with_progress(Es10Channel& channel, const std::string& smds,
                                                   const Es9ClientOptions& options, Output& out);
// The server's refusal in lpac's data members: function, status, subjectCode, reasonCode.
void add_server_error(json& data, const Es9Error& e);
// {"smdsAddress", "eventEntries": [{"eventId", "rspServerAddress"}], ...} and the codes of a failure.
json event_retrieval_data(const EventRetrievalResult& r);

}  // namespace ipa::cli
