// The SM-DS role's ES12 cases (SGP.22 v2.5 §5.9; FACTS.md §7.5): the harness is the SM-DP+ (its TLS
// client identity the PKI's dp-tls) registering and deleting Event Records, and the IPA with the
// in-process eUICC checking over ES11 what the SM-DS then hands out.
#include <algorithm>
#include <atomic>
#include <unistd.h>

#include "case.hpp"
#include "rsp/http/tls_identity.hpp"
#include "rsp/pki/pki_layout.hpp"
#include "rsp/server/es12_client.hpp"
#include "rsp/server/es12_messages.hpp"
#include "smdp_target.hpp"
#include "ipa/event_retrieval.hpp"

namespace conformance {

// An smds-role case (smds_es11_cases.cpp).
Case smds_case(std::string id, std::string section, std::string sends, std::string expects, Outcome (*run)(SmdpTarget&));

namespace {

using rsp::server::FunctionStatus;

// What the harness, as SM-DP+, names itself in RegisterEvent's rspServerAddress.
constexpr const char* kHarnessSmdp = "smdp.conformance.example.org";

struct Es12Caller {
  std::optional<rsp::http::Client> client;
  std::string smds;  // host[:port] for es12_url
};

rsp::Expected<Es12Caller> es12_caller(const SmdpTarget& target) {
  auto curves = rsp::pki::curves_present(target.pki);
  if (curves.empty()) return rsp::fail("no curve in " + target.pki.string());
  auto identity = rsp::http::TlsIdentity::from_pki(target.pki, curves.front());
  if (!identity) return rsp::fail("the PKI's dp-tls: " + identity.error().message);
  rsp::http::ClientOptions http = target.options.http;
  http.client_identity = std::move(*identity);
  auto client = rsp::http::Client::create(http);
  if (!client) return rsp::fail(client.error().message);
  Es12Caller caller;
  caller.client.emplace(std::move(*client));
  caller.smds = target.address + (target.options.port ? ":" + std::to_string(*target.options.port) : "");
  return caller;
}

std::string next_event_id() {
  static std::atomic<int> serial{0};
  return "CONFORMANCE-" + std::to_string(::getpid()) + "-" + std::to_string(++serial);
}

rsp::Unexpected<Outcome> stop(Outcome o) { return {std::move(o)}; }

// One ES12 call: the SM-DS's status, or not applicable when it did not take the harness as an SM-DP+.
rsp::Expected<FunctionStatus, Outcome> call(Es12Caller& caller, const std::string& function, const std::string& body) {
  auto answer = rsp::server::post_es12(*caller.client, rsp::server::es12_url(caller.smds, function), body);
  if (!answer)
    return stop(not_applicable("the SM-DS did not accept the harness's dp-tls as an ES12 client (" + answer.error().message + ")"));
  return *answer;
}

std::string status_text(const FunctionStatus& s) {
  return s.ok() ? std::string("success") : "Failed " + s.subject_code + "/" + s.reason_code;
}

// The events ES11 hands the harness eUICC (whose EID is the PKI's) with `event_id`.
rsp::Expected<std::vector<ipa::EventEntry>> es11_events_named(SmdpTarget& target, const std::string& event_id) {
  auto euicc = target.new_euicc();
  if (!euicc) return rsp::fail(euicc.error().message);
  auto result = ipa::retrieve_events((*euicc)->channel(), target.address, {target.options, {}, {}});
  if (!result.success) return rsp::fail("ES11: expected the event list, got " + result.line());
  std::vector<ipa::EventEntry> named;
  std::ranges::copy_if(result.events, std::back_inserter(named), [&](const ipa::EventEntry& e) { return e.event_id == event_id; });
  return named;
}

// Registers a fresh event for the harness eUICC's EID: its EventID, or the outcome that ends the case.
rsp::Expected<std::string, Outcome> register_fresh(SmdpTarget& target, Es12Caller& caller) {
  auto euicc = target.new_euicc();
  if (!euicc) return stop(fail(euicc.error().message));
  std::string event_id = next_event_id();
  rsp::server::Es12Event event{caller.smds, (*euicc)->eid(), event_id};
  auto status = call(caller, "registerEvent", rsp::server::register_event_body(event, kHarnessSmdp, kHarnessSmdp, false, event_id));
  if (!status) return stop(status.error());
  if (!status->ok())
    return stop(fail("RegisterEvent: expected success, got " + status_text(*status)));
  return event_id;
}

rsp::Expected<FunctionStatus, Outcome> delete_event(SmdpTarget& target, Es12Caller& caller, const std::string& event_id) {
  auto euicc = target.new_euicc();
  if (!euicc) return stop(fail(euicc.error().message));
  rsp::server::Es12Event event{caller.smds, (*euicc)->eid(), event_id};
  return call(caller, "deleteEvent", rsp::server::delete_event_body(event, kHarnessSmdp, event_id));
}

// SGP.22 v2.5 §5.9 ES12.RegisterEvent
Outcome register_then_retrieve(SmdpTarget& target) {
  auto caller = es12_caller(target);
  if (!caller) return fail(caller.error().message);
  auto event_id = register_fresh(target, *caller);
  if (!event_id) return event_id.error();
  auto found = es11_events_named(target, *event_id);
  (void)delete_event(target, *caller, *event_id);  // leave the SM-DS as found
  if (!found) return fail(found.error().message);
  if (found->size() != 1) return fail("ES11: expected the registered EventID once, got it " + std::to_string(found->size()) + " times");
  if (found->front().rsp_server_address != kHarnessSmdp)
    return fail("ES11: expected rspServerAddress " + std::string(kHarnessSmdp) + ", got " + found->front().rsp_server_address);
  return pass(*event_id + " at " + kHarnessSmdp);
}

// SGP.22 v2.5 §5.9 ES12.DeleteEvent
Outcome delete_then_gone(SmdpTarget& target) {
  auto caller = es12_caller(target);
  if (!caller) return fail(caller.error().message);
  auto event_id = register_fresh(target, *caller);
  if (!event_id) return event_id.error();
  auto deleted = delete_event(target, *caller, *event_id);
  if (!deleted) return deleted.error();
  if (!deleted->ok()) return fail("DeleteEvent: expected success, got " + status_text(*deleted));
  auto found = es11_events_named(target, *event_id);
  if (!found) return fail(found.error().message);
  if (!found->empty()) return fail("ES11 still hands out the deleted EventID " + *event_id);
  return pass();
}

Outcome delete_unknown(SmdpTarget& target) {
  auto caller = es12_caller(target);
  if (!caller) return fail(caller.error().message);
  auto deleted = delete_event(target, *caller, next_event_id());
  if (!deleted) return deleted.error();
  if (deleted->ok() || deleted->subject_code != "8.9.5" || deleted->reason_code != "3.9")
    return fail("expected Failed 8.9.5/3.9, got " + status_text(*deleted));
  return pass("8.9.5/3.9");
}

}  // namespace

std::vector<Case> smds_es12_cases() {
  const std::string na = "; n/a when the SM-DS does not accept the PKI's dp-tls as an ES12 client";
  return {
      smds_case("ES12.RegisterEvent.Nominal", "SGP.22 v2.5 §5.9",
                "RegisterEvent (as the SM-DP+, TLS client dp-tls) for the harness eUICC's EID, then ES11 event retrieval",
                "success; ES11 then lists that EventID once with the rspServerAddress registered" + na, register_then_retrieve),
      smds_case("ES12.DeleteEvent.Nominal", "SGP.22 v2.5 §5.9", "RegisterEvent, DeleteEvent of it, then ES11 event retrieval",
                "both succeed; ES11 no longer lists the EventID" + na, delete_then_gone),
      smds_case("ES12.DeleteEvent.UnknownEventId", "SGP.22 v2.5 §5.9", "DeleteEvent of an EventID never registered",
                "Failed 8.9.5/3.9" + na, delete_unknown),
  };
}

}  // namespace conformance
