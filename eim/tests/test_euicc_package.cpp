// The eIM's eUICC Packages against the software eUICC in-process: the eIM (the PKI's eim key and
// certificate, given to the card by AddInitialEim) builds signed packages with eim_packages, the
// card runs them, and eim_packages verifies the results with CERT.EUICC from GetCerts, chained to
// the PKI's CI.
#include <catch2/catch.hpp>

#include "eim/euicc_package.hpp"
#include "eim_card_fixture.hpp"
#include "rsp/crypto/ecdsa.hpp"
#include "rsp/iccid.hpp"
#include "rsp/tlv.hpp"

namespace {

using eim::Operation;
using eim::PackageOutcome;
using eim::PackageRequest;
using eim::VerifyFailure;
namespace psmo = eim::psmo;
namespace eco = eim::eco;

using namespace eim::test;

struct Fixture : CardWithEim {
  uint64_t counter = 0;

  // The eUICC's certificates as the eIM gets them (GetCerts), and the PKI's CI.
  eim::EuiccTrust trust() {
    Bytes response = call(hex("BF56 00"));
    auto a0 = rsp::tlv::read(rsp::tlv::read(response)->value).value();
    auto parts = rsp::tlv::read_all(a0.value).value();
    REQUIRE(parts.size() == 2);
    eim::EuiccTrust t{crypto::Certificate::from_der(tlv(0x30, parts[1].value)).value(),
                      crypto::Certificate::from_der(tlv(0x30, parts[0].value)).value(),
                      {},
                      0};
    t.cis.add(rsp::pki::load_certificate(pki, Curve::nist_p256, Role::ci).value());
    return t;
  }

  PackageRequest request(std::vector<Operation> operations, std::optional<uint64_t> counter_value = {}) {
    PackageRequest r;
    r.eim_id = kEimId;
    r.eid = card->eid_bytes;
    r.counter_value = counter_value.value_or(counter + 1);
    if (!counter_value) counter = r.counter_value;
    r.eim_transaction_id = hex("0102A0");
    r.operations = std::move(operations);
    r.association_token = token;
    return r;
  }

  Bytes send(const PackageRequest& r, const crypto::PrivateKey& key) {
    auto package = eim::build_euicc_package_request(r, key);
    if (!package) FAIL(package.error().message);
    return call(*package);
  }
  PackageOutcome run(const PackageRequest& r) { return eim::verify_euicc_package_result(send(r, eim_key), r, trust()); }
  euicc::ProfileState state_of(const std::string& iccid) { return card->state.find_profile(iccid)->state; }
};

const eim::OperationResult& only(const PackageOutcome& o) {
  INFO(o.message);
  REQUIRE(o.kind == PackageOutcome::Kind::results);
  REQUIRE(o.results.size() == 1);
  return o.results[0];
}

// Replaces the signed data's member `tag` by `replacement`, then signs data || token with `key`.
Bytes resign(ByteView response, rsp::tlv::Tag tag, const Bytes& replacement, const crypto::PrivateKey& key,
             std::optional<int64_t> token) {
  auto outer = rsp::tlv::read(response).value();
  auto choice = rsp::tlv::read(outer.value).value();
  auto parts = rsp::tlv::read_all(choice.value).value();
  Bytes members;
  for (const auto& m : rsp::tlv::read_all(parts[0].value).value()) {
    Bytes whole = m.tag == tag ? replacement : Bytes(m.whole.begin(), m.whole.end());
    members.insert(members.end(), whole.begin(), whole.end());
  }
  Bytes data = tlv(0x30, members);
  Bytes signature = crypto::sign(key, rsp::concat({data, eim::association_token_tlv(token)}));
  return tlv(0xBF51, tlv(choice.tag, {data, tlv(0x5F37, signature)}));
}

}  // namespace

