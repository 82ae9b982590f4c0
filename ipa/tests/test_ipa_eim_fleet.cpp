// The IPA and the eIM as programs when things go wrong (SGP.32 v1.2): `ipa poll` killed after the
// card ran a package and before the eIM heard of it; `eim serve` stopped and started again in the
// middle of a fleet's round; two `eim serve` on one PostgreSQL database with devices polling either
// and racing. The owner queues through the owner API (`eim psmo`), `eim status --json` tells what
// the eIM recorded; each package must be delivered once and executed once.
#include <catch2/catch.hpp>

#include <csignal>
#include <future>

#include "eim_lab.hpp"
#include "https_proxy.hpp"
#include "support/postgres_harness.hpp"

namespace {

using ipa::test::EimLab;
using ipa::test::EimServe;
using ipa::test::json;
using ipa::test::poll_data;

// The GetEimPackage log lines of an eIM that handed a package to `eid`.
std::string delivered_to(const std::string& eid) { return "function=GetEimPackage eid=" + eid + " outcome=delivered"; }

// The states of a device's packages, oldest first, and whether any result is a signed error.
std::vector<std::string> states(const json& packages) {
  std::vector<std::string> out;
  for (const auto& p : packages) out.push_back(p["state"]);
  return out;
}
bool any_error(const json& packages) {
  for (const auto& p : packages)
    if (p.contains("result") && p["result"].contains("error")) return true;
  return false;
}

}  // namespace

TEST_CASE("ipa killed between running a package and reporting it: the next poll reports it, once",
          "[ipa][eim][process][resilience]") {
  EimLab lab;
  EimServe eim = lab.start_eim(lab.eim_db);
  auto& card = lab.add_device("card", std::nullopt);
  lab.add_initial(EimLab::euicc_of(card), eim.esipa_port);
  lab.register_device(eim.owner_port, card.eid, lab.card_pki("card"));
  lab.owner_ok(eim.owner_port, "psmo --eid " + card.eid + " --set-default-dp smdp-after.example");

  // Between the IPA and the eIM: the first ProvideEimPackageResult (BF50) is held and the IPA
  // killed while it waits for the answer; the eIM never sees it.
  std::unique_ptr<rsp::test::ChildProcess> ipa;
  std::promise<void> killed;
  bool held = false;
  rsp::http::ClientOptions to_eim;
  to_eim.trusted_ca_files.push_back(lab.ci_pem);
  auto eim_tls =
      rsp::http::TlsIdentity::from_pki(lab.pki, rsp::crypto::Curve::nist_p256, rsp::crypto::Role::eim_tls).value();
  auto hold_result = [&](rsp::http::Request& r) -> std::optional<rsp::http::Response> {
    if (held || !r.body.starts_with("\xBF\x50")) return std::nullopt;
    held = true;
    ipa->stop(SIGKILL);
    killed.set_value();
    rsp::http::Response gone;
    gone.status = 502;
    return gone;
  };
  ipa::test::HttpsProxy proxy(eim_tls, "https://localhost:" + eim.esipa_port, to_eim, hold_result);
  std::vector<std::string> poll{"--euicc", EimLab::euicc_of(card), "--json",
                                "poll",    "--eim-address",        "localhost:" + std::to_string(proxy.port())};
  ipa = std::make_unique<rsp::test::ChildProcess>("ipa", lab.dir.path(), poll);
  REQUIRE(killed.get_future().wait_for(std::chrono::seconds(30)) == std::future_status::ready);
  CHECK(ipa->stop() == -1);  // SIGKILL, not an exit
  INFO(ipa->output());
  CHECK(ipa->output().find("function=loadEuiccPackage") != std::string::npos);
  // The card ran it; the eIM only knows it delivered it.
  CHECK(lab.ipa(card, "addresses").out.find("smdp-after.example") != std::string::npos);
  CHECK(states(lab.packages(eim.owner_port, card.eid)) == std::vector<std::string>{"delivered"});

  // The next poll reports the result kept on the card first; the eIM verifies and records it.
  auto next = lab.ipa(card, "--json poll");
  REQUIRE(next.status == 0);
  CHECK(poll_data(next)["resultsReported"] == 1);
  CHECK(poll_data(next)["resultsRemoved"] == 1);
  CHECK(poll_data(next)["packages"] == 0);  // not delivered again, so not run again
  auto packages = lab.packages(eim.owner_port, card.eid);
  REQUIRE(packages.size() == 1);
  CHECK(packages[0]["state"] == "executed");
  CHECK(packages[0]["result"]["results"][0]["operation"] == "setDefaultDpAddress");
  CHECK_FALSE(any_error(packages));
  CHECK(eim.lines_matching(delivered_to(card.eid)) == 1);
  CHECK(eim.lines_matching("function=ProvideEimPackageResult eid=" + card.eid + " outcome=executed") == 1);
  CHECK(eim.lines_matching("function=ProvideEimPackageResult eid=" + card.eid + " outcome=repeated") == 0);

  // Removed from the card: nothing left to report; the counter moved on, so a new package runs.
  auto after = lab.ipa(card, "--json poll");
  REQUIRE(after.status == 0);
  CHECK(poll_data(after)["resultsReported"] == 0);
  CHECK(poll_data(after)["packages"] == 0);
  lab.owner_ok(eim.owner_port, "psmo --eid " + card.eid + " --get-rat");
  auto further = lab.ipa(card, "--json poll");
  REQUIRE(further.status == 0);
  CHECK(poll_data(further)["euiccPackages"] == 1);
  packages = lab.packages(eim.owner_port, card.eid);
  CHECK(states(packages) == std::vector<std::string>{"executed", "executed"});
  CHECK_FALSE(any_error(packages));
  CHECK(eim.process->stop() == 0);
}

