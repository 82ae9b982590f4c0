// The SM-DP+ role's handleNotification cases (SGP.22 v2.5 §5.6.4), each on an ES2+ order of its
// own. handleNotification answers nothing either way, so what the SM-DP+ made of a notification
// shows in the session it names: a ProfileInstallationResult the SM-DP+ accepts ends that session
// (a later getBoundProfilePackage is 8.10.1/3.9), one it must refuse leaves the session as it was
// (the package can still be asked again: the same BPP, another binding, or 8.2/3.7).
#include "auth_steps.hpp"
#include "case.hpp"
#include "rsp/crypto/ecdsa.hpp"
#include "rsp/tlv.hpp"
#include "smdp_made_certs.hpp"
#include "smdp_session.hpp"

namespace conformance {
namespace {

using ipa::Bytes;
using ipa::ByteView;

// An order of the case's own downloaded and installed by the harness eUICC, its result not sent.
struct Installed {
  Prepared prepared;
  Bytes result;  // ProfileInstallationResult 'BF37'
};
rsp::Expected<Installed> installed_unreported(SmdpTarget& target) {
  auto p = prepare_ordered(target);
  if (!p) return rsp::fail(p.error().message);
  auto bpp = get_package(*p);
  if (!bpp) return rsp::fail("getBoundProfilePackage: " + bpp.error().describe());
  auto result = install(*p->authenticated.session.euicc, bpp->bound_profile_package);
  if (!result) return rsp::fail(result.error().message);
  return Installed{std::move(*p), std::move(result->tlv)};
}

// The session is still open: getBoundProfilePackage again gives a package or 8.2/3.7, not 8.10.1/3.9.
Outcome still_open(Prepared& p, const std::string& what) {
  auto again = get_package(p);
  if (again) return pass(what + " left the session open");
  const auto& e = again.error();
  if (e.is_function() && e.subject_code == "8.2" && e.reason_code == "3.7")
    return pass(what + " left the session open (8.2/3.7)");
  return fail("expected the session still open after " + what + " (getBoundProfilePackage: a BPP or 8.2/3.7), got " +
              e.describe());
}

// The genuine result ends the session: shows that the check above could tell.
Outcome genuine_ends(Installed& i, Outcome open) {
  if (open.verdict != Verdict::pass) return open;
  auto& client = *i.prepared.authenticated.session.client;
  if (auto sent = client.handle_notification(i.result); !sent)
    return fail("the genuine result: handleNotification " + sent.error().describe());
  auto after = expect_codes(get_package(i.prepared), {{"8.10.1", "3.9"}});
  if (after.verdict != Verdict::pass) return fail("after the genuine result, getBoundProfilePackage: " + after.detail);
  return pass(open.detail + "; the genuine result ended it");
}

// euiccSignPIR with its last byte flipped.
Outcome forged_result(SmdpTarget& target) {
  if (!target.operator_es2) return not_applicable(kNeedsOrder);
  auto i = installed_unreported(target);
  if (!i) return fail(i.error().message);
  Bytes forged = i->result;
  auto outer = rsp::tlv::read(forged);
  auto signature = outer ? rsp::tlv::find(outer->value, 0x5F37) : std::nullopt;
  if (!signature || signature->value.empty())
    return fail("the harness eUICC's ProfileInstallationResult has no euiccSignPIR");
  forged[static_cast<size_t>(signature->value.data() - forged.data()) + signature->value.size() - 1] ^= 0x01;
  if (auto sent = i->prepared.authenticated.session.client->handle_notification(forged); !sent)
    return fail("expected handleNotification to be answered (HTTP 204), got " + sent.error().describe());
  return genuine_ends(*i, still_open(i->prepared, "a result with a forged euiccSignPIR"));
}

// CERT.EUICC in an AuthenticateServerResponse (BF38 / A0, its third member); empty when absent.
Bytes euicc_certificate_of(ByteView response) {
  auto outer = rsp::tlv::read(response);
  auto ok = outer ? rsp::tlv::find(outer->value, 0xA0) : std::nullopt;
  if (!ok) return {};
  auto parts = rsp::tlv::read_all(ok->value);
  return parts && parts->size() > 2 ? Bytes((*parts)[2].whole.begin(), (*parts)[2].whole.end()) : Bytes{};
}

// ProfileInstallationResultData with another transactionId, signed again with `key`.
Bytes result_for(ByteView result, ByteView transaction_id, const rsp::crypto::PrivateKey& key) {
  auto outer = rsp::tlv::read(result);
  auto data = outer ? rsp::tlv::find(outer->value, 0xBF27) : std::nullopt;
  if (!data) return {};
  auto members = rsp::tlv::read_all(data->value);
  if (!members) return {};
  Bytes body;
  for (const auto& m : *members) {
    Bytes part = m.tag == 0x80 ? rsp::tlv::encode(0x80, transaction_id) : Bytes(m.whole.begin(), m.whole.end());
    body.insert(body.end(), part.begin(), part.end());
  }
  Bytes signed_data = rsp::tlv::encode(0xBF27, body);
  Bytes signature = rsp::tlv::encode(0x5F37, rsp::crypto::sign(key, signed_data));
  signed_data.insert(signed_data.end(), signature.begin(), signature.end());
  return rsp::tlv::encode(0xBF37, signed_data);
}

// eUICC A's genuine result, re-signed by A for the session of another eUICC B (another EID, its
// credentials made from --pki's EUM key): B's session must stay open.
Outcome other_session_result(SmdpTarget& target) {
  if (!target.operator_es2) return not_applicable(kNeedsOrder);
  auto a = installed_unreported(target);
  if (!a) return fail(a.error().message);
  auto key = euicc_key_of(target.pki, euicc_certificate_of(a->prepared.authenticated.response));
  if (!key) return not_applicable("needs --pki's eUICC key (the harness signs as the eUICC): " + key.error().message);
  std::optional<Prepared> b;
  {
    MadeCredentials other(target, CertDefect::none);
    if (!other.made)
      return other.made.error().message.starts_with("needs ") ? not_applicable(other.made.error().message)
                                                              : fail(other.made.error().message);
    auto prepared = prepare_ordered(target);
    if (!prepared) return fail("the second eUICC: " + prepared.error().message);
    b.emplace(std::move(*prepared));
  }
  if (a->prepared.authenticated.session.euicc->eid() == b->authenticated.session.euicc->eid())
    return fail("the harness made the second eUICC with the first one's EID");
  auto first = get_package(*b);
  if (!first) return fail("the second eUICC's getBoundProfilePackage: " + first.error().describe());
  Bytes foreign = result_for(a->result, b->authenticated.transaction_id, *key);
  if (foreign.empty())
    return fail("the harness eUICC's ProfileInstallationResult has no ProfileInstallationResultData");
  if (auto sent = b->authenticated.session.client->handle_notification(foreign); !sent)
    return fail("expected handleNotification to be answered (HTTP 204), got " + sent.error().describe());
  return still_open(*b, "another eUICC's result naming this session");
}

}  // namespace

std::vector<Case> smdp_es9_notification_cases() {
  const std::string n_a = "; n/a without operator credentials";
  return {
      smdp_case(
          "ES9p.HandleNotification.ForgedResult", "SGP.22 v2.5 §5.6.4",
          "a ProfileInstallationResult with euiccSignPIR's last byte flipped, then getBoundProfilePackage again, then the genuine "
          "result and getBoundProfilePackage again",
          "the forged result leaves the session open (a BPP or 8.2/3.7), the genuine one ends it (8.10.1/3.9)" + n_a,
          forged_result),
      smdp_case(
          "ES9p.HandleNotification.OtherSessionResult", "SGP.22 v2.5 §5.6.4",
          "eUICC A's ProfileInstallationResult, validly signed by A, naming the transactionId of eUICC B's session; then "
          "getBoundProfilePackage again in B's session",
          "B's session stays open (a BPP or 8.2/3.7)" + n_a, other_session_result),
  };
}

}  // namespace conformance