TEST_CASE("enable, disable and delete round trips, each result verified with the eUICC's key", "[eim]") {
  Fixture f;
  auto enabled = f.run(f.request({psmo::enable(kIccid1)}));
  CHECK(only(enabled).operation == "enable");
  CHECK(only(enabled).code_name == "ok");
  CHECK(enabled.all_ok());
  CHECK(enabled.seq_number);
  CHECK(f.state_of(kIccid1) == euicc::ProfileState::enabled);

  // Enabling it again: the card's code by its name, verified all the same, not ok.
  auto again = f.run(f.request({psmo::enable(kIccid1)}));
  CHECK(only(again).code_name == "profileNotInDisabledState");
  CHECK_FALSE(again.all_ok());

  auto disabled = f.run(f.request({psmo::disable(kIccid1)}));
  CHECK(only(disabled).operation == "disable");
  CHECK(only(disabled).code_name == "ok");
  CHECK(f.state_of(kIccid1) == euicc::ProfileState::disabled);

  // Two operations in one package, no eimTransactionId.
  auto r = f.request({psmo::remove(kIccid2), psmo::list_profile_info()});
  r.eim_transaction_id.reset();
  auto both = f.run(r);
  REQUIRE(both.kind == PackageOutcome::Kind::results);
  REQUIRE(both.results.size() == 2);
  CHECK(both.results[0].operation == "delete");
  CHECK(both.results[0].code_name == "ok");
  CHECK(both.results[1].operation == "listProfileInfo");
  CHECK_FALSE(both.results[1].code);
  CHECK(both.all_ok());
  CHECK(f.card->state.find_profile(kIccid2) == nullptr);

  auto missing = f.run(f.request({psmo::disable(kIccid2)}));
  CHECK(only(missing).code_name == "iccidOrAidNotFound");
}

TEST_CASE("the other PSMOs build valid packages the card runs", "[eim]") {
  Fixture f;
  auto outcome =
      f.run(f.request({psmo::get_rat(), psmo::configure_immediate_enable(true, std::nullopt, "smdp.example.com"),
                       psmo::set_default_dp_address("smdp.example.com"), psmo::set_fallback_attribute(kIccid1),
                       psmo::unset_fallback_attribute()}));
  INFO(outcome.message);
  REQUIRE(outcome.kind == PackageOutcome::Kind::results);
  REQUIRE(outcome.results.size() == 5);
  CHECK(outcome.results[0].operation == "getRAT");
  CHECK(outcome.results[1].operation == "configureImmediateEnable");
  CHECK(outcome.results[1].code_name == "ok");
  CHECK(outcome.results[2].operation == "setDefaultDpAddress");
  CHECK(outcome.results[2].code_name == "ok");
  CHECK(outcome.results[3].operation == "setFallbackAttribute");
  CHECK(outcome.results[4].operation == "unsetFallbackAttribute");
  CHECK(f.card->state.default_dp_address == "smdp.example.com");
}

TEST_CASE("the builder refuses what the schema or the package rules refuse", "[eim]") {
  Fixture f;
  CHECK_FALSE(eim::build_euicc_package_request(f.request({psmo::enable("12")}), f.eim_key));                // no ICCID
  CHECK_FALSE(eim::build_euicc_package_request(f.request({}), f.eim_key));                                  // empty
  CHECK_FALSE(eim::build_euicc_package_request(f.request({psmo::get_rat(), eco::list_eim()}), f.eim_key));  // mixed
  CHECK_FALSE(eim::build_euicc_package_request(f.request({eco::add_eim(hex("3000"))}), f.eim_key));         // no eimId
  auto r = f.request({psmo::get_rat()});
  r.eid.pop_back();
  CHECK_FALSE(eim::build_euicc_package_request(r, f.eim_key));
  r = f.request({psmo::get_rat()});
  r.eim_transaction_id = Bytes(17, 1);  // TransactionId is 1..16 bytes
  CHECK_FALSE(eim::build_euicc_package_request(r, f.eim_key));
}

TEST_CASE("listEim and addEim eCOs: a second eIM gets its token and can send its own packages", "[eim]") {
  Fixture f;
  auto listed = f.run(f.request({eco::list_eim()}));
  CHECK(only(listed).operation == "listEim");
  CHECK(rsp::to_hex(only(listed).der).find(rsp::to_hex(rsp::to_bytes(kEimId))) != std::string::npos);

  const std::string other_id = "other.example.org";
  auto other_key = crypto::PrivateKey::generate(Curve::nist_p256);
  auto added = f.run(f.request({eco::add_eim(configuration(other_id, other_key, std::nullopt))}));
  CHECK(only(added).operation == "addEim");
  CHECK(only(added).code_name == "ok");
  REQUIRE(only(added).association_token);

  auto both = f.run(f.request({eco::list_eim()}));
  CHECK(rsp::to_hex(only(both).der).find(rsp::to_hex(rsp::to_bytes(other_id))) != std::string::npos);

  // The new eIM: its id, key, counter from 0 and the token the card issued to it.
  PackageRequest r = f.request({psmo::enable(kIccid2)}, 1);
  r.eim_id = other_id;
  r.association_token = only(added).association_token;
  auto outcome = eim::verify_euicc_package_result(f.send(r, other_key), r, f.trust());
  CHECK(only(outcome).code_name == "ok");
  CHECK(f.state_of(kIccid2) == euicc::ProfileState::enabled);
}