TEST_CASE("eim serve restarted mid-fleet: every package executed once, counters intact",
          "[ipa][eim][process][resilience]") {
  EimLab lab;
  EimServe eim = lab.start_eim(lab.eim_db);
  constexpr int kDevices = 6;
  for (int i = 0; i < kDevices; ++i) {
    auto& card = lab.add_device("card-" + std::to_string(i), std::nullopt);
    lab.add_initial(EimLab::euicc_of(card), eim.esipa_port);
    lab.register_device(eim.owner_port, card.eid, lab.card_pki("card-" + std::to_string(i)));
  }
  auto queued = lab.owner_ok(eim.owner_port, "psmo --fleet north --get-rat");
  REQUIRE(queued["results"].size() == kDevices);
  auto poll = [&](int i, int packages) {
    INFO("card-" << i);
    auto run = lab.ipa(lab.devices[i], "--json poll");
    REQUIRE(run.status == 0);
    CHECK(poll_data(run)["packages"] == packages);
    CHECK(poll_data(run)["resultsRemoved"] == packages);
  };
  for (int i = 0; i < kDevices / 2; ++i) poll(i, 1);

  // SIGTERM, and the same database and ports again (the cards' eimFqdn stays right).
  std::string esipa_port = eim.esipa_port, owner_port = eim.owner_port;
  size_t delivered_before = 0;
  for (const auto& d : lab.devices) delivered_before += eim.lines_matching(delivered_to(d.eid));
  CHECK(delivered_before == kDevices / 2);
  REQUIRE(eim.process->stop() == 0);
  eim = lab.start_eim(lab.eim_db, esipa_port, owner_port);
  for (int i = kDevices / 2; i < kDevices; ++i) poll(i, 1);
  for (int i = 0; i < kDevices / 2; ++i) poll(i, 0);  // nothing delivered twice

  // A further package for every device runs: the eIM's counters went on where they were.
  lab.owner_ok(owner_port, "psmo --fleet north --list-profile-info");
  for (int i = 0; i < kDevices; ++i) poll(i, 1);
  for (int i = 0; i < kDevices; ++i) {
    const std::string& eid = lab.devices[i].eid;
    auto packages = lab.packages(owner_port, eid);
    INFO("card-" << i << ": " << packages.dump());
    CHECK(states(packages) == std::vector<std::string>{"executed", "executed"});
    CHECK_FALSE(any_error(packages));
    // The restarted eIM delivered the first half's second package, the second half's both.
    CHECK(eim.lines_matching(delivered_to(eid)) == (i < kDevices / 2 ? 1u : 2u));
  }
  CHECK(eim.process->stop() == 0);
}

