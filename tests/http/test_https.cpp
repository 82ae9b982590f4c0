// HTTPS round trips between rsp::http::Client and rsp::http::Server, and the ways a client
// refuses a server: untrusted CI, host name mismatch.
#include "http/http_fixture.hpp"

using namespace rsp;
using namespace rsp::test;

TEST_CASE("HTTPS round trip: the client trusts the CI the dp-tls certificate chains to") {
  TestPki pki;
  auto server = serve(tls_listener(pki));
  auto client = client_trusting(pki.ci());

  auto r = client.post(url("localhost", server->port(0), "/gsma/rsp2/es9plus/initiateAuthentication"), "{\"a\":1}",
                       {{"X-Test", "hello"}, {"Content-Type", "application/json"}});
  INFO((r ? "" : r.error().message));
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->body == "POST /gsma/rsp2/es9plus/initiateAuthentication\nhello\n{\"a\":1}");
  CHECK(r->headers.get("content-type") == "text/plain");
  CHECK(r->headers.get("X-ECHO-PEER").value_or("").starts_with("127.0.0.1:"));

  auto g = client.get(url("127.0.0.1", server->port(0), "/status"));  // dp-tls has IP SAN 127.0.0.1
  REQUIRE(g);
  CHECK(g->body == "GET /status\n-\n");
}

TEST_CASE("The client takes its trusted CAs from PEM files too") {
  TestPki pki;
  auto server = serve(tls_listener(pki));
  http::ClientOptions client_options;
  client_options.trusted_ca_files.push_back(pki.ci_pem());
  auto client = http::Client::create(std::move(client_options));
  REQUIRE(client);
  auto r = client->post(url("localhost", server->port(0)), "x");
  REQUIRE(r);
  CHECK(r->status == 200);

  http::ClientOptions missing;
  missing.trusted_ca_files.push_back(pki.dir.path() / "absent.pem");
  auto refused = http::Client::create(std::move(missing));
  REQUIRE_FALSE(refused);
  CHECK_THAT(refused.error().message, Catch::Contains("absent.pem"));
}

TEST_CASE("Keep-alive: several requests on one client all answered, status and headers passed through") {
  TestPki pki;
  auto server = serve(tls_listener(pki, [](const http::Request& request) {
    http::Response r;
    r.status = request.target == "/missing" ? 404 : 200;
    r.headers.add("X-Multi", "1");
    r.headers.add("X-Multi", "2");
    r.headers.set("Content-Length", "999");  // the server's framing wins
    r.body = request.body;
    return r;
  }));
  auto client = client_trusting(pki.ci());
  for (int i = 0; i < 5; ++i) {
    auto r = client.post(url("localhost", server->port(0), "/x"), std::string(static_cast<size_t>(i) * 1000, 'a'));
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(r->body.size() == static_cast<size_t>(i) * 1000);
  }
  auto missing = client.get(url("localhost", server->port(0), "/missing"));
  REQUIRE(missing);
  CHECK(missing->status == 404);
  int multi = 0;
  for (const auto& [name, value] : missing->headers.fields()) multi += http::same_header_name(name, "x-multi");
  CHECK(multi == 2);
}

TEST_CASE("A handler that throws yields 500 and no detail") {
  TestPki pki;
  auto server = serve(
      tls_listener(pki, [](const http::Request&) -> http::Response { throw std::runtime_error("secret detail"); }));
  auto r = client_trusting(pki.ci()).post(url("localhost", server->port(0)), "x");
  REQUIRE(r);
  CHECK(r->status == 500);
  CHECK(r->body.find("secret") == std::string::npos);
}

TEST_CASE("A client that trusts another CI refuses the server") {
  TestPki pki;
  TestPki other;
  auto server = serve(tls_listener(pki));
  auto r = client_trusting(other.ci()).post(url("localhost", server->port(0)), "x");
  REQUIRE_FALSE(r);
  CHECK_THAT(r.error().message, Catch::StartsWith("TLS certificate verification failed"));

  // ... unless verification is explicitly off (lab only).
  http::ClientOptions lab;
  lab.trusted_cas.push_back(other.ci());
  lab.insecure_lab_only = true;
  auto insecure = http::Client::create(std::move(lab))->post(url("localhost", server->port(0)), "x");
  REQUIRE(insecure);
  CHECK(insecure->status == 200);
}

