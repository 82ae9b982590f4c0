// ipa poll against the real eIM: `eim serve` (ESipa's ASN.1 binding, its eim-tls identity under the
// PKI's CI) with packages its owner side queued (eim::PackageQueue: two signed eUICC Packages and an
// IpaEuiccDataRequest), euicc-sim --listen of the same PKI given
// that eIM by `ipa eim add-initial`, and the ipa program between them. The eIM verifies the card's
// results, acknowledges them, the IPA removes them from the card; the packages end executed.
#include <catch2/catch.hpp>

#include "eim/package_queue.hpp"
#include "ipa_run.hpp"
#include "rsp/files.hpp"
#include "rsp/pki/test_pki.hpp"
#include "support/child_process.hpp"
#include "support/command.hpp"

namespace {

using rsp::Bytes;
using rsp::crypto::Curve;
using rsp::crypto::Role;

struct Lab {
  rsp::test::TempDir dir;
  std::filesystem::path pki = dir.path() / "pki";
  std::string db = "sqlite:" + (dir.path() / "eim.db").string();
  std::unique_ptr<rsp::test::ChildProcess> eim, card;
  std::string eim_port, card_port, eid = rsp::pki::default_eid();

  Lab() {
    REQUIRE(rsp::pki::make(pki, {}));
    eim = std::make_unique<rsp::test::ChildProcess>(
        "eim", dir.path(),
        std::vector<std::string>{"serve", "--pki", pki.string(), "--listen", "127.0.0.1:0", "--db", db});
    eim_port = eim->wait_for("ESipa of localhost on https://127\\.0\\.0\\.1:(\\d+)/");
    card = std::make_unique<rsp::test::ChildProcess>(
        "euicc-sim", dir.path(),
        std::vector<std::string>{"--state", (dir.path() / "card").string(), "--listen", "127.0.0.1:0", "--pki",
                                 pki.string()});
    REQUIRE(card->wait_for("EID (\\d{32})") == eid);
    card_port = card->wait_for("listening on 127\\.0\\.0\\.1:(\\d+)");
  }

  ipa::test::IpaRun ipa(const std::string& args) {
    auto err = dir.path() / "ipa.err";
    auto r = rsp::test::run_command(std::string(RSP_BINARY_DIR) + "/ipa --euicc tcp:127.0.0.1:" + card_port + " " +
                                    args + " 2>" + err.string());
    ipa::test::IpaRun run{r.status, r.out, rsp::test::read_text(err)};
    UNSCOPED_INFO("ipa " << args << " -> " << run.status << "\nstdout: " << run.out << "stderr: " << run.err);
    return run;
  }
};

}  // namespace

TEST_CASE("ipa poll against eim serve: the eIM's packages run on the card and end executed",
          "[ipa][cli][process][esipa][eim]") {
  Lab lab;
  auto added = lab.ipa("eim add-initial --eim-id localhost --eim-fqdn localhost:" + lab.eim_port +
                       " --association-token --eim-certificate " + (lab.pki / "nist" / "eim.der").string() +
                       " --tls-certificate " + (lab.pki / "nist" / "ci.pem").string());
  REQUIRE(added.out == "eIM localhost added, association token 1\n");

  // Not yet known to the eIM: eidNotFound ends the round.
  auto unknown = lab.ipa("poll");
  CHECK(unknown.status == 1);
  CHECK(unknown.err.find("getEimPackage: the eIM answered eidNotFound") != std::string::npos);

  auto store = eim::open_eim_store(lab.db).value();
  eim::DeviceRecord device;
  device.eid = lab.eid;
  device.owner = "owner-a";
  device.eim_id = "localhost";
  device.association_token = 1;
  device.euicc_certificate = rsp::files::read(lab.pki / "nist" / "euicc.der").value();
  device.eum_certificate = rsp::files::read(lab.pki / "nist" / "eum.der").value();
  REQUIRE(store->add_device(device).value());
  // The owner side queues: two eUICC Packages and a request for the card's certificates.
  eim::PackageQueue queue(
      *store, eim::EimSigner{"localhost", rsp::pki::load_key(lab.pki, Curve::nist_p256, Role::eim).value()});
  int64_t rat = queue.queue_euicc_package(lab.eid, {eim::psmo::get_rat()}).value().id;
  int64_t certificates = queue.queue_ipa_euicc_data_request(lab.eid, Bytes{0xA5, 0xA6}).value().id;
  int64_t list = queue.queue_euicc_package(lab.eid, {eim::psmo::list_profile_info()}).value().id;

  auto polled = lab.ipa("--json poll");
  REQUIRE(polled.status == 0);
  auto data = polled.lpa()["data"];
  CHECK(data["packages"] == 3);
  CHECK(data["euiccPackages"] == 2);
  CHECK(data["ipaEuiccData"] == 1);
  CHECK(data["resultsReported"] == 3);
  CHECK(data["resultsRemoved"] == 2);
  CHECK(data["eimPackageError"] == 1);
  for (int64_t id : {rat, certificates, list}) {
    auto p = store->package(id).value().value();
    CHECK(p.state == eim::PackageState::executed);
    CHECK(p.result);
  }

  auto again = lab.ipa("poll");
  CHECK(again.status == 0);
  CHECK(again.out.starts_with("0 packages from localhost:" + lab.eim_port));
  CHECK(lab.eim->stop() == 0);
}
