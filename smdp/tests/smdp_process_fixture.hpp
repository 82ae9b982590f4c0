#pragma once
// What a test of the `smdp` program starts from: a test PKI (dp-tls for localhost), an operator
// pinned by a self-signed client certificate, one test profile imported with `smdp import` into a
// fresh SQLite inventory, and the flags `smdp serve` needs for them.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "http/http_fixture.hpp"
#include "rsp/files.hpp"
#include "rsp/pki/test_pki.hpp"
#include "rsp/profile_maker.hpp"
#include "support/command.hpp"

namespace smdp::test {

struct SmdpProcessSetup {
  // Imports one profile with this ICCID and IMSI, of profileType "test", for "operator-a".
  SmdpProcessSetup(std::string profile_iccid, const std::string& imsi) : iccid(std::move(profile_iccid)) {
    REQUIRE(rsp::pki::make(pki, rsp::pki::MakeOptions{}));
    REQUIRE(rsp::files::write_atomic(operator_pem, operator_identity.chain.front().pem()));
    rsp::ProfileSpec spec;
    spec.iccid = iccid;
    spec.imsi = imsi;
    spec.ki = rsp::Bytes(16, 0x33);
    spec.opc = rsp::Bytes(16, 0x44);
    std::filesystem::path profile = dir.path() / "profile.der";
    REQUIRE(rsp::files::write_atomic(profile, rsp::make_profile_package(spec).value()));
    auto imported = rsp::test::run_command(std::string(RSP_BINARY_DIR) + "/smdp import --pki " + pki.string() +
                                           " --db " + db + " --operator operator-a=" + operator_pem.string() +
                                           " --profile-type test " + profile.string() + " 2>&1");
    INFO(imported.out);
    REQUIRE(imported.status == 0);
  }

  // `serve` with the PKI, the database and the operator; more flags after them.
  std::vector<std::string> serve_args(std::vector<std::string> more = {}) const {
    std::vector<std::string> args{
        "serve", "--pki", pki.string(), "--db", db, "--operator", "operator-a=" + operator_pem.string()};
    args.insert(args.end(), more.begin(), more.end());
    return args;
  }

  // An HTTPS client trusting the PKI's CI, presenting the operator's certificate.
  rsp::http::Client operator_client() const {
    rsp::http::ClientOptions options;
    options.trusted_cas.push_back(ci());
    options.client_identity = operator_identity;
    return rsp::http::Client::create(options).value();
  }
  rsp::crypto::Certificate ci() const {
    return rsp::pki::load_certificate(pki, rsp::crypto::Curve::nist_p256, rsp::crypto::Role::ci).value();
  }

  rsp::test::TempDir dir;
  std::string iccid;
  std::filesystem::path pki = dir.path() / "pki";
  rsp::http::TlsIdentity operator_identity = rsp::test::self_signed_client("operator-a");
  std::filesystem::path operator_pem = dir.path() / "operator-a.pem";
  std::string db = "sqlite:" + (dir.path() / "smdp.db").string();
};

// The ES2+ JSON binding's request headers, as the operator sends them.
inline const rsp::http::Headers& es2_json_headers() {
  static const rsp::http::Headers headers{{"Content-Type", "application/json"},
                                          {"X-Admin-Protocol", "gsma/rsp/v2.2.2"}};
  return headers;
}

// ES2+ DownloadOrder of a "test" profile, then ConfirmOrder with releaseFlag: the matchingId.
// `es2` is the base URL ".../gsma/rsp2/es2plus/".
inline std::string order_and_release(const rsp::http::Client& operator_client, const std::string& es2,
                                     const std::string& iccid) {
  using nlohmann::json;
  auto call = [&](const std::string& function, const json& body) {
    auto r = operator_client.post(es2 + function, body.dump(), es2_json_headers());
    INFO((r ? r->body : r.error().message));
    REQUIRE(r);
    REQUIRE(r->status == 200);
    json answer = json::parse(r->body);
    REQUIRE(answer["header"]["functionExecutionStatus"]["status"] == "Executed-Success");
    return answer;
  };
  json header = {{"functionRequesterIdentifier", "operator-a"}, {"functionCallIdentifier", "1"}};
  auto ordered = call("downloadOrder", {{"header", header}, {"profileType", "test"}});
  CHECK(ordered["iccid"] == iccid);
  auto confirmed = call("confirmOrder", {{"header", header}, {"iccid", iccid}, {"releaseFlag", true}});
  return confirmed["matchingId"].get<std::string>();
}

}  // namespace smdp::test
