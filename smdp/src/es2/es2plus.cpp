// ES2+ entry points: request checks, the response envelope, the dispatcher for the HTTP layer.
#include "smdp/es2plus.hpp"

#include <algorithm>
#include <utility>

#include "es2plus_request.hpp"
#include "rsp/iccid.hpp"
#include "rsp/untrusted_json.hpp"
#include "smdp/function_status_json.hpp"

namespace smdp {

using nlohmann::json;

Es2Plus::Es2Plus(Store& store, Es2PlusSettings settings, Clock clock)
    : store_(store), settings_(std::move(settings)), clock_(std::move(clock)) {
  if (!settings_.generate_matching_id) settings_.generate_matching_id = random_matching_id;
}

json Es2Plus::respond(std::string_view function, std::string_view operator_id, const json& request,
                      Outcome (Es2Plus::*run)(std::string_view, const json&)) {
  Outcome outcome = [&]() -> Outcome {
    if (operator_id.empty())
      return es2::refuse(es2::subject::function_requester, es2::reason::unknown_requester, "no operator identity");
    if (auto checked = es2::check_request(request); !checked) return es2::failure_of(checked);
    if (!settings_.skip_operator_check) {
      const auto& requester = request["header"]["functionRequesterIdentifier"].get_ref<const std::string&>();
      if (requester != operator_id && std::find(settings_.operator_ids.begin(), settings_.operator_ids.end(),
                                                requester) != settings_.operator_ids.end())
        return es2::refuse(es2::subject::function_requester, es2::reason::not_allowed,
                           "functionRequesterIdentifier names another operator than the client certificate's");
    }
    if (settings_.skip_operator_check && request.contains("iccid") && request["iccid"].is_string())
      if (auto digits = rsp::iccid::normalise(request["iccid"].get<std::string>()))
        if (auto found = store_.profile(*digits); found && *found) return (this->*run)((*found)->operator_id, request);
    return (this->*run)(operator_id, request);
  }();
  FunctionStatus status = outcome ? FunctionStatus::success() : outcome.error();
  if (settings_.log) {
    std::string line = "ES2+ " + std::string(function) + " operator=" + std::string(operator_id);
    if (request.is_object()) {
      if (auto call = request.find("header"); call != request.end() && call->is_object())
        if (auto id = call->find("functionCallIdentifier"); id != call->end() && id->is_string())
          line += " functionCallIdentifier=" + id->get<std::string>();
      if (auto iccid = request.find("iccid"); iccid != request.end() && iccid->is_string())
        line += " iccid=" + iccid->get<std::string>();
    }
    line += status.ok() ? " Executed-Success" : " Failed " + status.subject_code + "/" + status.reason_code;
    settings_.log(line);
  }
  return response_json(status, outcome ? std::move(*outcome) : json::object());
}

json Es2Plus::download_order(std::string_view operator_id, const json& request) {
  return respond("downloadOrder", operator_id, request, &Es2Plus::run_download_order);
}
json Es2Plus::confirm_order(std::string_view operator_id, const json& request) {
  return respond("confirmOrder", operator_id, request, &Es2Plus::run_confirm_order);
}
json Es2Plus::cancel_order(std::string_view operator_id, const json& request) {
  return respond("cancelOrder", operator_id, request, &Es2Plus::run_cancel_order);
}
json Es2Plus::release_profile(std::string_view operator_id, const json& request) {
  return respond("releaseProfile", operator_id, request, &Es2Plus::run_release_profile);
}

namespace {

// SGP.22 v2.5 §6.5.2: /gsma/rsp2/es2plus/<function>.
using Entry = json (Es2Plus::*)(std::string_view, const json&);
Entry entry_for(std::string_view function) {
  if (function == "downloadOrder") return &Es2Plus::download_order;
  if (function == "confirmOrder") return &Es2Plus::confirm_order;
  if (function == "cancelOrder") return &Es2Plus::cancel_order;
  if (function == "releaseProfile") return &Es2Plus::release_profile;
  return nullptr;
}

}  // namespace

std::optional<json> Es2Plus::dispatch(std::string_view function, std::string_view operator_id, const json& request) {
  Entry entry = entry_for(function);
  if (!entry) return std::nullopt;
  return (this->*entry)(operator_id, request);
}

std::optional<json> Es2Plus::dispatch(std::string_view function, std::string_view operator_id, std::string_view body) {
  Entry entry = entry_for(function);
  if (!entry) return std::nullopt;
  auto request = rsp::parse_untrusted_json(body);
  if (!request)
    return response_json(FunctionStatus::failure(es2::subject::function_requester, es2::reason::invalid,
                                                 "the request body is " + request.error().message));
  return (this->*entry)(operator_id, *request);
}

rsp::Expected<rsp::ActivationCode> Es2Plus::activation_code(std::string_view operator_id, std::string_view iccid) {
  auto digits = rsp::iccid::normalise(iccid);
  if (!digits) return rsp::fail("not an ICCID");
  auto profile = es2::operator_profile(store_, operator_id, *digits);
  if (!profile) return rsp::fail(profile.error().message);
  if ((profile->state != ProfileState::confirmed && profile->state != ProfileState::released) || !profile->matching_id)
    return rsp::fail("the profile has no confirmed order");
  rsp::ActivationCode code;
  code.smdp_address = settings_.smdp_address;
  code.matching_id = *profile->matching_id;
  code.confirmation_code_required = !profile->confirmation_code_hash.empty();
  return code;
}

std::string Es2Plus::new_matching_id() { return settings_.generate_matching_id(); }

}  // namespace smdp
