#pragma once
// SGP.22 v2.5 §3.6.3 Event Retrieval, as the IPA drives it: the eUICC authenticates an SM-DS over
// ES11 (§5.8) the way it authenticates an SM-DP+ (§3.1.2 common mutual authentication), with no
// matchingId, and the SM-DS answers the Event Records registered for the card's EID. Nothing is
// downloaded here: each record names the server (rspServerAddress) and the EventID to take there
// as matchingId (download.hpp).
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ipa/download.hpp"
#include "ipa/es11_client.hpp"

namespace ipa {

enum class EventRetrievalPhase {
  get_euicc_info,           // "es10b_get_euicc_challenge_and_info"
  initiate_authentication,  // "es11_initiate_authentication"
  authenticate_server,      // "es10b_authenticate_server"
  authenticate_client,      // "es11_authenticate_client"
  finished,
};
const char* event_retrieval_phase_name(EventRetrievalPhase phase);

struct EventRetrievalResult {
  bool success = false;  // the SM-DS answered; events may still be empty ("nothing for this EID")
  EventRetrievalPhase failed_phase = EventRetrievalPhase::finished;
  std::string smds_address;
  std::string transaction_id;  // hex, once initiateAuthentication answered
  std::vector<EventEntry> events;
  size_t dropped_events = 0;           // beyond kMaxEventEntries
  std::optional<Es9Error> es11_error;  // the SM-DS's status and codes (8.9.x ...), or no answer
  std::optional<Es10Error> es10_error;
  std::optional<long> euicc_error_code;  // AuthenticateErrorCode when the card refused the SM-DS
  Es9Traffic es11;
  std::string message;

  // "2 events from smds.example.com" or "failed at es11_initiate_authentication: ...".
  std::string line() const;
};

struct EventRetrievalOptions {
  Es9ClientOptions es11;  // CAs, binding, port of the SM-DS
  DeviceInfo device;
  std::function<void(EventRetrievalPhase)> progress;  // optional
};

// Runs Event Retrieval at `smds_address` over `channel`. Protocol failures are in the result.
EventRetrievalResult retrieve_events(Es10Channel& channel, const std::string& smds_address,
                                     const EventRetrievalOptions& options);

}  // namespace ipa
