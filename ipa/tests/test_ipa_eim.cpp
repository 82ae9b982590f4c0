// ipa eim add-initial | list with the real programs on loopback: a software eUICC as the factory
// leaves it, given its first eIM by AddInitialEim (the lab PKI's eIM certificate, or the eIM's
// public key), listed with GetEimConfigurationData in text and JSON; a second eIM refused with
// associatedEimAlreadyExists and nothing changed; the card's other refusals by name; usage errors
// (exit 2) before anything reaches the card.
#include <catch2/catch.hpp>

#include "rsp/crypto/keys.hpp"
#include "zero_touch_lab.hpp"

namespace {

using ipa::test::json;
using ipa::test::ZeroTouchLab;

}  // namespace

TEST_CASE("ipa eim add-initial and eim list: the factory's eIM, then a second one refused",
          "[ipa][cli][process][eim]") {
  ZeroTouchLab lab({});
  auto& card = lab.add_device("card", std::nullopt);
  const std::string eim_der = (lab.pki / "nist" / "eim.der").string();
  const std::string eim_pem = (lab.pki / "nist" / "eim.pem").string();

  auto empty = lab.ipa(card, "eim list");
  CHECK(empty.status == 0);
  CHECK(empty.out == "no eIMs\n");
  CHECK(lab.ipa(card, "--json eim list").lpa()["data"] == json::array());

  auto added = lab.ipa(card,
                       "eim add-initial --eim-id eim-1 --eim-fqdn eim.example.com --eim-id-type fqdn --counter-value 5"
                       " --association-token --protocol retrieve-https --protocol inject-https --eim-certificate " +
                           eim_der);
  REQUIRE(added.status == 0);
  CHECK(added.out == "eIM eim-1 added, association token 1\n");
  CHECK(added.err.empty());

  auto listed = lab.ipa(card, "eim list");
  CHECK(listed.status == 0);
  CHECK(listed.out == "eim-1\teim.example.com\t5\t1\n");
  auto listed_json = lab.ipa(card, "--json eim list");
  REQUIRE(listed_json.status == 0);
  json expected = json::array({{{"eimId", "eim-1"},
                                {"eimFqdn", "eim.example.com"},
                                {"eimIdType", "fqdn"},
                                {"counterValue", 5},
                                {"associationToken", 1},
                                {"eimPublicKeyData", "certificate"},
                                {"trustedPublicKeyDataTls", nullptr},
                                {"eimSupportedProtocol", {"retrieve-https", "inject-https"}},
                                {"euiccCiPKId", nullptr},
                                {"indirectProfileDownload", false}}});
  CHECK(listed_json.lpa()["data"] == expected);
  CHECK(lab.ipa(card, "eim list --eim-id eim-1").out == listed.out);
  auto unknown = lab.ipa(card, "eim list --eim-id eim-2");
  CHECK(unknown.status == 1);
  CHECK(unknown.err == "eim list: no eIM eim-2 on the eUICC\n");

  // The card has its eIM: AddInitialEim is refused, whatever the new one says (here the PEM form).
  auto again =
      lab.ipa(card, "eim add-initial --eim-id eim-2 --eim-fqdn other.example.com --eim-certificate " + eim_pem);
  CHECK(again.status == 1);
  CHECK(again.out.empty());
  CHECK(again.err == "eim add-initial: AddInitialEim: associatedEimAlreadyExists (2)\n");
  auto again_json = lab.ipa(card, "--json eim add-initial --eim-id eim-1 --eim-certificate " + eim_pem);
  CHECK(again_json.status == 1);
  json refused = again_json.lpa();
  CHECK(refused["code"] == -1);
  CHECK(refused["message"] == "eim add-initial: AddInitialEim: associatedEimAlreadyExists (2)");
  CHECK(refused["data"] == json{{"eimId", "eim-1"}, {"resultCode", 2}});
  CHECK(lab.ipa(card, "eim list").out == listed.out);  // nothing changed
}

