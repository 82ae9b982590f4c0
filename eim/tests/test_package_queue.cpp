// The eIM's package queue: what it stores for a device runs on the software eUICC (a BF51 the card
// accepts, signed with the key whose certificate the card got by AddInitialEim), counters keep
// rising across the three kinds, transaction ids differ, and the trigger and data request are the
// bytes FACTS §5.1 gives.
#include <catch2/catch.hpp>

#include <set>

#include "download_fixture.hpp"
#include "eim/package_queue.hpp"
#include "rsp/eid.hpp"

namespace {

using eim::PackageQueue;
using eim::PackageRecord;
using eim::QueueError;
using rsp::Bytes;
using rsp::crypto::Curve;
using rsp::crypto::Role;
using rsp::test::hex;
namespace crypto = rsp::crypto;
namespace tlv = rsp::tlv;

const std::string kEimId = "eim.queue.example";
const std::string kIccid = "8949449999999990049";

Bytes encode(tlv::Tag tag, std::initializer_list<rsp::ByteView> parts) { return tlv::encode(tag, rsp::concat(parts)); }

struct QueueFixture : euicc::test::CardFixture {
  std::unique_ptr<eim::EimStore> store = eim::open_eim_store("sqlite:" + (dir.path() / "eim.db").string()).value();
  int64_t now = 1'800'000'000;
  PackageQueue queue{
      *store, {kEimId, rsp::pki::load_key(pki, Curve::nist_p256, Role::eim).value()}, {3600, [this] { return now; }}};
  std::string eid = rsp::eid::from_bytes(card->eid_bytes).value();
  eim::DeviceRecord device;

  QueueFixture() {
    // AddInitialEim with the PKI's eIM certificate and a request for an association token.
    Bytes certificate = rsp::pki::load_certificate(pki, Curve::nist_p256, Role::eim)->der();
    Bytes contents(certificate.begin() + tlv::read_header(certificate)->header_size, certificate.end());
    Bytes config = encode(0x30, {tlv::encode(0x80, rsp::to_bytes(kEimId)), tlv::encode(0x83, Bytes{0}),
                                 tlv::encode(0x84, Bytes{0}), encode(0xA5, {tlv::encode(0xA1, contents)})});
    Bytes response = call(encode(0xBF57, {tlv::encode(0xA0, config)}));
    auto answer = tlv::read(tlv::read(response)->value).value();
    REQUIRE(answer.tag == 0xA0);
    auto token = tlv::read(answer.value).value();
    REQUIRE(token.tag == 0x84);
    int64_t value = 0;
    for (uint8_t b : token.value) value = (value << 8) | b;
    device.eid = eid;
    device.owner = "owner-a";
    device.eim_id = kEimId;
    device.association_token = value;
    REQUIRE(store->add_device(device).value());
  }

  eim::EuiccTrust trust() {
    Bytes response = call(hex("BF56 00"));
    auto parts = tlv::read_all(tlv::read(tlv::read(response)->value)->value).value();
    eim::EuiccTrust t{crypto::Certificate::from_der(tlv::encode(0x30, parts[1].value)).value(),
                      crypto::Certificate::from_der(tlv::encode(0x30, parts[0].value)).value(),
                      {},
                      0};
    t.cis.add(rsp::pki::load_certificate(pki, Curve::nist_p256, Role::ci).value());
    return t;
  }

  // Runs a queued BF51 on the card and verifies the result against what the eIM meant to send.
  eim::PackageOutcome run(const PackageRecord& package, std::vector<eim::Operation> operations) {
    eim::PackageRequest meant{kEimId,
                              card->eid_bytes,
                              static_cast<uint64_t>(package.counter_value),
                              package.eim_transaction_id,
                              std::move(operations),
                              device.association_token};
    return eim::verify_euicc_package_result(call(package.request), meant, trust());
  }
};

}  // namespace

TEST_CASE("a queued BF51 runs on the eUICC that has the eIM, counters rise across kinds", "[eim][queue]") {
  QueueFixture f;
  euicc::Profile p;
  p.iccid = kIccid;
  p.isdp_aid = hex("A0000005591010FFFFFFFF8900001000");
  p.state = euicc::ProfileState::disabled;
  p.profile_class = euicc::ProfileClass::operational;
  p.ci_ski = f.card->credentials.front().ci_ski;
  p.store_metadata = encode(0xBF25, {tlv::encode(0x5A, rsp::iccid::to_bytes(kIccid).value())});
  f.card->state.profiles.push_back(p);
  REQUIRE(f.card->store.write_profile_package(kIccid, hex("A0 03 80 01 02")));
  REQUIRE(f.card->commit());

  auto enable = f.queue.queue_euicc_package(f.eid, {eim::psmo::enable(kIccid)});
  REQUIRE(enable);
  CHECK(enable->state == eim::PackageState::queued);
  CHECK(enable->created == f.now);
  CHECK(enable->expires == f.now + 3600);
  CHECK(eim::package_kind(*enable) == "euiccPackage");
  auto trigger =
      f.queue.queue_profile_download_trigger(f.eid, {eim::ProfileDownloadTrigger::Kind::contact_default_smdp, "", {}});
  REQUIRE(trigger);
  auto data = f.queue.queue_ipa_euicc_data_request(f.eid, hex("A5A6"));
  REQUIRE(data);
  auto disable = f.queue.queue_euicc_package(f.eid, {eim::psmo::disable(kIccid)});
  REQUIRE(disable);

  std::vector<PackageRecord> queued = f.store->packages_for(f.eid, 10).value();
  REQUIRE(queued.size() == 4);
  std::set<Bytes> ids;
  for (size_t i = 0; i < queued.size(); ++i) {
    if (i > 0) CHECK(queued[i].counter_value > queued[i - 1].counter_value);
    REQUIRE(queued[i].eim_transaction_id);
    CHECK(queued[i].eim_transaction_id->size() == 16);
    ids.insert(*queued[i].eim_transaction_id);
  }
  CHECK(ids.size() == 4);

  // The first BF51, then the last one after the counters the other kinds used: a gap the card accepts.
  auto enabled = f.run(*enable, {eim::psmo::enable(kIccid)});
  INFO(enabled.message);
  CHECK(enabled.all_ok());
  CHECK(f.card->state.find_profile(kIccid)->state == euicc::ProfileState::enabled);
  auto disabled = f.run(*disable, {eim::psmo::disable(kIccid)});
  CHECK(disabled.all_ok());
  CHECK(f.card->state.find_profile(kIccid)->state == euicc::ProfileState::disabled);
  // Delivered again, the first is a replay the card refuses with its signature.
  auto replayed = f.run(*enable, {eim::psmo::enable(kIccid)});
  CHECK(replayed.kind == eim::PackageOutcome::Kind::signed_error);
  CHECK(replayed.error_name == "replayError");
}

