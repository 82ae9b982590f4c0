// SGP.22 v2.5 §3.6.3 Event Retrieval, the IPA's part: ES10b to the eUICC, ES11 to the SM-DS.
#include "ipa/event_retrieval.hpp"

#include "common_mutual_authentication.hpp"

namespace ipa {

namespace {

class EventRetrieval {
 public:
  EventRetrieval(Es10Channel& channel, const std::string& smds_address, const EventRetrievalOptions& options)
      : channel_(channel), options_(options) {
    result_.smds_address = smds_address;
  }

  EventRetrievalResult run() {
    steps();
    if (client_) result_.es11 = client_->traffic();
    if (options_.progress) options_.progress(EventRetrievalPhase::finished);
    return result_;
  }

 private:
  void steps() {
    const std::string& address = result_.smds_address;
    enter(EventRetrievalPhase::get_euicc_info);
    auto info1 = es10b::get_euicc_info1(channel_);
    if (!info1) return card_failed(info1.error());
    auto challenge = es10b::get_euicc_challenge(channel_);
    if (!challenge) return card_failed(challenge.error());

    enter(EventRetrievalPhase::initiate_authentication);
    auto client = Es11Client::create(address, options_.es11);
    if (!client) return failed(client.error().message);
    client_.emplace(std::move(*client));
    auto initiated = client_->initiate_authentication({*challenge, *info1, address});
    if (!initiated) return server_failed(initiated.error());
    result_.transaction_id = rsp::to_hex(initiated->transaction_id);
    // As for an SM-DP+ (§3.1.2): the address the SM-DS signed must be the one called.
    if (signed_server_address(initiated->server_signed1) != address)
      return failed("the SM-DS signed another address than " + address + " (serverSigned1.serverAddress)");

    enter(EventRetrievalPhase::authenticate_server);
    auto card_answer =
        es10b::authenticate_server(channel_, authenticate_server_input(*initiated, options_.device, std::nullopt));
    if (!card_answer) return card_failed(card_answer.error());
    if (!card_answer->ok()) {
      // The refusal goes to the SM-DS as its authenticateClient, which ends the session there.
      result_.euicc_error_code = card_answer->error_code;
      auto relayed = client_->authenticate_client(initiated->transaction_id, card_answer->tlv);
      if (!relayed) result_.es11_error = relayed.error();
      return failed("the eUICC refused the SM-DS: AuthenticateErrorCode " + std::to_string(*card_answer->error_code));
    }

    enter(EventRetrievalPhase::authenticate_client);
    auto events = client_->authenticate_client(initiated->transaction_id, card_answer->tlv);
    if (!events) return server_failed(events.error());
    result_.events = std::move(events->event_entries);
    result_.dropped_events = events->dropped_entries;
    result_.success = true;
  }

  void enter(EventRetrievalPhase phase) {
    phase_ = phase;
    if (options_.progress) options_.progress(phase);
  }
  void failed(std::string message) {
    result_.failed_phase = phase_;
    result_.message = std::move(message);
  }
  void server_failed(const Es9Error& e) {
    result_.es11_error = e;
    failed(e.describe());
  }
  void card_failed(const Es10Error& e) {
    result_.es10_error = e;
    failed(e.message);
  }

  Es10Channel& channel_;
  const EventRetrievalOptions& options_;
  std::optional<Es11Client> client_;
  EventRetrievalPhase phase_ = EventRetrievalPhase::get_euicc_info;
  EventRetrievalResult result_;
};

}  // namespace

const char* event_retrieval_phase_name(EventRetrievalPhase phase) {
  switch (phase) {
    case EventRetrievalPhase::get_euicc_info: return "es10b_get_euicc_challenge_and_info";
    case EventRetrievalPhase::initiate_authentication: return "es11_initiate_authentication";
    case EventRetrievalPhase::authenticate_server: return "es10b_authenticate_server";
    case EventRetrievalPhase::authenticate_client: return "es11_authenticate_client";
    case EventRetrievalPhase::finished: return "finished";
  }
  return "?";
}

std::string EventRetrievalResult::line() const {
  if (!success) return std::string("failed at ") + event_retrieval_phase_name(failed_phase) + ": " + message;
  std::string out = events.empty() ? "no event for this EID at " + smds_address
                                   : std::to_string(events.size()) + (events.size() == 1 ? " event" : " events") +
                                         " at " + smds_address;
  if (dropped_events) out += " (" + std::to_string(dropped_events) + " more dropped)";
  return out;
}

// SGP.22 v2.5 §3.6.3 Event Retrieval
EventRetrievalResult retrieve_events(Es10Channel& channel, const std::string& smds_address,
                                     const EventRetrievalOptions& options) {
  return EventRetrieval(channel, smds_address, options).run();
}

}  // namespace ipa
