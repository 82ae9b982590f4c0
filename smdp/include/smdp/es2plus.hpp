#pragma once
// ES2+ (operator -> SM-DP+), SGP.22 v2.5 §5.3 with the JSON binding of §6.5.2: order management on
// the profiles of the store, independent of HTTP. The HTTP layer authenticates the operator (TLS
// client certificate -> operator id), posts /gsma/rsp2/es2plus/<function> here through dispatch()
// and sends the returned JSON with status 200.
//
// An operator sees and acts on its own profiles only. Every answer is a full ES2+ response:
// header.functionExecutionStatus, and the function's data on success; nothing beyond the spec's
// fields, so strict clients accept it.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "rsp/activation_code.hpp"
#include "rsp/expected.hpp"
#include "smdp/clock.hpp"
#include "smdp/function_status.hpp"
#include "smdp/smds_event.hpp"
#include "smdp/store.hpp"

namespace smdp {

struct Es2PlusSettings {
  std::string smdp_address;                 // FQDN answered by ConfirmOrder (smdpAddress)
  int64_t order_lifetime = 30 * 24 * 3600;  // seconds from DownloadOrder, again from ConfirmOrder
  int confirmation_code_attempts = 5;       // wrong confirmation codes ES9+ accepts before refusing
  // Makes a matchingId when the operator gives none; empty: random_matching_id(). Its values must
  // be activation-code safe (valid_matching_id); collisions are detected and another one is drawn.
  std::function<std::string()> generate_matching_id;
  // ES12.RegisterEvent at the SM-DS a ConfirmOrder names (smdsAddress), before it answers; empty:
  // such orders are refused with 8.9/5.1. The matching DeleteEvent is queued in the store's outbox
  // when the order is cancelled.
  RegisterEvent register_event;
  // One line per function call (function, operator, iccid, outcome); empty: no log.
  std::function<void(const std::string&)> log;
  // Every configured operator's ID: a request whose functionRequesterIdentifier names another of
  // them than the TLS identity's is refused (1.1/1.2). Free-form identifiers that name no operator
  // are taken, as the spec leaves their values open (FACTS §2a.2).
  std::vector<std::string> operator_ids = {};
  // Conformance harness fault skip-operator-check (also skips the check above): a request naming an ICCID acts as that
  // profile's operator, whoever sent it. Never in service.
  bool skip_operator_check = false;
  // Fault skip-order-state-check: ConfirmOrder, ReleaseProfile and CancelOrder act whatever state
  // the order is in. Never in service.
  bool skip_order_state_check = false;
};

// 20 random characters 0-9/A-Z in groups of five ("04386-AGYFT-A74Y8-3F815" shape), ~103 bits.
std::string random_matching_id();
// What a matchingId (AC token) may hold so that the activation code stays parseable and printable:
// 1 to 255 visible ASCII characters other than '$'.
bool valid_matching_id(std::string_view matching_id);

class Es2Plus {
 public:
  Es2Plus(Store& store, Es2PlusSettings settings, Clock clock = system_clock_seconds);

  // SGP.22 v2.5 §5.3.1 ES2+.DownloadOrder: reserves a profile by iccid or by profileType.
  nlohmann::json download_order(std::string_view operator_id, const nlohmann::json& request);
  // SGP.22 v2.5 §5.3.2 ES2+.ConfirmOrder: matchingId, confirmation code, release.
  nlohmann::json confirm_order(std::string_view operator_id, const nlohmann::json& request);
  // SGP.22 v2.5 §5.3.3 ES2+.CancelOrder: back to Available, or Unavailable.
  nlohmann::json cancel_order(std::string_view operator_id, const nlohmann::json& request);
  // SGP.22 v2.5 §5.3.4 ES2+.ReleaseProfile: a confirmed order becomes downloadable.
  nlohmann::json release_profile(std::string_view operator_id, const nlohmann::json& request);

  // By the last path segment (downloadOrder, confirmOrder, cancelOrder, releaseProfile);
  // nullopt for any other name (the HTTP layer answers 404).
  std::optional<nlohmann::json> dispatch(std::string_view function, std::string_view operator_id,
                                         const nlohmann::json& request);
  // The same from the raw body: text that is not JSON gets a Failed response saying so.
  std::optional<nlohmann::json> dispatch(std::string_view function, std::string_view operator_id,
                                         std::string_view body);

  // The activation code (SGP.22 v2.5 §4.1) of a confirmed or released order of this operator:
  // smdpAddress, matchingId and the confirmation-code flag. Not part of the ES2+ JSON: for the
  // operator's tools (QR codes) and tests.
  rsp::Expected<rsp::ActivationCode> activation_code(std::string_view operator_id, std::string_view iccid);

 private:
  using Outcome = rsp::Expected<nlohmann::json, FunctionStatus>;
  Outcome run_download_order(std::string_view operator_id, const nlohmann::json& request);
  Outcome run_confirm_order(std::string_view operator_id, const nlohmann::json& request);
  Outcome run_cancel_order(std::string_view operator_id, const nlohmann::json& request);
  Outcome run_release_profile(std::string_view operator_id, const nlohmann::json& request);
  nlohmann::json respond(std::string_view function, std::string_view operator_id, const nlohmann::json& request,
                         Outcome (Es2Plus::*run)(std::string_view, const nlohmann::json&));
  std::string new_matching_id();
  // Queues ES12.DeleteEvent for an event this SM-DP+ registered (logged if the outbox refuses).
  void forget_event(const SmdsEvent& event);

  Store& store_;
  Es2PlusSettings settings_;
  Clock clock_;
};

}  // namespace smdp
