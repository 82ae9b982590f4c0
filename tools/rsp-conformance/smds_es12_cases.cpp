// The SM-DS role's ES12 cases (SGP.22 v2.5 §5.9; FACTS.md §7.5): the harness is the SM-DP+ (its TLS
// client identity the PKI's dp-tls) registering and deleting Event Records, and the IPA with the
// in-process eUICC checking over ES11 what the SM-DS then hands out.
#include <unistd.h>
#include <algorithm>
#include <atomic>

#include "case.hpp"
#include "ipa/event_retrieval.hpp"
#include "rsp/eid.hpp"
#include "rsp/http/tls_identity.hpp"
#include "rsp/pki/pki_layout.hpp"
#include "rsp/server/es12_client.hpp"
#include "rsp/server/es12_messages.hpp"
#include "smdp_target.hpp"

namespace conformance {

// An smds-role case (smds_es11_cases.cpp).
Case smds_case(std::string id, std::string section, std::string sends, std::string expects,
               Outcome (*run)(SmdpTarget&));

namespace {

using rsp::server::FunctionStatus;

// What the harness, as SM-DP+, names itself in RegisterEvent's rspServerAddress.
constexpr const char* kHarnessSmdp = "smdp.conformance.example.org";

struct Es12Caller {
  std::optional<rsp::http::Client> client;
  std::string smds;  // host[:port] for es12_url
};

// The TLS client identities of the PKI the harness may present as an SM-DP+: the first curve's
// dp-tls first (the one the cases use), then the other TLS certificates, for a second SM-DP+.
std::vector<std::pair<rsp::crypto::Curve, rsp::crypto::Role>> es12_identities(const SmdpTarget& target) {
  std::vector<std::pair<rsp::crypto::Curve, rsp::crypto::Role>> all;
  auto curves = rsp::pki::curves_present(target.pki);
  for (auto role : {rsp::crypto::Role::dp_tls, rsp::crypto::Role::eim_tls, rsp::crypto::Role::ds_tls})
    for (auto curve : curves) all.emplace_back(curve, role);
  return all;
}

rsp::Expected<Es12Caller> es12_caller(const SmdpTarget& target, size_t identity_index = 0) {
  auto identities = es12_identities(target);
  if (identity_index >= identities.size()) return rsp::fail("no curve in " + target.pki.string());
  auto [curve, role] = identities[identity_index];
  auto identity = rsp::http::TlsIdentity::from_pki(target.pki, curve, role);
  if (!identity)
    return rsp::fail("the PKI's TLS identity " + std::to_string(identity_index) + ": " + identity.error().message);
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
    return stop(not_applicable("the SM-DS did not accept the harness's dp-tls as an ES12 client (" +
                               answer.error().message + ")"));
  return *answer;
}

std::string status_text(const FunctionStatus& s) {
  return s.ok() ? std::string("success") : "Failed " + s.subject_code + "/" + s.reason_code;
}

// Nothing when `s` is Failed subject/reason, else the failing outcome (`what` says of which call).
std::optional<Outcome> unless_refused(const FunctionStatus& s, const std::string& subject, const std::string& reason,
                                      const std::string& what = "") {
  if (!s.ok() && s.subject_code == subject && s.reason_code == reason) return std::nullopt;
  return fail("expected Failed " + subject + "/" + reason + what + ", got " + status_text(s));
}

// The events ES11 hands the harness eUICC (whose EID is the PKI's) with `event_id`.
rsp::Expected<std::vector<ipa::EventEntry>> es11_events_named(SmdpTarget& target, const std::string& event_id) {
  auto euicc = target.new_euicc();
  if (!euicc) return rsp::fail(euicc.error().message);
  auto result = ipa::retrieve_events((*euicc)->channel(), target.address, {target.options, {}, {}});
  if (!result.success) return rsp::fail("ES11: expected the event list, got " + result.line());
  std::vector<ipa::EventEntry> named;
  std::ranges::copy_if(result.events, std::back_inserter(named),
                       [&](const ipa::EventEntry& e) { return e.event_id == event_id; });
  return named;
}

// The harness eUICC's EID (the PKI's), or why there is none.
rsp::Expected<std::string, Outcome> harness_eid(SmdpTarget& target) {
  auto euicc = target.new_euicc();
  if (!euicc) return stop(fail(euicc.error().message));
  return (*euicc)->eid();
}

// The harness EID with its last digit before the check digits changed (check digits recomputed):
// a well-formed EID of another eUICC.
std::string other_eid(const std::string& eid) {
  std::string body = eid.substr(0, 30);
  body.back() = body.back() == '9' ? '0' : static_cast<char>(body.back() + 1);
  return rsp::eid::complete(body).value();
}

rsp::Expected<FunctionStatus, Outcome> register_event(Es12Caller& caller, const std::string& eid,
                                                      const std::string& event_id) {
  rsp::server::Es12Event event{caller.smds, eid, event_id};
  return call(caller, "registerEvent",
              rsp::server::register_event_body(event, kHarnessSmdp, kHarnessSmdp, false, event_id));
}

// Registers a fresh event for `eid` (default: the harness eUICC's): its EventID, or the outcome that ends the case.
rsp::Expected<std::string, Outcome> register_fresh(SmdpTarget& target, Es12Caller& caller,
                                                   std::optional<std::string> for_eid = std::nullopt) {
  if (!for_eid) {
    auto eid = harness_eid(target);
    if (!eid) return stop(eid.error());
    for_eid = *eid;
  }
  std::string event_id = next_event_id();
  rsp::server::Es12Event event{caller.smds, *for_eid, event_id};
  auto status = call(caller, "registerEvent",
                     rsp::server::register_event_body(event, kHarnessSmdp, kHarnessSmdp, false, event_id));
  if (!status) return stop(status.error());
  if (!status->ok()) return stop(fail("RegisterEvent: expected success, got " + status_text(*status)));
  return event_id;
}

rsp::Expected<FunctionStatus, Outcome> delete_event(SmdpTarget& target, Es12Caller& caller, const std::string& event_id,
                                                    std::optional<std::string> for_eid = std::nullopt) {
  if (!for_eid) {
    auto eid = harness_eid(target);
    if (!eid) return stop(eid.error());
    for_eid = *eid;
  }
  rsp::server::Es12Event event{caller.smds, *for_eid, event_id};
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
  if (found->size() != 1)
    return fail("ES11: expected the registered EventID once, got it " + std::to_string(found->size()) + " times");
  if (found->front().rsp_server_address != kHarnessSmdp)
    return fail("ES11: expected rspServerAddress " + std::string(kHarnessSmdp) + ", got " +
                found->front().rsp_server_address);
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
  if (auto wrong = unless_refused(*deleted, "8.9.5", "3.9")) return *wrong;
  return pass("8.9.5/3.9");
}

// The harness as an SM-DP+ and the harness eUICC's EID, or the outcome that ends the case.
struct Es12Start {
  Es12Caller caller;
  std::string eid;
};
rsp::Expected<Es12Start, Outcome> es12_start(SmdpTarget& target) {
  auto caller = es12_caller(target);
  if (!caller) return stop(fail(caller.error().message));
  auto eid = harness_eid(target);
  if (!eid) return stop(eid.error());
  return Es12Start{std::move(*caller), std::move(*eid)};
}

// SGP.22 v2.5 §5.8.2 ES11.AuthenticateClient: only the authenticated EID's Event Records
Outcome other_eid_not_returned(SmdpTarget& target) {
  auto start = es12_start(target);
  if (!start) return start.error();
  auto& [caller, eid] = *start;
  std::string other = other_eid(eid);
  auto event_id = register_fresh(target, caller, other);
  if (!event_id) return event_id.error();
  auto found = es11_events_named(target, *event_id);
  (void)delete_event(target, caller, *event_id, other);
  if (!found) return fail(found.error().message);
  if (!found->empty())
    return fail("ES11 for EID " + eid + ": expected no Event Record of EID " + other + ", got EventID " + *event_id);
  return pass("the event of " + other + " not handed to " + eid);
}

// SGP.22 v2.5 §5.9.1 ES12.RegisterEvent with an eid whose check digits are wrong
Outcome register_malformed_eid(SmdpTarget& target) {
  auto start = es12_start(target);
  if (!start) return start.error();
  auto& [caller, eid] = *start;
  std::string bad = eid;
  bad.back() = bad.back() == '9' ? '0' : static_cast<char>(bad.back() + 1);
  std::string event_id = next_event_id();
  auto status = register_event(caller, bad, event_id);
  if (!status) return status.error();
  if (status->ok()) (void)delete_event(target, caller, event_id, bad);
  if (auto wrong = unless_refused(*status, "8.1.1", "2.1", " for EID " + bad)) return *wrong;
  return pass("8.1.1/2.1");
}

// SGP.22 v2.5 §5.9.1 ES12.RegisterEvent of an EventID the EID already has
Outcome register_duplicate(SmdpTarget& target) {
  auto start = es12_start(target);
  if (!start) return start.error();
  auto& [caller, eid] = *start;
  auto event_id = register_fresh(target, caller, eid);
  if (!event_id) return event_id.error();
  auto again = register_event(caller, eid, *event_id);
  auto found = es11_events_named(target, *event_id);
  (void)delete_event(target, caller, *event_id, eid);
  if (!again) return again.error();
  if (auto wrong = unless_refused(*again, "8.9.5", "3.3", " for the second RegisterEvent of " + *event_id))
    return *wrong;
  if (!found) return fail(found.error().message);
  if (found->size() != 1)
    return fail("ES11: expected the EventID once, got it " + std::to_string(found->size()) + " times");
  return pass("8.9.5/3.3, listed once");
}

// SGP.22 v2.5 §5.9.2 ES12.DeleteEvent by an SM-DP+ that did not register the event
Outcome delete_other_smdp(SmdpTarget& target) {
  auto owner = es12_caller(target);
  if (!owner) return fail(owner.error().message);
  if (auto probe = delete_event(target, *owner, next_event_id()); !probe) return probe.error();
  // A second identity the SM-DS takes as an ES12 client (another SM-DP+), else n/a.
  std::optional<Es12Caller> other;
  for (size_t i = 1; i < es12_identities(target).size() && !other; ++i) {
    auto candidate = es12_caller(target, i);
    if (!candidate) continue;
    if (auto probe = delete_event(target, *candidate, next_event_id()); probe) other.emplace(std::move(*candidate));
  }
  if (!other) return not_applicable("the SM-DS accepts only one of the PKI's TLS identities as an SM-DP+");
  auto event_id = register_fresh(target, *owner);
  if (!event_id) return event_id.error();
  auto deleted = delete_event(target, *other, *event_id);
  auto found = es11_events_named(target, *event_id);
  (void)delete_event(target, *owner, *event_id);
  if (!deleted) return deleted.error();
  if (auto wrong = unless_refused(*deleted, "8.9.5", "3.9", " for another SM-DP+'s event")) return *wrong;
  if (!found) return fail(found.error().message);
  if (found->size() != 1)
    return fail("ES11: expected the event kept after another SM-DP+'s DeleteEvent, got it " +
                std::to_string(found->size()) + " times");
  return pass("8.9.5/3.9, the event kept");
}

}  // namespace

std::vector<Case> smds_es12_cases() {
  const std::string na = "; n/a when the SM-DS does not accept the PKI's dp-tls as an ES12 client";
  return {
      smds_case(
          "ES12.RegisterEvent.Nominal", "SGP.22 v2.5 §5.9",
          "RegisterEvent (as the SM-DP+, TLS client dp-tls) for the harness eUICC's EID, then ES11 event retrieval",
          "success; ES11 then lists that EventID once with the rspServerAddress registered" + na,
          register_then_retrieve),
      smds_case("ES12.DeleteEvent.Nominal", "SGP.22 v2.5 §5.9",
                "RegisterEvent, DeleteEvent of it, then ES11 event retrieval",
                "both succeed; ES11 no longer lists the EventID" + na, delete_then_gone),
      smds_case("ES12.DeleteEvent.UnknownEventId", "SGP.22 v2.5 §5.9", "DeleteEvent of an EventID never registered",
                "Failed 8.9.5/3.9" + na, delete_unknown),
      smds_case("ES11.EventRetrieval.OtherEidEvent", "SGP.22 v2.5 §5.8.2, §5.9",
                "RegisterEvent for another well-formed EID, then ES11 event retrieval by the harness eUICC",
                "ES11 does not list the other EID's EventID" + na, other_eid_not_returned),
      smds_case("ES12.RegisterEvent.MalformedEid", "SGP.22 v2.5 §5.9",
                "RegisterEvent with an eid whose check digits are wrong", "Failed 8.1.1/2.1" + na,
                register_malformed_eid),
      smds_case("ES12.RegisterEvent.DuplicateEventId", "SGP.22 v2.5 §5.9",
                "RegisterEvent twice with the same eid and EventID",
                "the second Failed 8.9.5/3.3; ES11 lists the EventID once" + na, register_duplicate),
      smds_case(
          "ES12.DeleteEvent.OtherSmdp", "SGP.22 v2.5 §5.9",
          "RegisterEvent as one SM-DP+ (dp-tls), DeleteEvent of it as another (a second TLS identity of the PKI the SM-DS accepts)",
          "Failed 8.9.5/3.9; ES11 still lists the event" + na + "; n/a without a second accepted identity",
          delete_other_smdp),
  };
}

}  // namespace conformance
