// The eUICC role's SGP.32 cases: ES10b' (GetEimConfigurationData, GetCerts) and eUICC Packages
// (SGP.32 v1.2 §2.11, ES10b.LoadEuiccPackage). The package cases play the eIM of --pki
// (<curve>/eim.{der,key.pem}); they need --destructive, as they may add that eIM (AddInitialEim,
// only while the card has none) and advance its counter. Each result a package leaves on the card
// is removed again (RemoveNotificationFromList with its seqNumber).
#include <algorithm>
#include <functional>
#include <variant>

#include "case.hpp"
#include "eim/euicc_package.hpp"
#include "euicc_case.hpp"
#include "ipa/es10b.hpp"
#include "ipa/es10c.hpp"
#include "ipa/sgp32_es10b.hpp"
#include "rsp/crypto/certificate.hpp"
#include "rsp/pki/pki_layout.hpp"
#include "rsp/tlv.hpp"

namespace conformance {
namespace {

using rsp::Bytes;
namespace crypto = rsp::crypto;

const std::string kEimId = "rsp-conformance-eim";
constexpr long kInvalidCiPkId = 1, kInvalidEid = 3, kReplayError = 4;

Outcome eim_configuration_nominal(EuiccTarget& t) {
  auto eims = ipa::sgp32::get_eim_configuration_data(t.channel);
  if (!eims) {
    if (not_sgp32(eims.error()))
      return not_applicable("no ES10b.GetEimConfigurationData (" + eims.error().message + "): not an SGP.32 eUICC");
    return fail("expected EimConfigurationDataList, got: " + eims.error().message);
  }
  for (const auto& e : *eims)
    if (e.eim_id.empty() || e.eim_id.size() > 128)
      return fail("expected eimId of 1..128 characters, got " + std::to_string(e.eim_id.size()));
  return pass(std::to_string(eims->size()) + " eIM(s)");
}

Outcome certs_nominal(EuiccTarget& t) {
  auto certs = ipa::sgp32::get_certs(t.channel);
  if (!certs) {
    if (not_sgp32(certs.error()))
      return not_applicable("no ES10b.GetCerts (" + certs.error().message + "): not an SGP.32 eUICC");
    return fail("expected GetCertsResponse, got: " + certs.error().message);
  }
  auto eum = crypto::Certificate::from_der(certs->eum_certificate);
  auto euicc = crypto::Certificate::from_der(certs->euicc_certificate);
  if (!eum || !euicc) return fail("expected CERT.EUM and CERT.EUICC as X.509, got one that does not parse");
  if (!eum->subject_key_id() || euicc->authority_key_id() != eum->subject_key_id())
    return fail(
        "expected CERT.EUICC issued by CERT.EUM (authorityKeyIdentifier = the EUM's subjectKeyIdentifier), got another");
  return pass("CERT.EUM and CERT.EUICC, chained");
}

Outcome certs_unknown_ci(EuiccTarget& t) {
  auto certs = ipa::sgp32::get_certs(t.channel, Bytes(20, 0xA5));
  if (certs) return fail("expected getCertsError invalidCiPKId (1), got the certificates");
  if (not_sgp32(certs.error()))
    return not_applicable("no ES10b.GetCerts (" + certs.error().message + "): not an SGP.32 eUICC");
  if (certs.error().kind != ipa::Es10Error::Kind::result || certs.error().code != kInvalidCiPkId)
    return fail("expected getCertsError invalidCiPKId (1), got: " + certs.error().message);
  return pass("invalidCiPKId (1)");
}

// The eIM the harness plays, associated with the card, and what the eIM knows of the card.
struct Eim {
  crypto::PrivateKey key;
  eim::EuiccTrust trust;
  Bytes eid;
  uint64_t counter = 0;  // the last counterValue the card accepted from this eIM
  Bytes configuration;   // its EimConfigurationData, as AddInitialEim takes it
};

// The certificate's SEQUENCE contents (it goes in with the implicit tag [1]).
Bytes certificate_contents(const crypto::Certificate& cert) {
  Bytes der = cert.der();
  auto sequence = rsp::tlv::read(der);
  return Bytes(sequence->value.begin(), sequence->value.end());
}

// The eIM's EimConfigurationData: eimId and eimPublicKeyData [5] eimCertificate [1].
Bytes configuration_data(const crypto::Certificate& cert) {
  Bytes members = rsp::tlv::encode(0x80, rsp::to_bytes(kEimId));
  Bytes key = rsp::tlv::encode(0xA5, rsp::tlv::encode(0xA1, certificate_contents(cert)));
  members.insert(members.end(), key.begin(), key.end());
  return rsp::tlv::encode(0x30, members);
}

rsp::Expected<uint64_t> counter_of(EuiccTarget& t) {
  auto eims = ipa::sgp32::get_eim_configuration_data(t.channel, kEimId);
  if (!eims || eims->empty()) return rsp::fail("GetEimConfigurationData: the harness's eIM is gone");
  return static_cast<uint64_t>(eims->front().counter_value.value_or(0));
}

// The harness's eIM on the card: found (same eimId and certificate) or added; an Outcome when the
// case cannot run.
std::variant<Eim, Outcome> associate(EuiccTarget& t) {
  if (!t.pki) return not_applicable("needs --pki (the eIM the harness plays and the CI the card trusts)");
  if (!t.destructive) return not_applicable("needs --destructive (may add the harness's eIM and advances its counter)");
  for (auto curve : rsp::pki::curves_present(*t.pki)) {
    auto cert = rsp::pki::load_certificate(*t.pki, curve, crypto::Role::eim);
    auto key = rsp::pki::load_key(*t.pki, curve, crypto::Role::eim);
    auto ci = rsp::pki::load_certificate(*t.pki, curve, crypto::Role::ci);
    if (!cert || !key || !ci) continue;
    auto eims = ipa::sgp32::get_eim_configuration_data(t.channel);
    if (!eims) return fail("GetEimConfigurationData: " + eims.error().message);
    Bytes contents = certificate_contents(*cert);
    auto mine = std::find_if(eims->begin(), eims->end(), [](const auto& e) { return e.eim_id == kEimId; });
    if (mine != eims->end()) {
      if (std::search(mine->tlv.begin(), mine->tlv.end(), contents.begin(), contents.end()) == mine->tlv.end())
        return not_applicable("the card knows an eIM '" + kEimId + "' with another key than --pki's");
    } else if (!eims->empty()) {
      return not_applicable("the card already has an eIM (AddInitialEim works only while it has none)");
    } else if (auto added = ipa::sgp32::add_initial_eim(t.channel, {configuration_data(*cert)}); !added) {
      return fail("AddInitialEim: expected addOk, got: " + added.error().message);
    }
    auto certs = ipa::sgp32::get_certs(t.channel);
    auto digits = ipa::es10c::get_eid(t.channel);
    auto counter = counter_of(t);
    if (!certs || !digits || !counter)
      return fail("GetCerts/GetEID/GetEimConfigurationData failed after AddInitialEim");
    auto eum = crypto::Certificate::from_der(certs->eum_certificate);
    auto euicc = crypto::Certificate::from_der(certs->euicc_certificate);
    if (!eum || !euicc) return fail("GetCerts: expected X.509 certificates");
    Eim out{std::move(*key), {std::move(*euicc), std::move(*eum), {}, 0}, *rsp::from_hex(*digits), *counter, {}};
    out.trust.cis.add(*ci);
    out.configuration = configuration_data(*cert);
    return out;
  }
  return not_applicable("--pki has no <curve>/eim.der with its key and CI");
}

eim::PackageRequest request_for(const Eim& e, uint64_t counter) {
  eim::PackageRequest r;
  r.eim_id = kEimId;
  r.eid = e.eid;
  r.counter_value = counter;
  r.eim_transaction_id = Bytes{0x43, 0x54};
  r.operations = {eim::psmo::get_rat()};
  return r;
}

struct Sent {
  eim::PackageOutcome outcome;
  std::string error;  // the exchange itself failed
};

// Builds, sends and verifies one package (as the answer to `expected`, by default `r`); `tamper`
// alters the request bytes before sending.
Sent send(EuiccTarget& t, const Eim& e, const eim::PackageRequest& r, const std::function<void(Bytes&)>& tamper = {},
          const std::optional<eim::PackageRequest>& expected = std::nullopt) {
  auto request = eim::build_euicc_package_request(r, e.key);
  if (!request) return {{}, "building the package: " + request.error().message};
  if (tamper) tamper(*request);
  auto answer = ipa::sgp32::load_euicc_package(t.channel, *request);
  if (!answer) return {{}, "LoadEuiccPackage: " + answer.error().message};
  Sent s{eim::verify_euicc_package_result(*answer, expected.value_or(r), e.trust), {}};
  if (s.outcome.seq_number) ipa::es10b::remove_notification_from_list(t.channel, *s.outcome.seq_number);
  return s;
}

std::string described(const eim::PackageOutcome& o) {
  switch (o.kind) {
    case eim::PackageOutcome::Kind::results: return "a signed result";
    case eim::PackageOutcome::Kind::signed_error:
      return "EuiccPackageErrorSigned " + o.error_name + " (" + std::to_string(o.error_code.value_or(-1)) + ")";
    case eim::PackageOutcome::Kind::failed:
      return (o.failure ? std::string(eim::verify_failure_name(*o.failure)) : std::string("failed")) + ": " + o.message;
  }
  return "?";
}

template <class F>
Outcome with_eim(EuiccTarget& t, F body) {
  auto e = associate(t);
  if (auto* o = std::get_if<Outcome>(&e)) return *o;
  return body(std::get<Eim>(e));
}

Outcome nominal(EuiccTarget& t) {
  return with_eim(t, [&](const Eim& e) {
    auto s = send(t, e, request_for(e, e.counter + 1));
    if (!s.error.empty()) return fail("expected a signed EuiccPackageResult, got: " + s.error);
    if (s.outcome.kind != eim::PackageOutcome::Kind::results || !s.outcome.all_ok())
      return fail("expected a signed result with getRAT ok that verifies, got " + described(s.outcome));
    auto after = counter_of(t);
    if (after && *after != e.counter + 1)
      return fail("expected the eIM's counter " + std::to_string(e.counter + 1) + ", got " + std::to_string(*after));
    return pass("getRAT result signed by CERT.EUICC, eimId, counter and transaction id echoed");
  });
}

// An error answer that must leave the counter where it was.
Outcome refused(EuiccTarget& t, const Eim& e, const Sent& s, bool want_unsigned, long code, const std::string& want) {
  if (!s.error.empty()) return fail("expected " + want + ", got: " + s.error);
  bool ok = want_unsigned ? s.outcome.kind == eim::PackageOutcome::Kind::failed &&
                                s.outcome.failure == eim::VerifyFailure::unsigned_error
                          : s.outcome.kind == eim::PackageOutcome::Kind::signed_error && s.outcome.error_code == code;
  if (!ok) return fail("expected " + want + ", got " + described(s.outcome));
  auto after = counter_of(t);
  if (!after || *after != e.counter) return fail("expected the counter unchanged at " + std::to_string(e.counter));
  return pass(want);
}

Outcome invalid_signature(EuiccTarget& t) {
  return with_eim(t, [&](const Eim& e) {
    // eimSignature (5F37) ends the request: flip one bit of its last byte.
    auto s = send(t, e, request_for(e, e.counter + 1), [](Bytes& b) { b.back() ^= 0x01; });
    return refused(t, e, s, true, 0, "EuiccPackageErrorUnsigned");
  });
}

Outcome package_with_replayed_counter(EuiccTarget& t) {
  return with_eim(t, [&](Eim& e) {
    auto first = send(t, e, request_for(e, e.counter + 1));
    if (!first.error.empty() || first.outcome.kind != eim::PackageOutcome::Kind::results)
      return fail("expected the first package accepted, got " +
                  (first.error.empty() ? described(first.outcome) : first.error));
    e.counter += 1;
    return refused(t, e, send(t, e, request_for(e, e.counter)), false, kReplayError,
                   "EuiccPackageErrorSigned replayError (4)");
  });
}

Outcome package_for_other_eid(EuiccTarget& t) {
  return with_eim(t, [&](const Eim& e) {
    auto r = request_for(e, e.counter + 1);
    r.eid.back() ^= 0x01;
    // The card signs the error with CERT.EUICC: checked as the answer of this card.
    auto s = send(t, e, r, {}, request_for(e, e.counter + 1));
    return refused(t, e, s, false, kInvalidEid, "EuiccPackageErrorSigned invalidEid (3)");
  });
}

Outcome unknown_eim(EuiccTarget& t) {
  return with_eim(t, [&](const Eim& e) {
    auto r = request_for(e, e.counter + 1);
    r.eim_id = "rsp-conformance-unknown-eim";
    return refused(t, e, send(t, e, r), true, 0, "EuiccPackageErrorUnsigned");
  });
}

// SGP.32 v1.2 ES10b.AddInitialEim while the card has an eIM (the harness's): refused.
Outcome add_initial_eim_again(EuiccTarget& t) {
  return with_eim(t, [&](const Eim& e) {
    auto added = ipa::sgp32::add_initial_eim(t.channel, {e.configuration});
    if (added) return fail("expected associatedEimAlreadyExists (2), got the eIM added again");
    if (added.error().kind != ipa::Es10Error::Kind::result || added.error().code != 2)
      return fail("expected associatedEimAlreadyExists (2), got: " + added.error().message);
    auto eims = ipa::sgp32::get_eim_configuration_data(t.channel);
    if (!eims || eims->size() != 1) return fail("expected the card to keep its one eIM");
    return pass("associatedEimAlreadyExists (2)");
  });
}

// SGP.32 v1.2 ES10b.ConfigureImmediateProfileEnabling while an eIM is associated: refused.
Outcome immediate_enabling_with_eim(EuiccTarget& t) {
  return with_eim(t, [&](const Eim&) {
    auto r = ipa::sgp32::configure_immediate_profile_enabling(t.channel, {});
    if (r) return fail("expected associatedEimAlreadyExists (2), got ok");
    if (r.error().kind != ipa::Es10Error::Kind::result || r.error().code != 2)
      return fail("expected associatedEimAlreadyExists (2), got: " + r.error().message);
    return pass("associatedEimAlreadyExists (2)");
  });
}

}  // namespace

std::vector<Case> euicc_sgp32_cases() {
  const std::string pkg = "SGP.32 v1.2 §2.11 ES10b.LoadEuiccPackage";
  return {
      euicc("ES10b.GetEimConfigurationData.Nominal", "SGP.32 v1.2 ES10b.GetEimConfigurationData", "BF55",
            "EimConfigurationDataList, each eimId 1..128 characters", eim_configuration_nominal),
      euicc("ES10b.GetCerts.Nominal", "SGP.32 v1.2 ES10b.GetCerts", "BF56", "CERT.EUM and CERT.EUICC, chained",
            certs_nominal),
      euicc("ES10b.GetCerts.UnknownCi", "SGP.32 v1.2 ES10b.GetCerts", "BF56 with an unknown euiccCiPKId",
            "invalidCiPKId (1)", certs_unknown_ci),
      euicc("ES10b.LoadEuiccPackage.Nominal", pkg, "BF51 getRAT, counter above the last",
            "signed result verifying under CERT.EUICC, eimId/counter/transaction id echoed", nominal),
      euicc("ES10b.LoadEuiccPackage.InvalidSignature", pkg, "BF51 with one bit of eimSignature flipped",
            "EuiccPackageErrorUnsigned, counter unchanged", invalid_signature),
      euicc("ES10b.LoadEuiccPackage.ReplayedCounter", pkg, "BF51 twice with the same counter",
            "EuiccPackageErrorSigned replayError (4)", package_with_replayed_counter),
      euicc("ES10b.LoadEuiccPackage.OtherEid", pkg, "BF51 for another EID", "EuiccPackageErrorSigned invalidEid (3)",
            package_for_other_eid),
      euicc("ES10b.LoadEuiccPackage.UnknownEim", pkg, "BF51 from an eimId the card does not know",
            "EuiccPackageErrorUnsigned", unknown_eim),
      euicc("ES10b.AddInitialEim.AlreadyAssociated", "SGP.32 v1.2 ES10b.AddInitialEim",
            "AddInitialEim of the harness's eIM while the card has it (--pki --destructive)",
            "associatedEimAlreadyExists (2); still one eIM", add_initial_eim_again),
      euicc(
          "ES10b.ConfigureImmediateProfileEnabling.EimAssociated",
          "SGP.32 v1.2 ES10b.ConfigureImmediateProfileEnabling",
          "ConfigureImmediateProfileEnabling (immediate enable off) while the harness's eIM is associated (--pki --destructive)",
          "associatedEimAlreadyExists (2)", immediate_enabling_with_eim),
  };
}

}  // namespace conformance