TEST_CASE("two eim serve on one PostgreSQL: queued on one, delivered by the other, racing polls deliver once",
          "[ipa][eim][process][postgres]") {
  std::string database = rsp::test::shared_postgres().create_database();  // skipped (77) without PostgreSQL
  EimLab lab;
  EimServe a = lab.start_eim(database);
  EimServe b = lab.start_eim(database);
  auto& card = lab.add_device("card", std::nullopt);
  lab.add_initial(EimLab::euicc_of(card), a.esipa_port);
  lab.register_device(a.owner_port, card.eid, lab.card_pki("card"));

  // Queued at A, polled at B; queued at B, polled at A (the card's eimFqdn).
  lab.owner_ok(a.owner_port, "psmo --eid " + card.eid + " --get-rat");
  auto via_b = lab.ipa(card, "--json poll --eim-address localhost:" + b.esipa_port);
  REQUIRE(via_b.status == 0);
  CHECK(poll_data(via_b)["euiccPackages"] == 1);
  CHECK(states(lab.packages(b.owner_port, card.eid)) == std::vector<std::string>{"executed"});
  lab.owner_ok(b.owner_port, "psmo --eid " + card.eid + " --list-profile-info");
  auto via_a = lab.ipa(card, "--json poll");
  REQUIRE(via_a.status == 0);
  CHECK(poll_data(via_a)["euiccPackages"] == 1);
  CHECK(poll_data(lab.ipa(card, "--json poll --eim-address localhost:" + b.esipa_port))["packages"] == 0);

  // Racing: the same device twice (a copy of the card's state, same EID, keys and counters), one
  // IPA at A and one at B at the same time. Each package goes to one of them.
  constexpr int kRacing = 6;
  for (int i = 0; i < kRacing; ++i) lab.owner_ok((i % 2 ? b : a).owner_port, "psmo --eid " + card.eid + " --get-rat");
  REQUIRE(card.process->stop() == 0);
  std::filesystem::copy(lab.dir.path() / "card", lab.dir.path() / "twin", std::filesystem::copy_options::recursive);
  auto start_card = [&](const std::string& state) {
    auto p = std::make_unique<rsp::test::ChildProcess>(
        "euicc-sim", lab.dir.path(),
        std::vector<std::string>{"--state", (lab.dir.path() / state).string(), "--listen", "127.0.0.1:0"});
    CHECK(p->wait_for("EID (\\d{32})") == card.eid);
    std::string port = p->wait_for("listening on 127\\.0\\.0\\.1:(\\d+)");
    return std::make_pair(std::move(p), port);
  };
  auto [original, original_port] = start_card("card");
  auto [twin, twin_port] = start_card("twin");
  auto racer = [&](const std::string& port, const EimServe& at) {
    return std::make_unique<rsp::test::ChildProcess>(
        "ipa", lab.dir.path(),
        std::vector<std::string>{"--euicc", "tcp:127.0.0.1:" + port, "--json", "poll", "--eim-address",
                                 "localhost:" + at.esipa_port});
  };
  auto at_a = racer(original_port, a);
  auto at_b = racer(twin_port, b);
  int executed = 0;
  for (auto* run : {at_a.get(), at_b.get()}) {
    for (int i = 0; i < 600 && run->running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    CHECK(run->stop() == 0);
    std::string out = run->output();
    INFO(out);
    std::smatch m;
    REQUIRE(std::regex_search(out, m, std::regex("\"euiccPackages\":(\\d+)")));
    executed += std::stoi(m[1]);
  }
  CHECK(executed == kRacing);
  auto packages = lab.packages(a.owner_port, card.eid);
  CHECK(states(packages) == std::vector<std::string>(kRacing + 2, "executed"));
  CHECK_FALSE(any_error(packages));
  CHECK(a.lines_matching(delivered_to(card.eid)) + b.lines_matching(delivered_to(card.eid)) == kRacing + 2);
  CHECK(a.process->stop() == 0);
  CHECK(b.process->stop() == 0);
}
