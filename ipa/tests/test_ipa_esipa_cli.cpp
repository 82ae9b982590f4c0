// ipa poll and ipa run with the real programs: euicc-sim --listen given its eIM by `ipa eim
// add-initial` (the lab PKI's eIM certificate, its CI as the eIM's TLS trust, the scripted eIM's
// loopback address as eimFqdn), and a scripted eIM in-process whose packages eim_packages signs.
#include <catch2/catch.hpp>

#include <csignal>

#include "eim/euicc_package.hpp"
#include "scripted_eim.hpp"
#include "zero_touch_lab.hpp"

namespace {

using ipa::test::json;
using rsp::crypto::Curve;
using rsp::crypto::Role;

struct Lab {
  ipa::test::ZeroTouchLab lab{{}};
  ipa::test::ScriptedEim eim{lab.pki};
  ipa::test::Device& card = lab.add_device("card", std::nullopt);
  rsp::crypto::PrivateKey eim_key = rsp::pki::load_key(lab.pki, Curve::nist_p256, Role::eim).value();
  uint64_t counter = 0;

  Lab() {
    auto added = lab.ipa(card, "eim add-initial --eim-id eim-1 --eim-fqdn " + eim.address() +
                                   " --association-token --eim-certificate " + (lab.pki / "nist" / "eim.der").string() +
                                   " --tls-certificate " + lab.ci_pem.string());
    REQUIRE(added.status == 0);
    REQUIRE(added.out == "eIM eim-1 added, association token 1\n");
  }
  void queue(eim::Operation operation) {
    eim::PackageRequest r;
    r.eim_id = "eim-1";
    r.eid = rsp::eid::to_bytes(card.eid).value();
    r.counter_value = ++counter;
    r.operations = {std::move(operation)};
    r.association_token = 1;
    eim.queue(eim::build_euicc_package_request(r, eim_key).value());
  }
  // `ipa ARGS`, the run's stderr kept apart from the lab's.
  ipa::test::IpaRun ipa(const std::string& args) { return lab.ipa(card, args); }
};

}  // namespace

TEST_CASE("ipa poll: one round in text and JSON and an unreachable eIM fails with its reason",
          "[ipa][cli][process][esipa]") {
  Lab l;
  l.queue(eim::psmo::list_profile_info());
  auto polled = l.ipa("poll");
  REQUIRE(polled.status == 0);
  CHECK(polled.out.starts_with("1 package from " + l.eim.address() + " (1 results reported; ESipa asn1 "));
  CHECK(polled.err.find("event=esipa eimId=eim-1 eid=" + l.card.eid +
                        " function=getEimPackage outcome=ok package=euiccPackageRequest") != std::string::npos);
  auto results = l.eim.results();
  REQUIRE(results.size() == 1);
  CHECK(rsp::to_hex(rsp::Bytes(results[0].begin(), results[0].begin() + 4)).starts_with("BF51"));

  l.queue(eim::psmo::get_rat());
  auto as_json = l.ipa("--json poll");
  REQUIRE(as_json.status == 0);
  auto lpa = as_json.lpa();
  CHECK(lpa["code"] == 0);
  CHECK(lpa["data"]["eid"] == l.card.eid);
  CHECK(lpa["data"]["eimId"] == "eim-1");
  CHECK(lpa["data"]["packages"] == 1);
  CHECK(lpa["data"]["resultsReported"] == 1);
  CHECK(lpa["data"]["resultsRemoved"] == 1);
  CHECK(lpa["data"]["eimPackageError"] == 1);
  CHECK(lpa["data"]["binding"] == "asn1");
  CHECK(lpa["data"]["esipaBytesSent"].get<int>() > 0);
  CHECK(l.eim.results().size() == 2);

  l.queue(eim::psmo::get_rat());
  auto over_json = l.ipa("--json poll --binding json");
  REQUIRE(over_json.status == 0);
  CHECK(over_json.lpa()["data"]["binding"] == "json");
  CHECK(over_json.lpa()["data"]["resultsReported"] == 1);
  CHECK(l.eim.received().back().content_type == "application/json;charset=UTF-8");

  auto nothing = l.ipa("poll");
  CHECK(nothing.status == 0);
  CHECK(nothing.out.starts_with("0 packages from "));

  auto unreachable = l.ipa("poll --eim-address localhost:1");
  CHECK(unreachable.status == 1);
  CHECK(unreachable.out.empty());
  CHECK(unreachable.err.find("getEimPackage at localhost:1: ") != std::string::npos);
  CHECK(l.ipa("poll --binding xml").status == 2);
  CHECK(l.eim.results().size() == 3);
}