TEST_CASE("ipa eim add-initial: the eIM's public key, the card's refusals by name, usage errors",
          "[ipa][cli][process][eim]") {
  ZeroTouchLab lab({});
  auto& card = lab.add_device("card", std::nullopt);
  const auto dir = lab.dir.path();
  auto eim_key = rsp::crypto::PrivateKey::from_pem(rsp::test::read_text(lab.pki / "nist" / "eim.key.pem")).value();
  const rsp::Bytes spki = eim_key.public_key().spki_der();
  REQUIRE(rsp::files::write_atomic(dir / "eim.pub.der", spki));
  REQUIRE(rsp::files::write_atomic(
      dir / "eim.pub.pem", "-----BEGIN PUBLIC KEY-----\n" + rsp::to_base64(spki) + "\n-----END PUBLIC KEY-----\n"));
  REQUIRE(rsp::files::write_atomic(
      dir / "garbage.pem", std::string("-----BEGIN PUBLIC KEY-----\nnot base64 at all\n-----END PUBLIC KEY-----\n")));
  REQUIRE(rsp::files::write_atomic(dir / "garbage.der", rsp::Bytes{0x30, 0x03, 0x02, 0x01}));
  const std::string key_flags = " --eim-public-key " + (dir / "eim.pub.pem").string();

  SECTION("usage errors exit 2 and never reach the card") {
    auto malformed = lab.ipa(card, "eim add-initial --eim-id e --eim-public-key " + (dir / "garbage.pem").string());
    CHECK(malformed.status == 2);
    CHECK(malformed.err == "ipa: eim add-initial: " + (dir / "garbage.pem").string() + " is not a PEM public key\n");
    CHECK(lab.ipa(card, "eim add-initial --eim-id e --eim-public-key " + (dir / "garbage.der").string()).status == 2);
    CHECK(lab.ipa(card, "eim add-initial --eim-id e --eim-certificate " + (dir / "eim.pub.der").string()).status == 2);
    auto private_key =
        lab.ipa(card, "eim add-initial --eim-id e --eim-public-key " + (lab.pki / "nist" / "eim.key.pem").string());
    CHECK(private_key.status == 2);
    CHECK(private_key.err.find("holds a private key") != std::string::npos);
    CHECK(lab.ipa(card, "eim add-initial" + key_flags).status == 2);  // no --eim-id
    auto no_key = lab.ipa(card, "eim add-initial --eim-id e");
    CHECK(no_key.status == 2);
    CHECK(no_key.err ==
          "ipa: eim add-initial: the eIM's key: one of --eim-certificate FILE or --eim-public-key FILE\n");
    CHECK(lab.ipa(card, "eim add-initial --eim-id e" + key_flags + " --eim-certificate " +
                            (lab.pki / "nist" / "eim.der").string())
              .status == 2);
    CHECK(lab.ipa(card, "eim add-initial --eim-id e" + key_flags + " --eim-id-type url").status == 2);
    CHECK(lab.ipa(card, "eim add-initial --eim-id e" + key_flags + " --protocol gopher").status == 2);
    CHECK(lab.ipa(card, "eim add-initial --eim-id e" + key_flags + " --euicc-ci-pkid xyz").status == 2);
    CHECK(lab.ipa(card, "eim add-initial --eim-id " + std::string(129, 'e') + key_flags).status == 2);  // SIZE(1..128)
    CHECK(lab.ipa(card, "eim add-initial --eim-id e --eim-public-key " + (dir / "absent.pem").string()).status == 2);
    CHECK(lab.ipa(card, "eim").status == 2);
    CHECK(lab.ipa(card, "eim list").out == "no eIMs\n");
  }

  SECTION("the card's refusals, by name, exit 1, nothing kept") {
    // A certificate under a CI the card does not know.
    ZeroTouchLab other({});
    auto foreign =
        lab.ipa(card, "eim add-initial --eim-id e --eim-certificate " + (other.pki / "nist" / "eim.der").string());
    CHECK(foreign.status == 1);
    CHECK(foreign.err == "eim add-initial: AddInitialEim: ciPKUnknown (3)\n");
    auto counter = lab.ipa(card, "eim add-initial --eim-id e --counter-value 4294967296" + key_flags);
    CHECK(counter.status == 1);
    CHECK(counter.err == "eim add-initial: AddInitialEim: counterValueOutOfRange (6)\n");
    CHECK(lab.ipa(card, "eim list").out == "no eIMs\n");
  }

  SECTION("a public key (DER), the TLS CA and no token asked for") {
    auto added =
        lab.ipa(card, "--json eim add-initial --eim-id eim-k --eim-public-key " + (dir / "eim.pub.der").string() +
                          " --tls-certificate " + lab.ci_pem.string() + " --indirect-profile-download");
    REQUIRE(added.status == 0);
    CHECK(added.lpa()["data"] == json{{"eimId", "eim-k"}, {"associationToken", nullptr}});
    auto listed = lab.ipa(card, "--json eim list --eim-id eim-k");
    REQUIRE(listed.status == 0);
    json eim = listed.lpa()["data"].at(0);
    CHECK(eim["eimPublicKeyData"] == "publicKey");
    CHECK(eim["trustedPublicKeyDataTls"] == "certificate");
    CHECK(eim["indirectProfileDownload"] == true);
    CHECK(eim["associationToken"] == nullptr);
    CHECK(lab.ipa(card, "eim list").out == "eim-k\t-\t0\t-\n");  // the card's default counter
  }
}
