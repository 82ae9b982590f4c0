// The owner's client commands (eim device | download | psmo | eco | data-request | status) against
// the owner API served in-process over HTTPS: the commands parsed as the `eim` program parses them,
// their exit codes, and their --json and text output.
#include <catch2/catch.hpp>

#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/owner_commands.hpp"
#include "owner_api_fixture.hpp"

using eim::test::eid;
using nlohmann::json;

namespace {

struct Run {
  int code = -1;
  std::string out;
  json last() const {
    auto lines = out.substr(0, out.find_last_not_of('\n') + 1);
    return json::parse(lines.substr(lines.rfind('\n') == std::string::npos ? 0 : lines.rfind('\n') + 1));
  }
};

struct CliFixture : eim::test::OwnerApiFixture {
  std::filesystem::path cert = pki.dir.path() / "owner-a.pem", key = pki.dir.path() / "owner-a.key";

  CliFixture() {
    std::ofstream(cert) << owner_a.chain.front().pem();
    std::ofstream(key) << owner_a.key->to_pem();
  }

  // `eim ARGS --eim-url ... --cert ... --key ... --ca ...`, its exit code and stdout.
  Run eim(std::vector<std::string> args, bool connection = true) {
    if (connection)
      args.insert(args.end(), {"--eim-url", base_url(), "--cert", cert.string(), "--key", key.string(), "--ca",
                               pki.ci_pem().string()});
    CLI::App app{"eim"};
    app.require_subcommand(1);
    eim::cli::add_owner_commands(app);
    std::vector<const char*> argv{"eim"};
    for (const auto& a : args) argv.push_back(a.c_str());
    std::ostringstream captured;
    auto* saved = std::cout.rdbuf(captured.rdbuf());
    Run r;
    try {
      app.parse(static_cast<int>(argv.size()), const_cast<char**>(argv.data()));
    } catch (const CLI::ParseError& e) {
      r.code = e.get_name() == "RuntimeError" ? e.get_exit_code() : 2;
    }
    std::cout.rdbuf(saved);
    r.out = captured.str();
    INFO(r.out);
    return r;
  }
};

}  // namespace

TEST_CASE("eim device add, list, show with --json and as text", "[eim][owner][cli]") {
  CliFixture f;
  auto added = f.eim({"device", "add", "--eid", eid(1), "--fleet", "north", "--json"});
  REQUIRE(added.code == 0);
  CHECK(added.last()["results"][0]["added"] == true);
  CHECK(added.last()["results"][0]["queued"]["kind"] == "ipaEuiccDataRequest");

  auto file = f.pki.dir.path() / "eids.txt";
  std::ofstream(file) << "# north\n" << eid(2) << "\n\n  " << eid(3) << "  \n";
  auto many = f.eim({"device", "add", "--eid-file", file.string(), "--fleet", "north"});
  REQUIRE(many.code == 0);
  CHECK_THAT(many.out, Catch::Contains(eid(2) + ": added, queued #") && Catch::Contains(eid(3) + ": added"));

  auto euicc = f.certificate(rsp::crypto::Role::euicc);
  auto euicc_file = f.pki.dir.path() / "euicc.pem", eum_file = f.pki.dir.path() / "eum.pem";
  std::ofstream(euicc_file) << euicc.pem();
  std::ofstream(eum_file) << f.certificate(rsp::crypto::Role::eum).pem();
  auto with_certificates =
      f.eim({"device", "add", "--eid", *euicc.subject_serial_number(), "--association-token", "3",
             "--euicc-certificate", euicc_file.string(), "--eum-certificate", eum_file.string(), "--json"});
  REQUIRE(with_certificates.code == 0);
  CHECK_FALSE(with_certificates.last()["results"][0].contains("queued"));

  auto listed = f.eim({"device", "list", "--fleet", "north", "--json"});
  REQUIRE(listed.code == 0);
  CHECK(listed.last()["devices"].size() == 3);
  auto text = f.eim({"device", "list"});
  CHECK_THAT(text.out, Catch::Contains(*euicc.subject_serial_number() +
                                       " fleet= eimId=eim.test.example nextCounterValue=1 certificates=yes"));

  auto shown = f.eim({"device", "show", "--eid", eid(1)});
  REQUIRE(shown.code == 0);
  CHECK_THAT(shown.out, Catch::Contains("ipaEuiccDataRequest counter 1 queued"));

  // Refused by the eIM: exit 1, the answer still printed with --json.
  auto again = f.eim({"device", "add", "--eid", eid(1), "--json"});
  CHECK(again.code == 1);
  CHECK(again.last()["error"] == "conflict");
  auto unknown = f.eim({"device", "show", "--eid", eid(9), "--json"});
  CHECK(unknown.code == 1);
  CHECK(unknown.last()["error"] == "not_found");
}

