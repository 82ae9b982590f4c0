// A configuration reload (rsp/server/reload.hpp) on a running HTTPS server: connections accepted
// afterwards see the new TLS identity and the new pins; a reload with any part that fails to load
// changes nothing.
#include <fstream>

#include "http/http_fixture.hpp"
#include "rsp/pki/pki_layout.hpp"
#include "rsp/server/reload.hpp"

using namespace rsp;
using namespace rsp::test;

namespace {

const crypto::Role kRole = crypto::Role::dp_tls;
// A listener presenting the dp-tls of the PKI the reload names.
const server::ListenerConfig kFromPki{"127.0.0.1:0", std::nullopt, std::nullopt, ""};

// A listener presenting a PKI's dp-tls that lets in clients whose certificate is pinned, and
// answers with the name they are pinned under.
struct PinnedServer {
  TestPki first{"localhost"}, second{"localhost"};
  server::PinnedClients pins;
  std::unique_ptr<http::Server> https;

  PinnedServer() {
    REQUIRE(pins.add("op", pem_of(first)));
    http::ListenerOptions listener;
    listener.tls = first.dp_tls();
    listener.client_certificates = http::ClientCertificates::optional;
    listener.accept_client_certificate = [this](const crypto::Certificate& c) { return !pins.name_of(c).empty(); };
    listener.handler = [this](const http::Request& r) {
      http::Response response;
      response.body = r.client_certificate ? pins.name_of(*r.client_certificate) : "anonymous";
      return response;
    };
    https = serve(std::move(listener));
  }

  static std::filesystem::path pem_of(const TestPki& pki) {
    return pki::certificate_path(pki.dir.path(), pki.curve, kRole).replace_extension(".pem");
  }

  // A new connection that trusts only `trusted`'s CI and shows `identity`'s dp-tls, if given: the answer, or why none.
  std::string call(const TestPki& trusted, const TestPki* identity = nullptr) const {
    http::ClientOptions options;
    options.trusted_cas.push_back(trusted.ci());
    if (identity) options.client_identity = identity->dp_tls();
    options.total_timeout = std::chrono::seconds(20);
    auto r = http::Client::create(std::move(options))->get(url("localhost", https->port(0), "/"));
    return r ? r->body : "failed: " + r.error().message;
  }
};

}  // namespace

TEST_CASE_METHOD(PinnedServer, "A reload gives new connections the new TLS identity and pins", "[reload]") {
  CHECK(call(first, &first) == "op");
  CHECK_THAT(call(second), Catch::StartsWith("failed"));

  server::Reload reload;
  reload.listener(*https, 0, kFromPki, second.dir.path(), kRole);
  reload.pins(pins, {{"op", pem_of(second)}, {"other", pem_of(first)}}, "operator");
  // Readied, not yet in place.
  CHECK(call(first, &first) == "op");
  REQUIRE(reload.apply());

  CHECK_THAT(call(first), Catch::StartsWith("failed"));
  CHECK(call(second) == "anonymous");
  CHECK(call(second, &second) == "op");
  CHECK(call(second, &first) == "other");
}

TEST_CASE_METHOD(PinnedServer, "A reload with a part that fails changes nothing", "[reload]") {
  TempDir broken;
  std::ofstream(broken.path() / "garbage.pem")
      << "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n";
  const server::PinFiles good_pins{{"op", pem_of(second)}};

  SECTION("a pinned certificate that does not load") {
    server::Reload reload;
    reload.listener(*https, 0, kFromPki, second.dir.path(), kRole);
    reload.pins(pins, {{"op", pem_of(second)}, {"bad", broken.path() / "garbage.pem"}}, "operator");
    auto applied = reload.apply();
    REQUIRE_FALSE(applied);
    CHECK_THAT(applied.error().message, Catch::Contains("operator bad"));
  }
  SECTION("a TLS key that is not the certificate's") {
    server::Reload reload;
    server::ListenerConfig mismatched{"127.0.0.1:0", pem_of(second),
                                      pki::key_path(first.dir.path(), first.curve, kRole), ""};
    reload.listener(*https, 0, mismatched, second.dir.path(), kRole);
    reload.pins(pins, good_pins, "operator");
    REQUIRE_FALSE(reload.apply());
  }
  SECTION("a PKI directory without its certificates") {
    server::Reload reload;
    reload.pins(pins, good_pins, "operator");
    reload.listener(*https, 0, kFromPki, broken.path(), kRole);
    REQUIRE_FALSE(reload.apply());
  }
  SECTION("a listener the server does not have") {
    server::Reload reload;
    reload.pins(pins, good_pins, "operator");
    reload.listener(*https, 1, kFromPki, second.dir.path(), kRole);
    REQUIRE_FALSE(reload.apply());
  }
  CHECK(call(first, &first) == "op");
  CHECK_THAT(call(second), Catch::StartsWith("failed"));
  CHECK_THAT(call(first, &second), Catch::StartsWith("failed"));
}
