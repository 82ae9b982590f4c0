// SIGHUP to `smds serve` (the path smdp and eim serve share, rsp/server/server_signals.hpp): the
// configuration file is read again, new connections get the listener's new certificate and the new
// SM-DP+ pin, event=reloaded is logged; a configuration that fails to load is logged as
// event=reload-failed and the running one stays.
#include <catch2/catch.hpp>

#include <csignal>
#include <fstream>
#include <nlohmann/json.hpp>

#include "rsp/http/client.hpp"
#include "rsp/pki/pki_layout.hpp"
#include "rsp/pki/test_pki.hpp"
#include "support/child_process.hpp"

using nlohmann::json;
using rsp::crypto::Curve;
using rsp::crypto::Role;

namespace {

struct TwoPkis {
  rsp::test::TempDir dir;
  std::filesystem::path first = dir.path() / "first", second = dir.path() / "second";
  std::filesystem::path tls_certificate = dir.path() / "tls.pem", tls_key = dir.path() / "tls.key.pem";
  std::filesystem::path smdp_pin = dir.path() / "smdp-a.pem", config = dir.path() / "smds.json";

  TwoPkis() {
    REQUIRE(rsp::pki::make(first, {}));
    REQUIRE(rsp::pki::make(second, {}));
  }

  static std::filesystem::path pem(const std::filesystem::path& pki, Role role) {
    return rsp::pki::certificate_path(pki, Curve::nist_p256, role).replace_extension(".pem");
  }
  // The listener's certificate and key, and the SM-DP+'s pin, from one PKI.
  void use(const std::filesystem::path& pki) const {
    using std::filesystem::copy_options;
    std::filesystem::copy_file(pem(pki, Role::ds_tls), tls_certificate, copy_options::overwrite_existing);
    std::filesystem::copy_file(rsp::pki::key_path(pki, Curve::nist_p256, Role::ds_tls), tls_key,
                               copy_options::overwrite_existing);
    std::filesystem::copy_file(pem(pki, Role::dp_tls), smdp_pin, copy_options::overwrite_existing);
  }
  void write_config(const std::filesystem::path& certificate) const {
    std::ofstream(config) << json{{"pki", first.string()},
                                  {"listen",
                                   {{{"listen", "127.0.0.1:0"},
                                     {"tls_certificate", certificate.string()},
                                     {"tls_key", tls_key.string()}}}},
                                  {"database", "sqlite:" + (dir.path() / "smds.db").string()},
                                  {"smdps", {{{"name", "smdp-a"}, {"client_certificate", smdp_pin.string()}}}}}
                                 .dump();
  }

  // A new connection trusting `trusted`'s CI, showing `client`'s dp-tls: whether the TLS session was made.
  static bool connects(const std::string& port, const std::filesystem::path& trusted,
                       const std::filesystem::path& client) {
    rsp::http::ClientOptions options;
    options.trusted_cas.push_back(rsp::pki::load_certificate(trusted, Curve::nist_p256, Role::ci).value());
    options.client_identity = *rsp::http::TlsIdentity::from_pki(client, Curve::nist_p256, Role::dp_tls);
    options.total_timeout = std::chrono::seconds(20);
    return rsp::http::Client::create(std::move(options))->get("https://localhost:" + port + "/").has_value();
  }
};

}  // namespace

TEST_CASE_METHOD(TwoPkis,
                 "smds serve: SIGHUP reloads the TLS certificate and the pins, a broken configuration keeps them",
                 "[reload][binary]") {
  use(first);
  write_config(tls_certificate);
  rsp::test::ChildProcess smds("smds", dir.path(), {"serve", "--config", config.string()});
  std::string port = smds.wait_for("ES11 and ES12 of localhost on https://127.0.0.1:(\\d+)/");
  CHECK(connects(port, first, first));
  CHECK_FALSE(connects(port, second, second));

  use(second);
  smds.send(SIGHUP);
  smds.wait_for("event=reloaded");
  CHECK(connects(port, second, second));
  CHECK_FALSE(connects(port, first, second));  // the old certificate is gone
  CHECK_FALSE(connects(port, second, first));  // so is the old pin

  write_config(dir.path() / "missing.pem");
  smds.send(SIGHUP);
  smds.wait_for("event=reload-failed error=.*missing\\.pem");
  CHECK(connects(port, second, second));
  CHECK(smds.running());
  CHECK(smds.stop(SIGTERM) == 0);
}