TEST_CASE("eim download, psmo, eco, data-request and status for an EID and a fleet", "[eim][owner][cli]") {
  CliFixture f;
  REQUIRE(f.eim({"device", "add", "--eid", eid(1), "--fleet", "north"}).code == 0);
  REQUIRE(f.eim({"device", "add", "--eid", eid(2), "--fleet", "north"}).code == 0);

  auto code = f.eim({"download", "--eid", eid(1), "--activation-code", "LPA:1$smdp.example.com$M1", "--json"});
  REQUIRE(code.code == 0);
  CHECK(code.last()["results"][0]["queued"]["kind"] == "profileDownloadTrigger");

  // Operations in the order given, the raw JSON ones at their place.
  auto psmo =
      f.eim({"psmo", "--fleet", "north", "--disable", "8949449999999990049", "--enable", "89000123456789012341",
             "--operations", R"([{"configureImmediateEnable": {"immediateEnable": true}}])", "--get-rat", "--json"});
  INFO(psmo.out);
  REQUIRE(psmo.code == 0);
  CHECK(psmo.last()["results"].size() == 2);
  auto stored = f.store->packages_for(eid(2), 10).value();
  REQUIRE(stored.size() == 2);
  std::string der = rsp::to_hex(stored[1].request);
  size_t disable = der.find("A40C5A0A"), enable = der.find("A30C5A0A"), immediate = der.find("A7028000"),
         rat = der.find("A600");
  CHECK(disable < enable);
  CHECK(enable < immediate);
  CHECK(immediate < rat);
  CHECK(rat != std::string::npos);

  auto eco = f.eim({"eco", "--eid", eid(1), "--list-eim", "--delete-eim", "old.eim"});
  REQUIRE(eco.code == 0);
  CHECK_THAT(eco.out, Catch::Contains(eid(1) + ": queued #") && Catch::Contains("euiccPackage"));
  // An EimConfigurationData file (DER) for addEim; one that is not refused by the eIM (exit 1).
  auto config = f.pki.dir.path() / "eim-config.der";
  std::ofstream(config, std::ios::binary) << std::string("\x30\x0B\x80\x07new.eim\x83\x00", 13);
  CHECK(f.eim({"eco", "--eid", eid(1), "--add-eim", config.string()}).code == 0);
  std::ofstream(config, std::ios::binary) << "not DER";
  CHECK(f.eim({"eco", "--eid", eid(1), "--add-eim", config.string()}).code == 1);

  auto data = f.eim({"data-request", "--fleet", "north", "--tag", "BF20,A5", "--json"});
  REQUIRE(data.code == 0);
  CHECK(data.last()["results"].size() == 2);

  auto status = f.eim({"status", "--eid", eid(1), "--json"});
  REQUIRE(status.code == 0);
  std::vector<std::string> kinds;
  json answer = status.last();
  for (const auto& p : answer["devices"][0]["packages"]) kinds.push_back(p["kind"]);
  CHECK(kinds == std::vector<std::string>{"ipaEuiccDataRequest", "profileDownloadTrigger", "euiccPackage",
                                          "euiccPackage", "euiccPackage", "ipaEuiccDataRequest"});
  auto text = f.eim({"status", "--fleet", "north"});
  CHECK_THAT(text.out, Catch::Contains(eid(2) + "\n  #") && Catch::Contains("profileDownloadTrigger counter 2 queued"));

  // One call, each device its own trigger, from a file.
  auto list = f.pki.dir.path() / "downloads.txt";
  std::ofstream(list) << "# EID and what to download\n"
                      << eid(1) << " LPA:1$smdp.example.com$M2\n\n"
                      << eid(2) << "   default-smdp\n";
  auto each = f.eim({"download", "--file", list.string(), "--json"});
  INFO(each.out);
  REQUIRE(each.code == 0);
  REQUIRE(each.last()["results"].size() == 2);
  CHECK(each.last()["results"][1]["eid"] == eid(2));
  CHECK(rsp::to_hex(f.store->packages_for(eid(1), 10)->back().request)
            .find(rsp::to_hex(rsp::to_bytes("1$smdp.example.com$M2"))) != std::string::npos);
  CHECK(f.eim({"download", "--file", list.string(), "--eid", eid(1)}).code == 2);  // the file names the EIDs
  std::ofstream(list) << eid(1) << "\n";
  CHECK(f.eim({"download", "--file", list.string()}).code == 2);  // a line without a trigger

  // The eIM's refusal of an operation: exit 1.
  auto bad = f.eim({"psmo", "--eid", eid(1), "--enable", "12", "--json"});
  CHECK(bad.code == 1);
  CHECK(bad.last()["error"] == "bad_request");
}

TEST_CASE("eim owner commands: usage errors exit 2, an unreachable eIM or an unpinned identity 1",
          "[eim][owner][cli]") {
  CliFixture f;
  CHECK(f.eim({"psmo", "--get-rat"}).code == 2);                                   // no target
  CHECK(f.eim({"psmo", "--eid", eid(1), "--fleet", "x", "--get-rat"}).code == 2);  // both
  CHECK(f.eim({"psmo", "--eid", eid(1)}).code == 2);                               // no operation
  CHECK(f.eim({"download", "--eid", eid(1)}).code == 2);                           // no download kind
  CHECK(f.eim({"device", "add"}).code == 2);
  CHECK(f.eim({"status", "--eid", eid(1)}, false).code == 2);  // no --eim-url, --cert, --key
  auto stranger = rsp::test::self_signed_client("stranger");
  std::ofstream(f.cert) << stranger.chain.front().pem();
  std::ofstream(f.key) << stranger.key->to_pem();
  auto forbidden = f.eim({"status", "--eid", eid(1), "--json"});
  CHECK(forbidden.code == 1);
  CHECK(forbidden.last()["error"] == "forbidden");
  // Nothing listens on port 1.
  CHECK(f.eim({"status", "--eid", eid(1), "--eim-url", "https://127.0.0.1:1", "--cert", f.cert.string(), "--key",
               f.key.string()},
              false)
            .code == 1);
}
