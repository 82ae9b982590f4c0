// The eim program end to end on loopback: `eim serve` with the owner API (--owner-listen, --owner
// NAME=CERT.pem, and from a configuration file), and the owner's client commands of the same
// program against it with --json; an owner the server does not know is refused, a bad --owner and
// owner_listen without owners stop the start.
#include <catch2/catch.hpp>

#include <fstream>

#include <nlohmann/json.hpp>

#include "http/http_fixture.hpp"
#include "rsp/pki/test_pki.hpp"
#include "support/child_process.hpp"
#include "support/command.hpp"

using nlohmann::json;

namespace {

struct Owner {
  std::filesystem::path cert, key;
};

struct Lab {
  rsp::test::TempDir dir;
  std::filesystem::path pki = dir.path() / "pki";
  std::string card = rsp::pki::default_eid();

  Lab() { REQUIRE(rsp::pki::make(pki, {})); }

  Owner owner(const std::string& name) {
    auto identity = rsp::test::self_signed_client(name);
    Owner o{dir.path() / (name + ".pem"), dir.path() / (name + ".key")};
    std::ofstream(o.cert) << identity.chain.front().pem();
    std::ofstream(o.key) << identity.key->to_pem();
    return o;
  }
  std::string ca() const { return (pki / "nist" / "ci.pem").string(); }

  // `eim ARGS` as the owner, with --json; exit code and the last output line as JSON.
  std::pair<int, json> eim(const std::string& port, const Owner& o, const std::string& args) {
    auto r = rsp::test::run_command(std::string(RSP_BINARY_DIR) + "/eim " + args +
                                    " --eim-url https://localhost:" + port + " --cert " + o.cert.string() + " --key " +
                                    o.key.string() + " --ca " + ca() + " --json 2>/dev/null");
    std::string out = r.out.substr(0, r.out.find_last_not_of('\n') + 1);
    INFO(r.out);
    return {r.status,
            json::parse(out.substr(out.rfind('\n') == std::string::npos ? 0 : out.rfind('\n') + 1), nullptr, false)};
  }
};

}  // namespace

TEST_CASE("eim serve with the owner API; eim device add, psmo and status against it", "[eim][owner][binary]") {
  Lab lab;
  REQUIRE(std::filesystem::exists(lab.ca()));
  Owner a = lab.owner("owner-a"), b = lab.owner("owner-b");
  rsp::test::ChildProcess eim(
      "eim", lab.dir.path(),
      {"serve", "--pki", lab.pki.string(), "--db", "sqlite:" + (lab.dir.path() / "eim.db").string(), "--listen",
       "127.0.0.1:0", "--owner-listen", "127.0.0.1:0", "--owner", "owner-a=" + a.cert.string()});
  std::string port = eim.wait_for("eim: owner API on port (\\d+)");

  auto [added, add_answer] = lab.eim(port, a, "device add --eid " + lab.card + " --fleet north");
  CHECK(added == 0);
  CHECK(add_answer["results"][0]["queued"]["kind"] == "ipaEuiccDataRequest");
  auto [queued, psmo_answer] = lab.eim(port, a, "psmo --fleet north --get-rat");
  CHECK(queued == 0);
  CHECK(psmo_answer["results"][0]["queued"]["kind"] == "euiccPackage");
  auto [shown, status] = lab.eim(port, a, "status --eid " + lab.card);
  CHECK(shown == 0);
  CHECK(status["devices"][0]["packages"].size() == 2);
  eim.wait_for("interface=owner owner=owner-a function=status target=" + lab.card + " outcome=ok");

  // Owner b is not pinned at this eIM.
  auto [refused, refusal] = lab.eim(port, b, "status --eid " + lab.card);
  CHECK(refused == 1);
  CHECK(refusal["error"] == "forbidden");
  CHECK(eim.stop() == 0);
}

TEST_CASE("eim serve reads owner_listen and owners from its configuration; refuses them half given",
          "[eim][owner][binary]") {
  Lab lab;
  Owner a = lab.owner("owner-a");
  auto config = lab.dir.path() / "eim.json";
  std::ofstream(config) << json{{"pki", lab.pki.string()},
                                {"database", "sqlite:" + (lab.dir.path() / "eim.db").string()},
                                {"listen", {"127.0.0.1:0"}},
                                {"owner_listen", {"127.0.0.1:0"}},
                                {"owners", {{{"name", "owner-a"}, {"client_certificate", a.cert.string()}}}}}
                               .dump();
  {
    rsp::test::ChildProcess eim("eim", lab.dir.path(), {"serve", "--config", config.string()});
    std::string port = eim.wait_for("eim: owner API on port (\\d+)");
    auto [listed, devices] = lab.eim(port, a, "device list");
    CHECK(listed == 0);
    CHECK(devices["devices"].empty());
    CHECK(eim.stop() == 0);
  }
  std::string serve = std::string(RSP_BINARY_DIR) + "/eim serve --pki " + lab.pki.string() +
                      " --listen 127.0.0.1:0 --db sqlite:" + (lab.dir.path() / "x.db").string() +
                      " --owner-listen 127.0.0.1:0";
  auto no_owners = rsp::test::run_command(serve + " 2>&1");
  CHECK(no_owners.status == 1);
  CHECK_THAT(no_owners.out, Catch::Contains("without owners"));
  auto bad_owner = rsp::test::run_command(serve + " --owner owner-a 2>&1");
  CHECK(bad_owner.status == 1);
  CHECK_THAT(bad_owner.out, Catch::Contains("NAME=CERT.pem"));
  auto missing = rsp::test::run_command(serve + " --owner owner-a=" + (lab.dir.path() / "none.pem").string() + " 2>&1");
  CHECK(missing.status == 1);
  CHECK_THAT(missing.out, Catch::Contains("owner owner-a"));
}
