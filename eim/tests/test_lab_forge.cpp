// eim lab forge's packages (lab only) run by the software eUICC that has the eIM by AddInitialEim:
// each is refused the way SGP.32 says, and the card is unchanged by it.
#include <catch2/catch.hpp>

#include "eim_card_fixture.hpp"
#include "lab/forge.hpp"
#include "support/command.hpp"

namespace {

using namespace eim::test;
using eim::lab::ForgeKind;
namespace psmo = eim::psmo;

// BF51's alternative (A0 result, A1 signed error, A2 unsigned error) and, for A1, the error code.
struct Answer {
  rsp::tlv::Tag choice = 0;
  std::optional<int64_t> error_code;
};
Answer answer_of(ByteView response) {
  auto outer = rsp::tlv::read(response).value();
  REQUIRE(outer.tag == 0xBF51);
  auto choice = rsp::tlv::read(outer.value).value();
  Answer a{choice.tag, std::nullopt};
  if (choice.tag == 0xA1) {
    auto data = rsp::tlv::read(choice.value).value();
    for (const auto& m : rsp::tlv::read_all(data.value).value())
      if (m.tag == 0x02) a.error_code = integer_of(m.value);
  }
  return a;
}

struct Forging : EimCard {
  Forging() {
    // kIccid1 enabled by a genuine package: a forged disable must leave it so.
    auto enable = queue({psmo::enable(kIccid1)});
    REQUIRE(answer_of(call(enable.request)).choice == 0xA0);
    REQUIRE(state_of(kIccid1) == euicc::ProfileState::enabled);
  }
  eim::lab::ForgeRequest request(ForgeKind kind) {
    eim::lab::ForgeRequest r;
    r.eid = eid;
    r.kind = kind;
    r.operations = {psmo::disable(kIccid1)};
    r.now = now;
    return r;
  }
  std::vector<eim::PackageRecord> forge(const eim::lab::ForgeRequest& r) { return forge(r, eim_key); }
  std::vector<eim::PackageRecord> forge(const eim::lab::ForgeRequest& r, const crypto::PrivateKey& key) {
    auto queued = eim::lab::forge(*store, r, key);
    REQUIRE(queued);
    for (const auto& p : *queued) REQUIRE(store->next_package_for(eid, now).value().value().id <= p.id);
    return *queued;
  }
  // A genuine package after the forged ones still runs: the card's counter did not move past it.
  void genuine_still_runs() {
    auto after = queue({psmo::list_profile_info()});
    CHECK(answer_of(call(after.request)).choice == 0xA0);
    CHECK(state_of(kIccid1) == euicc::ProfileState::enabled);
  }
};

TEST_CASE("forged packages are refused by the card with the spec's answer, the card unchanged") {
  Forging f;
  SECTION("bad signature: EuiccPackageErrorUnsigned") {
    auto queued = f.forge(f.request(ForgeKind::bad_signature));
    REQUIRE(queued.size() == 1);
    CHECK(queued[0].eid == f.eid);
    CHECK(answer_of(f.call(queued[0].request)).choice == 0xA2);
  }
  SECTION("old counter: the genuine package first, then the forged one's signed replayError (4)") {
    auto queued = f.forge(f.request(ForgeKind::old_counter));
    REQUIRE(queued.size() == 2);
    CHECK(queued[0].counter_value > queued[1].counter_value);
    CHECK(queued[0].id < queued[1].id);
    CHECK(answer_of(f.call(queued[0].request)).choice == 0xA0);
    auto refused = answer_of(f.call(queued[1].request));
    CHECK(refused.choice == 0xA1);
    CHECK(refused.error_code == 4);
  }
  SECTION("another EID: signed invalidEid (3)") {
    auto r = f.request(ForgeKind::other_eid);
    r.other_eid = kOtherEid;
    auto queued = f.forge(r);
    REQUIRE(queued.size() == 1);
    CHECK(queued[0].eid == f.eid);
    auto refused = answer_of(f.call(queued[0].request));
    CHECK(refused.choice == 0xA1);
    CHECK(refused.error_code == 3);
  }
  SECTION("an unknown eIM: EuiccPackageErrorUnsigned") {
    auto r = f.request(ForgeKind::unknown_eim);
    r.eim_id = "stranger.example";
    auto queued = f.forge(r, crypto::PrivateKey::generate(Curve::nist_p256));
    REQUIRE(queued.size() == 1);
    CHECK(answer_of(f.call(queued[0].request)).choice == 0xA2);
  }
  CHECK(f.state_of(kIccid1) == euicc::ProfileState::enabled);
  f.genuine_still_runs();
}

TEST_CASE("eim lab forge refuses what it cannot forge, nothing queued") {
  EimCard f;
  auto request = [&](ForgeKind kind) {
    eim::lab::ForgeRequest r;
    r.eid = f.eid;
    r.kind = kind;
    r.operations = {psmo::disable(kIccid1)};
    r.now = f.now;
    return r;
  };
  auto unknown = request(ForgeKind::bad_signature);
  unknown.eid = kOtherEid;
  CHECK_FALSE(eim::lab::forge(*f.store, unknown, f.eim_key));
  auto same = request(ForgeKind::other_eid);
  same.other_eid = f.eid;
  CHECK_FALSE(eim::lab::forge(*f.store, same, f.eim_key));
  auto known = request(ForgeKind::unknown_eim);
  known.eim_id = kEimId;
  CHECK_FALSE(eim::lab::forge(*f.store, known, f.eim_key));
  auto bad_eid = request(ForgeKind::other_eid);
  bad_eid.other_eid = "1234";
  CHECK_FALSE(eim::lab::forge(*f.store, bad_eid, f.eim_key));
  CHECK(f.store->packages_for(f.eid, 10).value().empty());
  CHECK(eim::lab::forge_kind("old-counter") == ForgeKind::old_counter);
  CHECK_FALSE(eim::lab::forge_kind("replay"));
}

TEST_CASE(
    "eim lab forge as a command: queues into the database and prints its line, refusals exit 1 or 2 with nothing queued") {
  Forging f;
  const std::string eim = std::string(RSP_BINARY_DIR) + "/eim lab forge --db " + f.url + " --disable " + kIccid1 + " ";
  auto run = [&](const std::string& args) { return rsp::test::run_command(eim + args + " 2>&1"); };
  size_t before = f.store->packages_for(f.eid, 100).value().size();

  auto queued = run("--pki " + f.pki.string() + " --eid " + f.eid + " --kind other-eid --other-eid " + kOtherEid);
  INFO(queued.out);
  CHECK(queued.status == 0);
  CHECK(queued.out.find("(other-eid)") != std::string::npos);
  auto packages = f.store->packages_for(f.eid, 100).value();
  REQUIRE(packages.size() == before + 1);
  auto refused = answer_of(f.call(packages.back().request));
  CHECK(refused.choice == 0xA1);
  CHECK(refused.error_code == 3);

  auto stranger = run("--eid " + f.eid + " --kind unknown-eim --eim-id stranger.example");
  INFO(stranger.out);
  CHECK(stranger.status == 0);
  packages = f.store->packages_for(f.eid, 100).value();
  REQUIRE(packages.size() == before + 2);
  CHECK(answer_of(f.call(packages.back().request)).choice == 0xA2);

  CHECK(run("--pki " + f.pki.string() + " --eid " + kOtherEid + " --kind bad-signature").status == 1);  // unknown EID
  CHECK(run("--pki " + f.pki.string() + " --eid " + f.eid + " --kind replay").status == 2);
  CHECK(run("--eid " + f.eid + " --kind bad-signature").status == 2);  // no PKI for the eIM's key
  CHECK(run("--pki " + f.pki.string() + " --eid " + f.eid + " --kind other-eid").status == 2);
  CHECK(run("--eid " + f.eid + " --kind unknown-eim").status == 2);
  CHECK(f.store->packages_for(f.eid, 100).value().size() == before + 2);
  CHECK(f.state_of(kIccid1) == euicc::ProfileState::enabled);
}

}  // namespace
