// SIGHUP to `eim serve`: the owner API lets in an owner's new pinned certificate and no longer the
// old one; a configuration that fails to load (an owner's certificate missing) keeps the pins.
#include <catch2/catch.hpp>

#include <csignal>

#include "http/http_fixture.hpp"
#include "rsp/files.hpp"
#include "rsp/pki/test_pki.hpp"
#include "support/child_process.hpp"

namespace {

// The owner API's HTTP status for an unknown call: 404 to a pinned owner, 403 to anyone else.
int owner_status(const std::filesystem::path& pki, const std::string& port, const rsp::http::TlsIdentity& identity) {
  rsp::http::ClientOptions options;
  options.trusted_cas.push_back(
      rsp::pki::load_certificate(pki, rsp::crypto::Curve::nist_p256, rsp::crypto::Role::ci).value());
  options.client_identity = identity;
  options.total_timeout = std::chrono::seconds(20);
  auto r = rsp::http::Client::create(options)->post("https://localhost:" + port + "/eim/v1/no-such-call", "{}",
                                                    {{"Content-Type", "application/json"}});
  REQUIRE(r);
  return r->status;
}

}  // namespace

TEST_CASE("eim serve: SIGHUP reloads the owners' certificates, a broken configuration keeps them", "[reload][binary]") {
  rsp::test::TempDir dir;
  auto pki = dir.path() / "pki";
  REQUIRE(rsp::pki::make(pki, {}));
  auto owner_pem = dir.path() / "acme.pem";
  auto first = rsp::test::self_signed_client("acme"), renewed = rsp::test::self_signed_client("acme renewed");
  REQUIRE(rsp::files::write_atomic(owner_pem, rsp::to_bytes(first.chain.front().pem())));
  auto config = dir.path() / "eim.json";
  REQUIRE(rsp::files::write_atomic(config, rsp::to_bytes(R"({"owners": [{"name": "acme", "client_certificate": ")" +
                                                         owner_pem.string() + R"("}]})")));
  rsp::test::ChildProcess eim(
      "eim", dir.path(),
      {"serve", "--config", config.string(), "--pki", pki.string(), "--db",
       "sqlite:" + (dir.path() / "eim.db").string(), "--listen", "127.0.0.1:0", "--owner-listen", "127.0.0.1:0"});
  std::string port = eim.wait_for("owner API on port (\\d+)");
  CHECK(owner_status(pki, port, first) == 404);
  CHECK(owner_status(pki, port, renewed) == 403);

  REQUIRE(rsp::files::write_atomic(owner_pem, rsp::to_bytes(renewed.chain.front().pem())));
  eim.send(SIGHUP);
  eim.wait_for("event=reloaded");
  CHECK(owner_status(pki, port, renewed) == 404);
  CHECK(owner_status(pki, port, first) == 403);

  std::filesystem::remove(owner_pem);
  eim.send(SIGHUP);
  eim.wait_for("event=reload-failed error=\"owner acme");
  CHECK(owner_status(pki, port, renewed) == 404);
  CHECK(eim.stop(SIGTERM) == 0);
}