TEST_CASE("a package signed by another key is not run by the eUICC", "[eim][queue]") {
  QueueFixture f;
  PackageQueue foreign{*f.store, {kEimId, crypto::PrivateKey::generate(Curve::nist_p256)}, {}};
  auto package = foreign.queue_euicc_package(f.eid, {eim::psmo::get_rat()});
  REQUIRE(package);
  auto outcome = f.run(*package, {eim::psmo::get_rat()});
  CHECK(outcome.kind == eim::PackageOutcome::Kind::failed);
  CHECK_FALSE(outcome.all_ok());
}

TEST_CASE("trigger and data request are the bytes of FACTS §5.1", "[eim][queue]") {
  QueueFixture f;
  using Kind = eim::ProfileDownloadTrigger::Kind;
  auto txid = [](const PackageRecord& r) { return *r.eim_transaction_id; };

  auto code = f.queue.queue_profile_download_trigger(f.eid, {Kind::activation_code, "1$smdp.example$ABC", {}});
  REQUIRE(code);
  CHECK(code->request ==
        rsp::concat({hex("BF54 28 A0 14 80 12"), rsp::to_bytes("1$smdp.example$ABC"), hex("82 10"), txid(*code)}));
  CHECK(eim::package_kind(*code) == "profileDownloadTrigger");

  auto smdp = f.queue.queue_profile_download_trigger(f.eid, {Kind::contact_default_smdp, "", {}});
  REQUIRE(smdp);
  CHECK(smdp->request == rsp::concat({hex("BF54 16 A0 02 81 00 82 10"), txid(*smdp)}));

  auto root = f.queue.queue_profile_download_trigger(f.eid, {Kind::contact_smds, "", {}});
  REQUIRE(root);
  CHECK(root->request == rsp::concat({hex("BF54 16 A0 02 A2 00 82 10"), txid(*root)}));

  auto smds = f.queue.queue_profile_download_trigger(f.eid, {Kind::contact_smds, "", "ds.example"});
  REQUIRE(smds);
  CHECK(smds->request ==
        rsp::concat({hex("BF54 22 A0 0E A2 0C 80 0A"), rsp::to_bytes("ds.example"), hex("82 10"), txid(*smds)}));

  auto data = f.queue.queue_ipa_euicc_data_request(f.eid, hex("A5 A6"));
  REQUIRE(data);
  CHECK(data->request == rsp::concat({hex("BF52 16 5C 02 A5 A6 83 10"), txid(*data)}));
  CHECK(eim::package_kind(*data) == "ipaEuiccDataRequest");
}

TEST_CASE("the queue refuses unknown devices and invalid packages, and stores nothing for them", "[eim][queue]") {
  QueueFixture f;
  const std::string unknown = rsp::eid::complete("890490321234512345123456789012").value();
  auto none = f.queue.queue_euicc_package(unknown, {eim::psmo::get_rat()});
  REQUIRE_FALSE(none);
  CHECK(none.error().kind == QueueError::Kind::unknown_device);
  CHECK(f.queue.queue_ipa_euicc_data_request(unknown, hex("A5")).error().kind == QueueError::Kind::unknown_device);

  CHECK(f.queue.queue_euicc_package(f.eid, {}).error().kind == QueueError::Kind::invalid);
  CHECK(f.queue.queue_euicc_package(f.eid, {eim::psmo::get_rat(), eim::eco::list_eim()}).error().kind ==
        QueueError::Kind::invalid);
  CHECK(f.queue.queue_ipa_euicc_data_request(f.eid, {}).error().kind == QueueError::Kind::invalid);
  auto too_long = f.queue.queue_profile_download_trigger(
      f.eid, {eim::ProfileDownloadTrigger::Kind::activation_code, std::string(256, 'x'), {}});
  CHECK(too_long.error().kind == QueueError::Kind::invalid);
  CHECK(f.store->packages_for(f.eid, 10)->empty());

  // After refusals the next package still gets a counter above every one handed out.
  auto next = f.queue.queue_euicc_package(f.eid, {eim::psmo::get_rat()});
  REQUIRE(next);
  CHECK(next->counter_value >= 1);
}
