// The kit's recorded downloads from a third-party SM-DP+ (osmo-smdpp): its bound profile packages,
// with the one-time key that unlocks them, go through the card's own BPP path to the recorded profile.
// The loader is fed directly, not through the ISD-R and the APDU layer: the packages are bound to a
// one-time key this card did not make, so no PrepareDownload of ours can open a session for them
// (test_apdu_download.cpp loads the card's own packages through the APDU layer).
#include <nlohmann/json.hpp>

#include "bound_profile_package_loader.hpp"
#include "download_fixture.hpp"

using namespace euicc;
using namespace euicc::test;

TEST_CASE("recorded osmo-smdpp packages load through the card's BPP path, NIST and brainpool") {
  auto kit = rsp::test::require_kit();
  rsp::test::TempDir dir;
  REQUIRE(rsp::pki::import_sgp26(kit / "certs/sgp26-v3/sgp26", dir.path() / "pki"));
  Options options;
  options.state_dir = dir.path() / "card";
  options.pki_dir = dir.path() / "pki";
  auto card = open_card_context(options).value();
  CHECK(card->eid == "89049032123451234512345678901235");

  for (const char* name : {"osmo-smdpp-nist", "osmo-smdpp-brainpool"}) {
    INFO(name);
    card->state.profiles.clear();  // both recordings carry the same profile
    auto session = kit / "vectors/sessions" / name;
    auto manifest = nlohmann::json::parse(rsp::test::read_text(session / "manifest.json"));
    auto dp_pb = crypto::Certificate::from_der(rsp::test::read_file(session / "der/02-smdpCertificate.der")).value();
    auto ci = crypto::Certificate::from_der(rsp::test::read_file(session / "der/ci-certificate.der")).value();
    BindingContext binding{
        rsp::test::hex(manifest["transactionId"].get<std::string>()), manifest["smdp"]["address"].get<std::string>(),
        card->credentials_for(*ci.subject_key_id()), dp_pb,
        crypto::PrivateKey::from_pem(rsp::test::read_text(session / "euicc-secrets/otSK.EUICC.pem")).value()};
    REQUIRE(binding.credentials);
    BoundProfilePackageLoader loader(*card, std::move(binding));
    Bytes result;
    auto commands =
        rsp::bpp::split_for_loading(rsp::test::read_file(session / "der/03-boundProfilePackage.der")).value();
    for (size_t i = 0; i < commands.size(); ++i) {
      result = loader.feed(commands[i]);
      if (i + 1 < commands.size()) REQUIRE(result.empty());
    }
    REQUIRE(loader.finished());
    auto data = rsp::tlv::find(rsp::tlv::read(result)->value, 0xBF27).value();
    auto final_result = rsp::tlv::find(data.value, 0xA2).value();
    CHECK(rsp::tlv::find(final_result.value, 0xA0));  // successResult
    std::string iccid = manifest["profile"]["iccid"].get<std::string>();
    CHECK(card->store.read_profile_package(iccid).value() == rsp::test::read_file(session / "plain/A3-UPP.der"));
    REQUIRE(card->state.find_profile(iccid));
    CHECK(card->state.find_profile(iccid)->service_provider_name == manifest["profile"]["spn"].get<std::string>());
  }
}
