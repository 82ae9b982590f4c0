#pragma once
// An eIM's owner API served in-process over real HTTPS: a test PKI (its CI, eUICC and eIM
// credentials), an SQLite store, the package queue, two pinned owners with self-signed client
// certificates, and a client per identity.
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "eim/owner_api.hpp"
#include "http/http_fixture.hpp"
#include "rsp/eid.hpp"

namespace eim::test {

using nlohmann::json;

// A valid EID (check digits right) numbered `n`, under the test EUM's prefix 89049032.
inline std::string eid(int n) {
  std::string digits = std::to_string(1000 + n);
  return rsp::eid::complete("89049032123451234512345" + std::string(7 - digits.size(), '0') + digits).value();
}

struct Answer {
  int status = 0;
  json body;
};

struct OwnerApiFixture {
  rsp::test::TestPki pki;
  rsp::http::TlsIdentity owner_a = rsp::test::self_signed_client("owner a");
  rsp::http::TlsIdentity owner_b = rsp::test::self_signed_client("owner b");
  std::unique_ptr<EimStore> store = open_eim_store("sqlite:" + (pki.dir.path() / "eim.db").string()).value();
  rsp::server::PinnedClients owners;
  std::unique_ptr<PackageQueue> queue;
  std::unique_ptr<OwnerApi> api;
  std::unique_ptr<rsp::http::Server> server;

  explicit OwnerApiFixture(OwnerApiSettings settings = {}) {
    owners.add("owner-a", owner_a.chain.front());
    owners.add("owner-b", owner_b.chain.front());
    queue = std::make_unique<PackageQueue>(
        *store,
        EimSigner{"eim.test.example", rsp::pki::load_key(pki.dir.path(), pki.curve, rsp::crypto::Role::eim).value()});
    settings.cis.add(pki.ci());
    api = std::make_unique<OwnerApi>(*store, *queue, owners, std::move(settings));
    auto listener = rsp::test::tls_listener(pki, owner_api_handler(*api));
    listener.client_certificates = rsp::http::ClientCertificates::optional;
    listener.accept_client_certificate = [](const rsp::crypto::Certificate&) { return true; };  // the handler decides
    server = rsp::test::serve(std::move(listener));
  }

  std::string base_url() const { return "https://localhost:" + std::to_string(server->port(0)); }
  rsp::crypto::Certificate certificate(rsp::crypto::Role role) const {
    return rsp::pki::load_certificate(pki.dir.path(), pki.curve, role).value();
  }

  Answer post_raw(const std::optional<rsp::http::TlsIdentity>& identity, const std::string& path,
                  const std::string& body) {
    rsp::http::ClientOptions options;
    options.trusted_cas.push_back(pki.ci());
    options.client_identity = identity;
    options.total_timeout = std::chrono::seconds(30);
    auto response = rsp::http::Client::create(std::move(options))->post(base_url() + path, body, {});
    INFO((response ? "" : response.error().message));
    REQUIRE(response);
    json parsed = json::parse(response->body, nullptr, false);
    return {response->status, parsed};
  }
  Answer post(const rsp::http::TlsIdentity& identity, const std::string& path, const json& body) {
    return post_raw(identity, path, body.dump());
  }
  Answer a(const std::string& path, const json& body) { return post(owner_a, path, body); }
  Answer b(const std::string& path, const json& body) { return post(owner_b, path, body); }
};

}  // namespace eim::test
