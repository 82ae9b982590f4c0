// The owner's view of what its devices did: packages queued through the owner API, fetched with
// ESipa GetEimPackage by the device, run by the software eUICC, and answered with
// ProvideEimPackageResult; status then shows each one executed or failed with the eUICC's
// verified result.
#include <catch2/catch.hpp>

#include "eim/esipa.hpp"
#include "eim/owner_api.hpp"
#include "eim_card_fixture.hpp"

#include <nlohmann/json.hpp>

namespace {

using eim::test::tlv;
using nlohmann::json;
using rsp::crypto::Curve;
using rsp::crypto::Role;

struct OwnerAndDevice : eim::test::EimCard {
  using Bytes = rsp::Bytes;
  rsp::server::PinnedClients owners;  // call() takes the owner as authenticated
  eim::PackageQueue queue{
      *store, {eim::test::kEimId, rsp::pki::load_key(pki, Curve::nist_p256, Role::eim).value()}, {}};
  std::unique_ptr<eim::OwnerApi> api;
  std::unique_ptr<eim::Esipa> esipa;

  OwnerAndDevice() {
    eim::OwnerApiSettings settings;
    settings.cis.add(rsp::pki::load_certificate(pki, Curve::nist_p256, Role::ci).value());
    eim::EsipaSettings esipa_settings;
    esipa_settings.eim_id = eim::test::kEimId;
    esipa_settings.cis = settings.cis;
    api = std::make_unique<eim::OwnerApi>(*store, queue, owners, std::move(settings));
    esipa = std::make_unique<eim::Esipa>(*store, std::move(esipa_settings));
  }

  json owner_call(const std::string& function, const json& body, int status = 200) {
    auto r = api->call("owner-a", "/eim/v1/" + function, body.dump());
    INFO(r.body);
    CHECK(r.status == status);
    return json::parse(r.body);
  }

  // The IPA's poll: GetEimPackage, the eUICC runs the BF51, ProvideEimPackageResult with its answer.
  void poll_and_run() {
    auto got = esipa->handle(tlv(0xBF4F, tlv(0x5A, card->eid_bytes)));
    INFO(got.message);
    REQUIRE(got.outcome == "delivered");
    auto package = rsp::tlv::read(rsp::tlv::read(got.der_response)->value).value();
    REQUIRE(package.tag == 0xBF51);
    Bytes result = call(package.whole);
    auto provided = esipa->handle(tlv(0xBF50, {tlv(0x5A, card->eid_bytes), result}));
    INFO(provided.message);
    CHECK(provided.results_verified == 1);
  }
};

json target(const std::string& eid) { return {{"eid", eid}}; }

}  // namespace

TEST_CASE("status shows the eUICC's verified results of what the owner queued", "[eim][owner]") {
  OwnerAndDevice f;
  f.owner_call("psmo", {{"target", target(f.eid)}, {"operations", {{{"enable", {{"iccid", eim::test::kIccid1}}}}}}});
  f.owner_call("psmo", {{"target", target(f.eid)}, {"operations", {{{"enable", {{"iccid", eim::test::kIccid1}}}}}}});
  auto queued = f.owner_call("status", {{"target", target(f.eid)}});
  CHECK(queued["devices"][0]["packages"][0]["state"] == "queued");

  f.poll_and_run();
  f.poll_and_run();
  CHECK(f.state_of(eim::test::kIccid1) == euicc::ProfileState::enabled);

  auto status = f.owner_call("status", {{"target", target(f.eid)}});
  INFO(status.dump());
  const json& packages = status["devices"][0]["packages"];
  REQUIRE(packages.size() == 2);
  CHECK(packages[0]["state"] == "executed");
  CHECK(packages[0].contains("delivered"));
  CHECK(packages[0].contains("finished"));
  CHECK(packages[0]["result"]["results"][0] == json{{"operation", "enable"}, {"code", "ok"}});
  // The second enable ran too, and the card said why it did nothing: a verified result, not ok.
  CHECK(packages[1]["state"] == "failed");
  CHECK(packages[1]["result"]["results"][0]["code"] == "profileNotInDisabledState");

  // Another owner's view of the same device: none.
  auto foreign = f.api->call("owner-b", "/eim/v1/status", json{{"target", target(f.eid)}}.dump());
  CHECK(foreign.status == 404);
}
