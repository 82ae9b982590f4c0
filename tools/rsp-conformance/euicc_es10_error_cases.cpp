// The eUICC role's ES10a/b/c error cases: each function the card offers, asked about what is not
// there (an ICCID, AID, seqNumber, transactionId or session the card does not have) or in a state
// that forbids it, with the result code the ASN.1 (RSPDefinitions, SGP.32 v1.2) gives. Safe on a
// real card: the unknown-object cases name an ICCID/AID the card is first seen not to hold; the
// state cases act only on the test profile the harness installs (--pki --destructive), and put back
// the profiles enabled before; SetDefaultDpAddress restores the address it found.
#include <algorithm>
#include <set>

#include "euicc_case.hpp"
#include "euicc_download.hpp"
#include "ipa/es10a.hpp"
#include "ipa/es10b.hpp"
#include "ipa/es10c.hpp"
#include "ipa/sgp32_es10b.hpp"
#include "rsp/crypto/ecdsa.hpp"
#include "rsp/tlv.hpp"

namespace conformance {
namespace {

using download::got;
using rsp::Bytes;
namespace es10b = ipa::es10b;
namespace es10c = ipa::es10c;
using es10c::ProfileIdentifier;

// An ICCID and an ISD-P AID that no case installs; a case runs only when the card holds neither.
constexpr const char* kAbsentIccid = "8999990000000000091";
const Bytes kAbsentAid = {0xA0, 0x00, 0x00, 0x05, 0x59, 0x10, 0x10, 0xFF,
                          0xFF, 0xFF, 0xFF, 0x89, 0x00, 0x00, 0xEE, 0x00};

constexpr long kNotFound = 1, kWrongState = 2, kNothingToDelete = 1, kInvalidTransactionId = 5;

// Not applicable when the card does hold the "absent" profile.
std::optional<Outcome> absent_profile(EuiccTarget& t) {
  auto profiles = es10c::get_profiles_info(t.channel);
  if (!profiles) return fail("GetProfilesInfo: expected the list, " + got(profiles.error()));
  for (const auto& p : *profiles)
    if (p.iccid == kAbsentIccid || p.isdp_aid == kAbsentAid)
      return not_applicable(std::string("the card holds a profile with ICCID ") + kAbsentIccid + " or its AID");
  return std::nullopt;
}

// The result code `code` (named `name`) for a call that must fail with it.
Outcome expect_code(const ipa::Es10Status& s, long code, const std::string& name) {
  std::string want = name + " (" + std::to_string(code) + ")";
  if (s) return fail("expected " + want + ", got ok");
  if (s.error().kind != ipa::Es10Error::Kind::result || s.error().code != code)
    return fail("expected " + want + ", " + got(s.error()));
  return pass(want);
}

// A function asked about the absent ICCID or AID: the result code `code`, named `name`.
Case on_absent_profile(std::string function, std::string section, std::string what, long code, const std::string& name,
                       std::function<ipa::Es10Status(EuiccTarget&)> call) {
  std::string sends = function + " of " + what + " (absent from the card)";
  return euicc(function + ".Unknown" + (what.rfind("ICCID", 0) == 0 ? "Iccid" : "Aid"), std::move(section), sends,
               name + " (" + std::to_string(code) + ")", [call, code, name](EuiccTarget& t) {
                 if (auto skip = absent_profile(t)) return *skip;
                 return expect_code(call(t), code, name);
               });
}

Outcome profiles_info_unknown_iccid(EuiccTarget& t) {
  if (auto skip = absent_profile(t)) return *skip;
  es10c::ProfileSearch search;
  search.profile = ProfileIdentifier::by_iccid(kAbsentIccid);
  auto r = es10c::get_profiles_info(t.channel, search);
  if (!r) return fail("expected profileInfoListOk with no profile, " + got(r.error()));
  if (!r->empty()) return fail("expected no profile, got " + std::to_string(r->size()));
  return pass("profileInfoListOk, empty");
}

// A seqNumber above every pending one.
long unused_seq_number(const std::vector<es10b::NotificationMetadata>& list) {
  long top = 0;
  for (const auto& n : list) top = std::max(top, n.seq_number);
  return top + 1000;
}

Outcome remove_unknown_notification(EuiccTarget& t) {
  auto list = es10b::list_notification(t.channel);
  if (!list) return fail("ListNotification: " + list.error().message);
  return expect_code(es10b::remove_notification_from_list(t.channel, unused_seq_number(*list)), kNothingToDelete,
                     "nothingToDelete");
}

Outcome retrieve_unknown_notification(EuiccTarget& t) {
  auto list = es10b::list_notification(t.channel);
  if (!list) return fail("ListNotification: " + list.error().message);
  es10b::NotificationFilter filter;
  filter.seq_number = unused_seq_number(*list);
  auto r = es10b::retrieve_notifications_list(t.channel, filter);
  if (!r) return fail("expected notificationList with no notification, " + got(r.error()));
  if (!r->empty())
    return fail("expected no notification for seqNumber " + std::to_string(*filter.seq_number) + ", got " +
                std::to_string(r->size()));
  return pass("notificationList, empty");
}

Outcome cancel_without_session(EuiccTarget& t) {
  // A fresh challenge ends any session: this transactionId names none.
  (void)es10b::get_euicc_challenge(t.channel);
  auto r = es10b::cancel_session(t.channel, Bytes{0xC0, 0x4F, 0x0A, 0x11, 0xDE, 0xAD, 0xBE, 0xEF},
                                 es10b::CancelSessionReason::undefinedReason);
  if (!r) return fail("expected cancelSessionResponseError invalidTransactionId (5), " + got(r.error()));
  if (r->ok()) return fail("expected cancelSessionResponseError invalidTransactionId (5), got cancelSessionResponseOk");
  if (*r->error_code != kInvalidTransactionId)
    return fail("expected invalidTransactionId (5), got code " + std::to_string(*r->error_code));
  return pass("invalidTransactionId (5)");
}

Outcome load_without_session(EuiccTarget& t) {
  (void)es10b::get_euicc_challenge(t.channel);
  // BF36 opening with an InitialiseSecureChannel of no session.
  Bytes bf23 = rsp::tlv::encode(
      0xBF23, rsp::concat({rsp::tlv::encode(0x82, Bytes{0x01}), rsp::tlv::encode(0x80, Bytes(8, 0x77)),
                           rsp::tlv::encode(0xA6, Bytes{0x80, 0x01, 0x88, 0x81, 0x01, 0x10, 0x84, 0x01, 0x01}),
                           rsp::tlv::encode(0x5F49, Bytes(65, 0x04)), rsp::tlv::encode(0x5F37, Bytes(64, 0x01))}));
  Bytes start = rsp::concat({rsp::tlv::encode_header(0xBF36, bf23.size() + 4), bf23});
  auto r = t.channel.call(start);
  download::remove_test_notifications(t);
  if (!r) {
    if (r.error().kind == ipa::Es10Error::Kind::status_word) return pass("refused with " + r.error().message);
    return fail("expected a refusal (a status word or an errorResult), " + got(r.error()));
  }
  auto result = download::child(*r, {0xBF27, 0xA2, 0xA1});
  if (result) return pass("errorResult");
  return fail("expected a refusal (a status word or an errorResult), got 9000 with " +
              (r->empty() ? std::string("no data") : rsp::to_hex(*r)));
}

Outcome prepare_without_session(EuiccTarget& t) {
  using namespace download;
  if (auto skip = preconditions(t, false)) return *skip;
  auto dp = trusted_credentials(t);
  if (!dp) return not_applicable(dp.error().message);
  (void)es10b::get_euicc_challenge(t.channel);  // a new session, not authenticated
  Session s;
  s.euicc_signature1 = rsp::tlv::encode(0x5F37, Bytes(64, 0x01));
  auto r = prepare(t, *dp, s, {});
  (void)es10b::cancel_session(t.channel, s.transaction_id, es10b::CancelSessionReason::undefinedReason);
  if (!r) return fail("expected downloadResponseError noSessionContext (4), " + got(r.error()));
  if (r->ok()) return fail("expected downloadResponseError noSessionContext (4), got downloadResponseOk");
  if (*r->error_code != kNoSessionContext && *r->error_code != kInvalidTransactionId)
    return fail("expected noSessionContext (4) or invalidTransactionId (5), got code " +
                std::to_string(*r->error_code));
  return pass("downloadResponseError " + std::to_string(*r->error_code));
}

Outcome replayed_authenticate_server(EuiccTarget& t) {
  download::Tamper tamper;
  tamper.replayed = true;
  Outcome o = download::authenticate_error(t, tamper, {download::kNoSessionContext, download::kEuiccChallengeMismatch},
                                           "noSessionContext (4) or euiccChallengeMismatch (6)");
  (void)es10b::cancel_session(t.channel, download::Session{}.transaction_id,
                              es10b::CancelSessionReason::undefinedReason);
  return o;
}

// SGP.22 v2.5 §5.7.14: a session's CancelSession answered with euiccCancelSessionSigned
// (transactionId, smdpOid, reason) signed with the key of CERT.EUICC; the session is then over.
Outcome cancel_session_nominal(EuiccTarget& t) {
  using namespace download;
  Session s;
  auto session = authenticated(t, s);
  if (auto* o = std::get_if<Outcome>(&session)) return *o;
  const SmdpCredentials& dp = std::get<download::Authenticated>(session).dp;
  auto a0 = rsp::tlv::read_all(child(std::get<download::Authenticated>(session).answer.tlv, {0xA0})->value);
  std::optional<rsp::crypto::Certificate> euicc_certificate;
  if (a0 && a0->size() >= 3) {
    if (auto c = rsp::crypto::Certificate::from_der((*a0)[2].whole)) euicc_certificate = std::move(*c);
  }
  auto r = es10b::cancel_session(t.channel, s.transaction_id, es10b::CancelSessionReason::postponed);
  auto again = es10b::cancel_session(t.channel, s.transaction_id, es10b::CancelSessionReason::postponed);
  if (!euicc_certificate) return fail("AuthenticateServerResponse: expected CERT.EUICC after euiccSignature1");
  if (!r || !r->ok())
    return fail("expected cancelSessionResponseOk, got " +
                (r ? "error code " + std::to_string(*r->error_code) : r.error().message));
  auto signed_part = child(r->tlv, {0xA0, 0x30});
  auto signature = child(r->tlv, {0xA0, 0x5F37});
  if (!signed_part || !signature) return fail("expected euiccCancelSessionSigned and its signature");
  auto tid = rsp::tlv::find(signed_part->value, 0x80);
  auto oid = rsp::tlv::find(signed_part->value, 0x81);
  auto reason = rsp::tlv::find(signed_part->value, 0x82);
  if (!tid || Bytes(tid->value.begin(), tid->value.end()) != s.transaction_id)
    return fail("expected the session's transactionId in euiccCancelSessionSigned");
  if (!oid || Bytes(oid->value.begin(), oid->value.end()) != dp.auth.registered_id_der().value_or(Bytes{}))
    return fail("expected smdpOid = CERT.DPauth's registeredID in euiccCancelSessionSigned");
  if (!reason || Bytes(reason->value.begin(), reason->value.end()) != Bytes{0x01})
    return fail("expected reason postponed (1) echoed");
  auto key = euicc_certificate->public_key();
  if (!key || !rsp::crypto::verify(*key, signed_part->whole, signature->value))
    return fail("expected euiccCancelSessionSignature to verify with CERT.EUICC, it does not");
  if (again && again->ok())
    return fail("expected the session over after CancelSession, got a second CancelSession accepted");
  return pass("signed by CERT.EUICC; a second CancelSession refused");
}

using AddressSetter = std::function<ipa::Es10Status(EuiccTarget&, const std::string&)>;

// SGP.32 v1.2 ES10b.SetDefaultDpAddress (BF65 { 80 address } -> BF65 { 80 result }).
ipa::Es10Status sgp32_set_default_dp_address(EuiccTarget& t, const std::string& address) {
  auto r = t.channel.call(rsp::tlv::encode(0xBF65, rsp::tlv::encode(0x80, rsp::to_bytes(address))));
  if (!r) return rsp::Unexpected{r.error()};
  auto result = download::child(*r, {0x80});
  if (!result || result->value.size() != 1)
    return rsp::Unexpected{ipa::Es10Error{ipa::Es10Error::Kind::malformed, 0, 0, "BF65: " + rsp::to_hex(*r)}};
  if (result->value[0] != 0)
    return rsp::Unexpected{ipa::Es10Error{ipa::Es10Error::Kind::result, 0, result->value[0],
                                          "setDefaultDpAddressResult " + std::to_string(result->value[0])}};
  return rsp::Ok{};
}

// SetDefaultDpAddress through `set` (SGP.22's BF3F or SGP.32's BF65), read back with
// GetEuiccConfiguredAddresses, and the address found at first restored.
Outcome set_default_dp_address(EuiccTarget& t, const AddressSetter& set_address) {
  if (!t.destructive)
    return not_applicable("needs --destructive (changes the default SM-DP+ address, then restores it)");
  auto before = ipa::es10a::get_euicc_configured_addresses(t.channel);
  if (!before) return fail("GetEuiccConfiguredAddresses: " + before.error().message);
  const std::string address = download::kServerAddress;
  auto set = set_address(t, address);
  auto read = ipa::es10a::get_euicc_configured_addresses(t.channel);
  std::string old = before->default_dp_address.value_or("");
  auto restored = set_address(t, old);
  if (!set && not_sgp32_or_22(set.error()))
    return not_applicable("the card refuses this SetDefaultDpAddress (" + set.error().message + ")");
  if (!set) return fail("expected SetDefaultDpAddress ok, " + got(set.error()));
  if (!read || read->default_dp_address != address)
    return fail("expected the default SM-DP+ address " + address + " read back, got " +
                (read ? read->default_dp_address.value_or("none") : read.error().message));
  if (!restored) return fail("cannot restore the default SM-DP+ address '" + old + "': " + restored.error().message);
  return pass("set, read back, restored");
}

// The profile-state cases, on the test profile the harness installs.
ProfileIdentifier test_profile_identifier() { return ProfileIdentifier::by_iccid(download::kTestIccid); }

Outcome disable_disabled(EuiccTarget& t) {
  return download::with_test_profile(t, [&] {
    return expect_code(es10c::disable_profile(t.channel, test_profile_identifier()), kWrongState,
                       "profileNotInEnabledState");
  });
}

Outcome enable_enabled(EuiccTarget& t) {
  return download::with_test_profile(t, [&] {
    if (auto first = es10c::enable_profile(t.channel, test_profile_identifier()); !first)
      return fail("expected the first EnableProfile of the test profile ok, " + got(first.error()));
    return expect_code(es10c::enable_profile(t.channel, test_profile_identifier()), kWrongState,
                       "profileNotInDisabledState");
  });
}

Outcome delete_enabled(EuiccTarget& t) {
  return download::with_test_profile(t, [&] {
    if (auto first = es10c::enable_profile(t.channel, test_profile_identifier()); !first)
      return fail("expected EnableProfile of the test profile ok, " + got(first.error()));
    return expect_code(es10c::delete_profile(t.channel, test_profile_identifier()), kWrongState,
                       "profileNotInDisabledState");
  });
}

// SGP.22 v2.5 §5.7.10: the installation result is kept as the install notification, retrievable by
// its seqNumber.
Outcome install_notification(EuiccTarget& t) {
  return download::with_test_profile(t, [&] {
    auto list = es10b::list_notification(t.channel, es10b::NotificationEvent::install);
    if (!list) return fail("ListNotification: " + list.error().message);
    auto mine = std::find_if(list->begin(), list->end(), [](const auto& n) { return n.iccid == download::kTestIccid; });
    if (mine == list->end())
      return fail("expected an install notification of the test profile in ListNotification, got none");
    es10b::NotificationFilter filter;
    filter.seq_number = mine->seq_number;
    auto r = es10b::retrieve_notifications_list(t.channel, filter);
    if (!r || r->size() != 1)
      return fail("expected one notification for seqNumber " + std::to_string(mine->seq_number) + ", got " +
                  (r ? std::to_string(r->size()) : r.error().message));
    const auto& n = r->front();
    if (n.metadata.seq_number != mine->seq_number || n.metadata.iccid != download::kTestIccid)
      return fail("expected the notification's metadata to name seqNumber " + std::to_string(mine->seq_number) +
                  " and the test ICCID");
    if (!download::child(n.tlv, {0xBF27, 0xA2, 0xA0}))
      return fail("expected a ProfileInstallationResult (BF37) with successResult, got " + rsp::to_hex(n.tlv));
    return pass("ProfileInstallationResult with successResult, seqNumber " + std::to_string(mine->seq_number));
  });
}

// eUICCMemoryReset with only resetDefaultSmdpAddress (`reset`), on an address the case sets first:
// ok and the address gone, then nothingToDelete (1); the address found at first restored.
Outcome reset_default_address(EuiccTarget& t, const std::string& function,
                              const std::function<ipa::Es10Status()>& reset) {
  if (!t.destructive)
    return not_applicable("needs --destructive (resets the default SM-DP+ address, then restores it)");
  auto before = ipa::es10a::get_euicc_configured_addresses(t.channel);
  if (!before) return fail("GetEuiccConfiguredAddresses: " + before.error().message);
  std::string old = before->default_dp_address.value_or("");
  if (auto set = ipa::es10a::set_default_dp_address(t.channel, download::kServerAddress); !set)
    return fail("SetDefaultDpAddress: " + set.error().message);
  auto first = reset();
  auto read = ipa::es10a::get_euicc_configured_addresses(t.channel);
  auto second = reset();
  auto restored = ipa::es10a::set_default_dp_address(t.channel, old);
  if (!first && not_sgp32_or_22(first.error()))
    return not_applicable("the card refuses " + function + " (" + first.error().message + ")");
  if (!first) return fail("expected " + function + " ok, " + got(first.error()));
  if (!read || read->default_dp_address.value_or("") != "")
    return fail("expected no default SM-DP+ address after the reset, got " +
                (read ? read->default_dp_address.value_or("") : read.error().message));
  if (Outcome o = expect_code(second, kNothingToDelete, "nothingToDelete"); o.verdict != Verdict::pass)
    return fail("the second reset: " + o.detail);
  if (!restored) return fail("cannot restore the default SM-DP+ address '" + old + "': " + restored.error().message);
  return pass("reset, then nothingToDelete (1); address restored");
}

Outcome nickname(EuiccTarget& t) {
  return download::with_test_profile(t, [&] {
    if (auto set = es10c::set_nickname(t.channel, download::kTestIccid, "conformance"); !set)
      return fail("expected SetNickname ok, " + got(set.error()));
    es10c::ProfileSearch search;
    search.profile = test_profile_identifier();
    auto r = es10c::get_profiles_info(t.channel, search);
    if (!r || r->size() != 1 || r->front().nickname != "conformance")
      return fail("expected the test profile with nickname 'conformance', got " +
                  (r ? std::to_string(r->size()) + " profile(s)" : r.error().message));
    return pass("nickname set and listed");
  });
}

Outcome eim_configuration_unknown_id(EuiccTarget& t) {
  auto r = ipa::sgp32::get_eim_configuration_data(t.channel, std::string("rsp-conformance-no-such-eim"));
  if (!r) {
    if (not_sgp32(r.error()))
      return not_applicable("no ES10b.GetEimConfigurationData (" + r.error().message + "): not an SGP.32 eUICC");
    return fail("expected an empty EimConfigurationDataList, " + got(r.error()));
  }
  if (!r->empty()) return fail("expected no eIM for an unknown eimId, got " + std::to_string(r->size()));
  return pass("empty list");
}

// An SGP.32 profile function with refreshFlag FALSE (BFxx { 80 01 00 }) and its result [0] INTEGER.
rsp::Expected<long> sgp32_result(EuiccTarget& t, rsp::tlv::Tag tag, std::optional<ipa::Es10Error>& refused) {
  auto r = t.channel.call(rsp::tlv::encode(tag, rsp::tlv::encode(0x80, Bytes{0x00})));
  if (!r) {
    refused = r.error();
    return rsp::fail(r.error().message);
  }
  auto result = download::child(*r, {0x80});
  auto top = rsp::tlv::read(*r);
  if (!top || top->tag != tag || !result || result->value.size() != 1)
    return rsp::fail("an answer off the schema: " + rsp::to_hex(*r));
  return static_cast<long>(result->value[0]);
}

// `function` (tag `tag`) must answer one of `codes`; --destructive, as a wrong answer may switch profiles.
Outcome sgp32_refused(EuiccTarget& t, const std::string& function, rsp::tlv::Tag tag, std::set<long> codes,
                      const std::string& want) {
  if (!t.destructive)
    return not_applicable("needs --destructive (a card that wrongly carries it out changes the enabled profile)");
  std::optional<ipa::Es10Error> refused;
  auto code = sgp32_result(t, tag, refused);
  if (refused && not_sgp32(*refused))
    return not_applicable("no ES10b." + function + " (" + refused->message + "): not an SGP.32 eUICC");
  if (!code) return fail("expected " + want + ", got " + code.error().message);
  if (!codes.count(*code)) return fail("expected " + want + ", got " + std::to_string(*code));
  return pass("result " + std::to_string(*code));
}

Outcome connectivity_parameters(EuiccTarget& t) {
  auto r = t.channel.call(rsp::tlv::encode(0xBF5F, Bytes{}));
  if (!r) {
    if (not_sgp32(r.error()))
      return not_applicable("no ES10b.GetConnectivityParameters (" + r.error().message + "): not an SGP.32 eUICC");
    return fail("expected GetConnectivityParametersResponse, " + got(r.error()));
  }
  auto top = rsp::tlv::read(*r);
  auto items = top ? rsp::tlv::read_all(top->value) : rsp::Expected<std::vector<rsp::tlv::Tlv>>(rsp::fail("no TLV"));
  if (!top || top->tag != 0xBF5F || !items || items->size() != 1)
    return fail("expected BF5F with one alternative, got " + rsp::to_hex(*r));
  const auto& choice = items->front();
  if (choice.tag == 0xA0) return pass("connectivityParameters");
  if (choice.tag == 0x81 && choice.value.size() == 1 && (choice.value[0] == 1 || choice.value[0] == 127))
    return pass("connectivityParametersError " + std::to_string(choice.value[0]));
  return fail("expected connectivityParameters (A0) or connectivityParametersError (81), got " +
              rsp::to_hex(choice.whole));
}

Outcome rollback_not_allowed(EuiccTarget& t) {
  if (!t.destructive)
    return not_applicable("needs --destructive (a card that wrongly rolls back changes the enabled profile)");
  auto r = ipa::sgp32::profile_rollback(t.channel);
  if (r) return fail("expected rollbackNotAllowed (1) with no eIM enable to roll back, got a rollback");
  if (not_sgp32(r.error()))
    return not_applicable("no ES10b.ProfileRollback (" + r.error().message + "): not an SGP.32 eUICC");
  if (r.error().kind != ipa::Es10Error::Kind::result || r.error().code != 1)
    return fail("expected rollbackNotAllowed (1), " + got(r.error()));
  return pass("rollbackNotAllowed (1)");
}

Outcome immediate_enable_unavailable(EuiccTarget& t) {
  if (!t.destructive)
    return not_applicable("needs --destructive (a card that wrongly enables changes the enabled profile)");
  (void)es10b::get_euicc_challenge(t.channel);  // no download just done
  auto r = ipa::sgp32::immediate_enable(t.channel);
  if (r)
    return fail("expected immediateEnableNotAvailable (1) or noSessionContext (4) with no download before, got ok");
  if (not_sgp32(r.error()))
    return not_applicable("no ES10b.ImmediateEnable (" + r.error().message + "): not an SGP.32 eUICC");
  if (r.error().kind != ipa::Es10Error::Kind::result || (r.error().code != 1 && r.error().code != 4))
    return fail("expected immediateEnableNotAvailable (1) or noSessionContext (4), " + got(r.error()));
  return pass(r.error().message);
}

}  // namespace

std::vector<Case> euicc_es10_error_cases() {
  const std::string iccid = std::string("ICCID ") + kAbsentIccid;
  const std::string absent = " " + iccid + " (absent from the card)";
  const std::string state = "the test profile the harness installs (--pki --destructive)";
  return {
      on_absent_profile(
          "ES10c.EnableProfile", "SGP.22 v2.5 §5.7.16", iccid, kNotFound, "iccidOrAidNotFound",
          [](EuiccTarget& t) { return es10c::enable_profile(t.channel, ProfileIdentifier::by_iccid(kAbsentIccid)); }),
      on_absent_profile(
          "ES10c.EnableProfile", "SGP.22 v2.5 §5.7.16", "AID " + rsp::to_hex(kAbsentAid), kNotFound,
          "iccidOrAidNotFound",
          [](EuiccTarget& t) { return es10c::enable_profile(t.channel, ProfileIdentifier::by_isdp_aid(kAbsentAid)); }),
      on_absent_profile(
          "ES10c.DisableProfile", "SGP.22 v2.5 §5.7.17", iccid, kNotFound, "iccidOrAidNotFound",
          [](EuiccTarget& t) { return es10c::disable_profile(t.channel, ProfileIdentifier::by_iccid(kAbsentIccid)); }),
      on_absent_profile(
          "ES10c.DeleteProfile", "SGP.22 v2.5 §5.7.18", iccid, kNotFound, "iccidOrAidNotFound",
          [](EuiccTarget& t) { return es10c::delete_profile(t.channel, ProfileIdentifier::by_iccid(kAbsentIccid)); }),
      on_absent_profile("ES10c.SetNickname", "SGP.22 v2.5 §5.7.21", iccid, kNotFound, "iccidNotFound",
                        [](EuiccTarget& t) { return es10c::set_nickname(t.channel, kAbsentIccid, "x"); }),
      euicc("ES10c.GetProfilesInfo.UnknownIccid", "SGP.22 v2.5 §5.7.15", "GetProfilesInfo searching ICCID" + absent,
            "profileInfoListOk with no profile", profiles_info_unknown_iccid),
      euicc("ES10b.RemoveNotificationFromList.UnknownSeqNumber", "SGP.22 v2.5 §5.7.11",
            "RemoveNotificationFromList of a seqNumber above every pending one", "nothingToDelete (1)",
            remove_unknown_notification),
      euicc("ES10b.RetrieveNotificationsList.UnknownSeqNumber", "SGP.22 v2.5 §5.7.10",
            "RetrieveNotificationsList of a seqNumber above every pending one", "notificationList with no notification",
            retrieve_unknown_notification),
      euicc("ES10b.CancelSession.NoSession", "SGP.22 v2.5 §5.7.14", "CancelSession of a transactionId with no session",
            "cancelSessionResponseError invalidTransactionId (5)", cancel_without_session),
      euicc("ES10b.LoadBoundProfilePackage.NoSession", "SGP.22 v2.5 §5.7.6",
            "BF36 and an InitialiseSecureChannel without PrepareDownload",
            "a refusal: a status word other than 9000, or an errorResult", load_without_session),
      euicc("ES10b.PrepareDownload.NoSessionContext", "SGP.22 v2.5 §5.7.5",
            "a validly signed PrepareDownload after GetEUICCChallenge, without AuthenticateServer (--pki)",
            "downloadResponseError noSessionContext (4) or invalidTransactionId (5)", prepare_without_session),
      euicc("ES10b.AuthenticateServer.Replayed", "SGP.22 v2.5 §5.7.13",
            "the same valid AuthenticateServerRequest twice (--pki)",
            "the second: authenticateResponseError noSessionContext (4) or euiccChallengeMismatch (6)",
            replayed_authenticate_server),
      euicc("ES10a.SetDefaultDpAddress.Nominal", "SGP.22 v2.5 §5.7.4",
            "SetDefaultDpAddress, GetEuiccConfiguredAddresses, then the old address again (--destructive)",
            "ok; the new address read back; the old one restored",
            [](EuiccTarget& t) {
              return set_default_dp_address(t, [](EuiccTarget& c, const std::string& a) {
                return ipa::es10a::set_default_dp_address(c.channel, a);
              });
            }),
      euicc("ES10b.SetDefaultDpAddress.Nominal", "SGP.32 v1.2 ES10b.SetDefaultDpAddress",
            "SetDefaultDpAddress (BF65), GetEuiccConfiguredAddresses, then the old address again (--destructive)",
            "ok; the new address read back; the old one restored",
            [](EuiccTarget& t) { return set_default_dp_address(t, sgp32_set_default_dp_address); }),
      euicc("ES10c.DisableProfile.NotEnabled", "SGP.22 v2.5 §5.7.17", "DisableProfile of " + state + ", disabled",
            "profileNotInEnabledState (2)", disable_disabled),
      euicc("ES10c.EnableProfile.AlreadyEnabled", "SGP.22 v2.5 §5.7.16",
            "EnableProfile twice of " + state + "; the profiles enabled before enabled again after",
            "ok, then profileNotInDisabledState (2)", enable_enabled),
      euicc("ES10c.DeleteProfile.Enabled", "SGP.22 v2.5 §5.7.18", "EnableProfile, then DeleteProfile of " + state,
            "profileNotInDisabledState (2)", delete_enabled),
      euicc("ES10c.SetNickname.Nominal", "SGP.22 v2.5 §5.7.21", "SetNickname of " + state,
            "ok; GetProfilesInfo lists the nickname", nickname),
      euicc(
          "ES10b.CancelSession.Nominal", "SGP.22 v2.5 §5.7.14",
          "CancelSession (postponed) after a valid AuthenticateServer, then again (--pki)",
          "cancelSessionResponseOk: transactionId, CERT.DPauth's smdpOid and the reason, signed with CERT.EUICC's key; the second refused",
          cancel_session_nominal),
      euicc("ES10b.GetConnectivityParameters.Nominal", "SGP.32 v1.2 ES10b.GetConnectivityParameters", "BF5F00",
            "connectivityParameters, or connectivityParametersError parametersNotAvailable (1) / undefinedError (127)",
            connectivity_parameters),
      euicc("ES10b.ReturnFromFallback.NotInFallback", "SGP.32 v1.2 ES10b.ReturnFromFallback",
            "ReturnFromFallback with no fallback executed (--destructive)",
            "fallbackNotAvailable (6) or commandError (7)",
            [](EuiccTarget& t) {
              return sgp32_refused(t, "ReturnFromFallback", 0xBF5E, {6, 7},
                                   "fallbackNotAvailable (6) or commandError (7)");
            }),
      euicc("ES10b.DisableEmergencyProfile.NotEnabled", "SGP.32 v1.2 ES10b.DisableEmergencyProfile",
            "DisableEmergencyProfile with no emergency profile enabled (--destructive)", "profileNotInEnabledState (2)",
            [](EuiccTarget& t) {
              return sgp32_refused(t, "DisableEmergencyProfile", 0xBF5C, {2}, "profileNotInEnabledState (2)");
            }),
      euicc(
          "ES10b.RetrieveNotificationsList.InstallResult", "SGP.22 v2.5 §5.7.10, §5.7.9",
          "ListNotification and RetrieveNotificationsList by seqNumber after installing " + state,
          "the install notification: a ProfileInstallationResult with successResult, its metadata naming the seqNumber and ICCID",
          install_notification),
      euicc(
          "ES10c.eUICCMemoryReset.DefaultSmdpAddress", "SGP.22 v2.5 §5.7.19",
          "SetDefaultDpAddress, then eUICCMemoryReset (BF34) with resetDefaultSmdpAddress twice; the old address restored (--destructive)",
          "ok and no default address, then nothingToDelete (1)",
          [](EuiccTarget& t) {
            return reset_default_address(t, "eUICCMemoryReset (BF34)", [&] {
              es10c::MemoryResetOptions o;
              o.reset_default_smdp_address = true;
              return es10c::euicc_memory_reset(t.channel, o);
            });
          }),
      euicc(
          "ES10b.eUICCMemoryReset.DefaultSmdpAddress", "SGP.32 v1.2 ES10b.eUICCMemoryReset",
          "SetDefaultDpAddress, then eUICCMemoryReset (BF64) with resetDefaultSmdpAddress twice; the old address restored (--destructive)",
          "ok and no default address, then nothingToDelete (1)",
          [](EuiccTarget& t) {
            return reset_default_address(t, "eUICCMemoryReset (BF64)", [&] {
              ipa::sgp32::MemoryResetOptions o;
              o.reset_default_smdp_address = true;
              return ipa::sgp32::euicc_memory_reset(t.channel, o);
            });
          }),
      euicc("ES10b.GetEimConfigurationData.UnknownEimId", "SGP.32 v1.2 ES10b.GetEimConfigurationData",
            "BF55 searching an eimId the card does not know", "an empty EimConfigurationDataList",
            eim_configuration_unknown_id),
      euicc("ES10b.ProfileRollback.NotAllowed", "SGP.32 v1.2 ES10b.ProfileRollback",
            "ProfileRollback with no eIM enable before (--destructive)", "rollbackNotAllowed (1)",
            rollback_not_allowed),
      euicc("ES10b.ImmediateEnable.NotAvailable", "SGP.32 v1.2 ES10b.ImmediateEnable",
            "ImmediateEnable with no download before (--destructive)",
            "immediateEnableNotAvailable (1) or noSessionContext (4)", immediate_enable_unavailable),
  };
}

}  // namespace conformance