TEST_CASE("a replayed counter is a signed replayError, a package for another EID a signed invalidEid", "[eim]") {
  Fixture f;
  auto first = f.request({psmo::enable(kIccid1)});
  REQUIRE(f.run(first).all_ok());
  auto replay = f.run(f.request({psmo::disable(kIccid1)}, first.counter_value));
  INFO(replay.message);
  REQUIRE(replay.kind == PackageOutcome::Kind::signed_error);
  CHECK(replay.error_name == "replayError");
  CHECK(replay.error_code == 4);
  CHECK_FALSE(replay.all_ok());
  CHECK(f.state_of(kIccid1) == euicc::ProfileState::enabled);

  auto r = f.request({psmo::disable(kIccid1)});
  r.eid = hex("89049032000000000000000000000018");
  auto other_eid = eim::verify_euicc_package_result(f.send(r, f.eim_key), r, f.trust());
  INFO(other_eid.message);
  REQUIRE(other_eid.kind == PackageOutcome::Kind::signed_error);
  CHECK(other_eid.error_name == "invalidEid");
  CHECK(f.state_of(kIccid1) == euicc::ProfileState::enabled);
}

TEST_CASE("a tampered eimSignature gets an unsigned error, which never counts as success", "[eim]") {
  Fixture f;
  auto r = f.request({psmo::enable(kIccid1)});
  Bytes package = eim::build_euicc_package_request(r, f.eim_key).value();
  package[package.size() - 5] ^= 0x01;
  auto outcome = eim::verify_euicc_package_result(f.call(package), r, f.trust());
  CHECK(outcome.kind == PackageOutcome::Kind::failed);
  CHECK(outcome.failure == VerifyFailure::unsigned_error);
  CHECK_FALSE(outcome.all_ok());
  CHECK(f.state_of(kIccid1) == euicc::ProfileState::disabled);
  // Signed by another key: the same.
  auto stranger =
      eim::verify_euicc_package_result(f.send(r, crypto::PrivateKey::generate(Curve::nist_p256)), r, f.trust());
  CHECK(stranger.failure == VerifyFailure::unsigned_error);
  // Not even an EuiccPackageResult.
  CHECK(eim::verify_euicc_package_result(hex("BF51 03 02 01 00"), r, f.trust()).failure == VerifyFailure::malformed);
}

TEST_CASE("a result re-signed by another key, for another counter, eIM or transaction, or under another CI fails",
          "[eim]") {
  Fixture f;
  auto r = f.request({psmo::enable(kIccid1)});
  Bytes response = f.send(r, f.eim_key);
  auto trust = f.trust();
  REQUIRE(eim::verify_euicc_package_result(response, r, trust).all_ok());
  auto euicc_key = rsp::pki::load_key(f.pki, Curve::nist_p256, Role::euicc).value();
  auto outcome_of = [&](const Bytes& forged) { return eim::verify_euicc_package_result(forged, r, trust).failure; };

  // The card's own data signed by another key.
  CHECK(outcome_of(resign(response, 0x00, {}, f.eim_key, f.token)) == VerifyFailure::bad_signature);
  // Signed over another associationToken.
  CHECK(outcome_of(resign(response, 0x00, {}, euicc_key, 12345)) == VerifyFailure::bad_signature);
  // The eUICC's key, but another counter / eimId / transaction id.
  CHECK(outcome_of(resign(response, 0x81, hex("8101FF"), euicc_key, f.token)) == VerifyFailure::counter_mismatch);
  CHECK(outcome_of(resign(response, 0x80, tlv(0x80, rsp::to_bytes("x.example")), euicc_key, f.token)) ==
        VerifyFailure::eim_id_mismatch);
  CHECK(outcome_of(resign(response, 0x82, hex("820101"), euicc_key, f.token)) ==
        VerifyFailure::transaction_id_mismatch);
  // Untouched, re-signed by the eUICC: still fine (the check is the signature, not the bytes).
  CHECK(eim::verify_euicc_package_result(resign(response, 0x00, {}, euicc_key, f.token), r, trust).all_ok());
  // A CI the eIM does not trust; a CERT.EUICC that is not the request's EID.
  auto untrusted = trust;
  untrusted.cis = {};
  CHECK(eim::verify_euicc_package_result(response, r, untrusted).failure == VerifyFailure::certificate_chain);
  auto other = r;
  other.eid = hex("89049032000000000000000000000018");
  CHECK(eim::verify_euicc_package_result(response, other, trust).failure == VerifyFailure::eid_mismatch);
}