TEST_CASE("ipa run: rounds until --rounds (at once while packages wait) and SIGTERM ends it with exit 0",
          "[ipa][cli][process][esipa]") {
  Lab l;
  l.queue(eim::psmo::list_profile_info());
  auto ran = l.ipa("run --rounds 2 --interval 0");
  REQUIRE(ran.status == 0);
  CHECK(ran.out.find("round 1: 1 package from ") != std::string::npos);
  CHECK(ran.out.find("round 2: 0 packages from ") != std::string::npos);
  CHECK(ran.out.ends_with("2 rounds, 1 packages\n"));
  CHECK(l.eim.results().size() == 1);

  // Rounds cut short by --max-packages follow each other without the interval.
  l.queue(eim::psmo::get_rat());
  l.queue(eim::psmo::list_profile_info());
  auto started = std::chrono::steady_clock::now();
  auto drained = l.ipa("run --rounds 2 --interval 600 --max-packages 1");
  REQUIRE(drained.status == 0);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(30));
  CHECK(drained.out.find("round 1: 1 package from ") != std::string::npos);
  CHECK(drained.out.find("round 2: 1 package from ") != std::string::npos);
  CHECK(l.eim.results().size() == 3);

  auto as_json = l.ipa("--json run --rounds 1 --interval 0");
  REQUIRE(as_json.status == 0);
  CHECK(as_json.lpa()["data"] == json{{"rounds", 1}, {"packages", 0}, {"failedRounds", 0}, {"stopped", false}});

  rsp::test::ChildProcess daemon("ipa", l.lab.dir.path(),
                                 {"--euicc", "tcp:127.0.0.1:" + l.card.port, "run", "--interval", "60"});
  daemon.wait_for("round 1: 0 packages");
  auto stopped_at = std::chrono::steady_clock::now();
  CHECK(daemon.stop(SIGTERM) == 0);
  CHECK(std::chrono::steady_clock::now() - stopped_at < std::chrono::seconds(5));
  CHECK(daemon.output().find("1 rounds, 0 packages") != std::string::npos);
}

TEST_CASE("ipa run: the eUICC restarted under a running IPAd is reconnected and the next package runs",
          "[ipa][cli][process][esipa]") {
  Lab l;
  rsp::test::ChildProcess daemon(
      "ipa", l.lab.dir.path(),
      {"--euicc", "tcp:127.0.0.1:" + l.card.port, "run", "--interval", "0.2", "--max-backoff", "0.4"});
  daemon.wait_for("round 1: 0 packages");
  l.card.process->stop();
  daemon.wait_for("round \\d+: cannot read the EID: ");
  // The same card (its state directory) back on the same port.
  auto dir = l.lab.dir.path();
  l.card.process = std::make_unique<rsp::test::ChildProcess>(
      "euicc-sim", dir,
      std::vector<std::string>{"--state", (dir / "card").string(), "--listen", "127.0.0.1:" + l.card.port, "--pki",
                               (dir / "card-pki").string()});
  l.card.process->wait_for("listening on 127\\.0\\.0\\.1:(\\d+)");
  l.queue(eim::psmo::list_profile_info());
  daemon.wait_for("round \\d+: 1 package from ");
  CHECK(daemon.stop(SIGTERM) == 0);
  CHECK(l.eim.results().size() == 1);
}