TEST_CASE("A certificate for another host name is refused") {
  TestPki pki("smdp.example.org");
  auto server = serve(tls_listener(pki));
  auto r = client_trusting(pki.ci()).post(url("localhost", server->port(0)), "x");
  REQUIRE_FALSE(r);
  CHECK_THAT(r.error().message, Catch::Contains("TLS certificate verification failed"));
}

TEST_CASE("Two listeners with different certificates, and a plain HTTP one, in one server") {
  TestPki first;
  TestPki second("127.0.0.1");
  http::ServerOptions options;
  options.listeners.push_back(tls_listener(first, [](const http::Request&) {
    return http::Response{200, {}, "first"};
  }));
  options.listeners.push_back(tls_listener(second, [](const http::Request&) {
    return http::Response{200, {}, "second"};
  }));
  http::ListenerOptions plain;
  plain.handler = [](const http::Request&) { return http::Response{200, {}, "metrics"}; };
  options.listeners.push_back(std::move(plain));
  auto server = start_server(std::move(options));
  REQUIRE(server->port(0) != server->port(1));

  auto one = client_trusting(first.ci()).get(url("localhost", server->port(0)));
  auto two = client_trusting(second.ci()).get(url("127.0.0.1", server->port(1)));
  REQUIRE(one);
  REQUIRE(two);
  CHECK(one->body == "first");
  CHECK(two->body == "second");
  // Each listener shows its own certificate: the first CI does not vouch for the second listener.
  CHECK_FALSE(client_trusting(first.ci()).get(url("127.0.0.1", server->port(1))));

  auto three = client_trusting(first.ci()).get(url("127.0.0.1", server->port(2), "/metrics", "http"));
  REQUIRE(three);
  CHECK(three->body == "metrics");
}

TEST_CASE("HTTPS with a brainpoolP256r1 dp-tls certificate") {
  TestPki pki("localhost", crypto::Curve::brainpool_p256r1);
  auto server = serve(tls_listener(pki));
  auto r = client_trusting(pki.ci()).post(url("localhost", server->port(0)), "bp");
  INFO((r ? "" : r.error().message));
  REQUIRE(r);
  CHECK(r->status == 200);
}

TEST_CASE("Start-up errors come back as values, without key material") {
  TestPki pki;
  TestPki other;
  http::ServerOptions first;
  first.listeners.push_back(tls_listener(pki));
  auto server = start_server(std::move(first));

  http::ServerOptions taken;
  auto listener = tls_listener(pki);
  listener.port = server->port(0);
  taken.listeners.push_back(std::move(listener));
  auto busy = http::Server::start(std::move(taken));
  REQUIRE_FALSE(busy);
  CHECK_THAT(busy.error().message, Catch::Contains("cannot listen") && Catch::Contains("listener 0"));

  auto mismatched =
      http::TlsIdentity::make({pki.ci()}, pki::load_key(other.dir.path(), other.curve, crypto::Role::ci).value());
  REQUIRE_FALSE(mismatched);
  CHECK_THAT(mismatched.error().message, Catch::Contains("does not belong"));
  CHECK(mismatched.error().message.find("PRIVATE KEY") == std::string::npos);

  std::filesystem::path bad_key = pki.dir.path() / "bad.key.pem";
  { std::ofstream(bad_key) << "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"; }
  auto unreadable = http::TlsIdentity::from_pem_files(pki.dir.path() / "nist" / "dp-tls.pem", bad_key);
  REQUIRE_FALSE(unreadable);
  CHECK(unreadable.error().message.find("AAAA") == std::string::npos);

  http::ServerOptions no_handler;
  no_handler.listeners.emplace_back();
  CHECK_FALSE(http::Server::start(std::move(no_handler)));
}

TEST_CASE("The client reports a refused connection as an error value") {
  uint16_t port = 0;
  {
    http::ListenerOptions plain;
    plain.handler = echo;
    port = serve(std::move(plain))->port(0);
  }  // stopped: nothing listens there now
  auto r = client_trusting(TestPki().ci()).get(url("127.0.0.1", port, "/", "http"));
  REQUIRE_FALSE(r);
  CHECK_THAT(r.error().message, Catch::StartsWith("cannot connect"));
}
