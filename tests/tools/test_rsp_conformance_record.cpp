// rsp-conformance --record and replay: a run against euicc-sim --listen keeps every APDU byte for
// byte (run.json and one file per case, read back whole); replaying the deterministic ES10 cases
// to the same card finds every answer the same, to another card the same status words with other
// data (its EID); a recorded status word changed by hand makes the replay exit 1 naming it; a
// missing recording or target is a usage error.
#include <catch2/catch.hpp>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "conformance_smdp_server.hpp"
#include "session_record.hpp"
#include "support/child_process.hpp"
#include "support/command.hpp"
#include "support/kit.hpp"

namespace {

namespace fs = std::filesystem;
const std::string kBin = RSP_BINARY_DIR;

rsp::test::CommandResult harness(const std::string& args) {
  return rsp::test::run_command("timeout 20 " + kBin + "/rsp-conformance " + args + " 2>&1");
}

struct Card {
  std::unique_ptr<rsp::test::ChildProcess> process;
  std::string euicc;
  Card(const fs::path& dir, const std::string& name, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"--state", (dir / name).string(), "--listen", "127.0.0.1:0"};
    args.insert(args.end(), extra.begin(), extra.end());
    process = std::make_unique<rsp::test::ChildProcess>("euicc-sim", dir, args);
    euicc = "tcp:127.0.0.1:" + process->wait_for("listening on 127\\.0\\.0\\.1:(\\d+)");
  }
};

}  // namespace

TEST_CASE("rsp-conformance --record keeps each case's APDUs and replay plays them back", "[conformance][record][cli]") {
  rsp::test::TempDir dir;
  Card card(dir.path(), "card-a");
  auto record = dir.path() / "record";
  auto run = harness("run --role euicc --euicc " + card.euicc + " --case 'ES10c.GetEID.*' --record " + record.string());
  INFO(run.out);
  REQUIRE(run.status == 0);

  auto recording = conformance::read_record(record);
  REQUIRE(recording);
  CHECK(recording->info.role == "euicc");
  CHECK(recording->info.target == card.euicc);
  REQUIRE(recording->cases.size() == 2);
  CHECK(recording->cases[0].id == "ES10c.GetEID.Nominal");
  CHECK(recording->cases[1].id == "ES10c.GetEID.MatchesCertEuicc");
  for (const auto& c : recording->cases) {
    CHECK(c.verdict == "pass");
    REQUIRE(!c.exchanges.empty());
    for (const auto& e : c.exchanges) {
      CHECK(e.kind == "apdu");
      CHECK(e.sent.size() >= 4);
      CHECK(e.received.size() >= 2);
    }
  }
  // GetEID: BF3E 00 goes out in a STORE DATA and the EID comes back in BF3E 12 5A 10 ...
  bool get_eid = false;
  for (const auto& e : recording->cases[0].exchanges)
    get_eid |= e.sent.size() >= 8 && e.sent[1] == 0xE2 && e.sent[5] == 0xBF && e.sent[6] == 0x3E &&
               e.received.size() == 21 + 2;
  CHECK(get_eid);

  SECTION("the same card answers every APDU the same") {
    auto replayed = harness("replay " + record.string() + " --euicc " + card.euicc);
    INFO(replayed.out);
    CHECK(replayed.status == 0);
    CHECK(replayed.out.find(" 0 same status with other data, 0 differ") != std::string::npos);
  }
  SECTION("another card gives the same status words with its own EID") {
    Card other(dir.path(), "card-b", {"--eid", "89049032000000000000000000000260"});
    auto replayed = harness("replay " + record.string() + " --case ES10c.GetEID.Nominal --json --euicc " + other.euicc);
    INFO(replayed.out);
    CHECK(replayed.status == 0);
    CHECK(replayed.out.find("\"match\":\"same status\"") != std::string::npos);
    CHECK(replayed.out.find(", 0 differ") != std::string::npos);
  }
  SECTION("a recorded status word that the card does not give makes the replay fail") {
    auto file = record / "001-ES10c.GetEID.Nominal.json";
    auto one = nlohmann::json::parse(rsp::test::read_text(file));
    auto& last = one["exchanges"].back()["received"];
    std::string hex = last.get<std::string>();
    last = hex.substr(0, hex.size() - 4) + "6A88";
    std::ofstream(file) << one.dump();
    auto replayed = harness("replay " + record.string() + " --euicc " + card.euicc);
    INFO(replayed.out);
    CHECK(replayed.status == 1);
    CHECK(replayed.out.find("differs (recorded SW 6A88, now 9000)") != std::string::npos);
    CHECK(replayed.out.find(", 1 differ") != std::string::npos);
  }
  SECTION("usage errors") {
    CHECK(harness("replay " + (dir.path() / "nothing").string() + " --euicc " + card.euicc).status == 2);
    CHECK(harness("replay " + record.string()).status == 2);  // APDUs recorded, no --euicc
    CHECK(harness("replay " + record.string() + " --case 'ES9p.*' --euicc " + card.euicc).status == 2);
  }
}

TEST_CASE("rsp-conformance --role smdp reports and records its HTTP exchanges", "[conformance][record][cli]") {
  rsp::test::ConformanceSmdp smdp(0);
  rsp::test::TempDir dir;
  auto html = dir.path() / "report.html", junit = dir.path() / "junit.xml", record = dir.path() / "record";
  for (std::string binding : {"json", "asn1"}) {
    INFO(binding);
    fs::remove_all(record);
    auto run = harness("run --role smdp --smdp https://localhost:" + smdp.port + " --pki " + smdp.pki.string() +
                       " --binding " + binding + " --case 'ES9p.InitiateAuthentication.*' --html " + html.string() +
                       " --junit " + junit.string() + " --record " + record.string());
    INFO(run.out);
    REQUIRE(run.status == 0);
    std::string report = rsp::test::read_text(html);
    std::string path = binding == "json" ? "POST /gsma/rsp2/es9plus/initiateAuthentication" : "POST /gsma/rsp2/asn1";
    CHECK(report.find("<h4>" + path + "</h4>") != std::string::npos);
    CHECK(report.find("<h4>HTTP 200</h4>") != std::string::npos);
    // The eUICC's EUICCInfo1 decoded: a base64 member (json) or inside the DER request (asn1).
    CHECK(report.find("EUICCInfo1 ::= {") != std::string::npos);
    CHECK(report.find("<th>HTTP exchanges</th>") != std::string::npos);
    CHECK(rsp::test::read_text(junit).find("name=\"ES9p.InitiateAuthentication.Nominal\"") != std::string::npos);

    auto recording = conformance::read_record(record);
    REQUIRE(recording);
    CHECK(recording->info.binding == binding);
    REQUIRE(!recording->cases.empty());
    size_t http = 0;
    for (const auto& c : recording->cases)
      for (const auto& e : c.exchanges) {
        CHECK(e.kind == "http");
        http += e.label == path && e.status == 200 && !e.sent.empty() && !e.received.empty();
      }
    CHECK(http >= recording->cases.size());

    // The SM-DP+ draws a fresh serverChallenge and transactionId: same status, other data.
    auto replayed =
        harness("replay " + record.string() + " --case ES9p.InitiateAuthentication.Nominal --pki " + smdp.pki.string());
    INFO(replayed.out);
    CHECK(replayed.status == 0);
    CHECK(replayed.out.find(": same status (HTTP 200)") != std::string::npos);
    CHECK(harness("replay " + record.string()).status == 2);  // HTTP recorded, no --pki
  }
}
