// The client's count of an exchange's bytes on the wire (ClientResponse::wire, issue 12): over plain
// HTTP the TCP payload is exactly the HTTP headers and bodies it counts; over TLS the records are
// more than that, a new connection's handshake (certificates) most of all, and each exchange on a
// kept-alive connection is charged only its own records.
#include "http/http_fixture.hpp"

using namespace rsp;
using namespace rsp::test;

TEST_CASE("Over plain HTTP the TCP bytes are the headers and bodies, exchange by exchange", "[http][wire]") {
  http::ListenerOptions plain;
  plain.handler = echo;
  auto server = serve(std::move(plain));
  auto client = *http::Client::create({});
  for (const std::string& body : {std::string("one"), std::string(5000, 'x')}) {
    INFO(body.size());
    auto r = client.post(url("127.0.0.1", server->port(0), "/echo", "http"), body);
    REQUIRE(r);
    CHECK(r->wire.header_bytes_sent > 40);      // "POST /echo HTTP/1.1", Host, Content-Length, ...
    CHECK(r->wire.header_bytes_received > 17);  // "HTTP/1.1 200 OK\r\n" and more
    CHECK(r->wire.tls_bytes_sent == r->wire.header_bytes_sent + body.size());
    CHECK(r->wire.tls_bytes_received == r->wire.header_bytes_received + r->body.size());
  }
}

TEST_CASE("Over TLS the records carry more than the HTTP bytes, and the handshake is charged once", "[http][wire]") {
  TestPki pki;
  auto server = serve(tls_listener(pki));
  auto client = client_trusting(pki.ci());
  auto first = client.post(url("localhost", server->port(0)), "one");
  auto second = client.post(url("localhost", server->port(0)), "two");
  REQUIRE(first);
  REQUIRE(second);
  REQUIRE(first->new_connection);
  REQUIRE_FALSE(second->new_connection);
  for (const auto* r : {&*first, &*second}) {
    CHECK(r->wire.tls_bytes_sent > r->wire.header_bytes_sent + 3);
    CHECK(r->wire.tls_bytes_received > r->wire.header_bytes_received + r->body.size());
  }
  // The server's certificate chain came with the first exchange only.
  CHECK(first->wire.tls_bytes_received > second->wire.tls_bytes_received + 500);
  // A record's overhead (header, tag) is tens of bytes, not hundreds.
  CHECK(second->wire.tls_bytes_received < second->wire.header_bytes_received + second->body.size() + 200);
}
