// The server under load and at its limits: a pool of handler threads, graceful stop, the body
// limit, and peers that go silent.
#include <future>
#include <thread>

#include "http/http_fixture.hpp"
#include "http/raw_peer.hpp"

using namespace rsp;
using namespace rsp::test;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

http::ListenerOptions plain_listener(http::Handler handler = echo) {
  http::ListenerOptions l;
  l.handler = std::move(handler);
  return l;
}

}  // namespace

TEST_CASE("Eight requests at once on a four-thread pool are all answered, four at a time") {
  TestPki pki;
  std::atomic<int> running{0}, most{0};
  http::ServerOptions options;
  options.handler_threads = 4;
  options.listeners.push_back(tls_listener(pki, [&](const http::Request& request) {
    int now = ++running;
    for (int seen = most; now > seen && !most.compare_exchange_weak(seen, now);) {
    }
    // A slow database: hold the thread until four handlers run side by side (or give up).
    for (auto until = Clock::now() + 10s; most < 4 && Clock::now() < until;) std::this_thread::sleep_for(10ms);
    --running;
    return http::Response{200, {}, request.body};
  }));
  auto server = start_server(std::move(options));
  auto client = client_trusting(pki.ci());

  std::vector<std::future<Expected<http::ClientResponse>>> answers;
  for (int i = 0; i < 8; ++i)
    answers.push_back(std::async(std::launch::async, [&, i] {
      return client.post(url("localhost", server->port(0)), "request " + std::to_string(i));
    }));
  for (int i = 0; i < 8; ++i) {
    auto r = answers[static_cast<size_t>(i)].get();
    REQUIRE(r);
    CHECK(r->body == "request " + std::to_string(i));
  }
  CHECK(most == 4);  // in parallel, and no more than the pool has
}

TEST_CASE("Graceful stop lets a request in its handler finish, then refuses new connections") {
  TestPki pki;
  std::promise<void> entered;
  http::ServerOptions options;
  options.stop_timeout = 5s;
  options.listeners.push_back(tls_listener(pki, [&](const http::Request&) {
    entered.set_value();
    std::this_thread::sleep_for(500ms);
    return http::Response{200, {}, "finished"};
  }));
  auto server = start_server(std::move(options));
  auto client = client_trusting(pki.ci());
  uint16_t port = server->port(0);

  auto answer = std::async(std::launch::async, [&] { return client.post(url("localhost", port), "slow"); });
  entered.get_future().wait();
  server->stop();
  auto r = answer.get();
  INFO((r ? "" : r.error().message));
  REQUIRE(r);
  CHECK(r->body == "finished");
  CHECK(r->headers.get("Connection") == "close");
  CHECK_FALSE(client.get(url("localhost", port)));
  server->stop();  // a second stop is harmless
}

TEST_CASE("Bodies over the limit are refused with 413 or a closed connection") {
  TestPki pki;
  std::atomic<int> handled{0};
  http::ServerOptions options;
  options.body_limit = 1024;
  options.listeners.push_back(tls_listener(pki, [&](const http::Request& request) {
    ++handled;
    return http::Response{200, {}, std::to_string(request.body.size())};
  }));
  auto server = start_server(std::move(options));
  auto client = client_trusting(pki.ci());

  auto small = client.post(url("localhost", server->port(0)), std::string(1024, 'a'));
  REQUIRE(small);
  CHECK(small->body == "1024");
  auto large = client.post(url("localhost", server->port(0)), std::string(200 * 1024, 'a'));
  if (large) CHECK(large->status == 413);
  CHECK(handled == 1);

  // Chunked bodies are counted as they come.
  http::ClientRequest chunked{"POST",
                              url("localhost", server->port(0)),
                              {{"Transfer-Encoding", "chunked"}},
                              std::string(4096, 'b'),
                              std::nullopt};
  auto r = client.send(chunked);
  if (r) CHECK(r->status == 413);
  CHECK(handled == 1);
}

TEST_CASE("A peer that sends half a request is dropped after the read timeout") {
  http::ServerOptions options;
  options.read_timeout = 300ms;
  options.listeners.push_back(plain_listener());
  auto server = start_server(std::move(options));
  RawPeer peer(server->port(0));
  peer.send_text("POST /x HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\nhalf");
  auto start = Clock::now();
  CHECK(peer.closed_by_server());
  CHECK(Clock::now() - start < 3s);
}

TEST_CASE("A dead peer does not hold stop() beyond the stop timeout") {
  TestPki pki;
  http::ServerOptions options;
  options.read_timeout = 60s;
  options.idle_timeout = 60s;
  options.stop_timeout = 1s;
  options.listeners.push_back(plain_listener());
  options.listeners.push_back(tls_listener(pki));
  auto server = start_server(std::move(options));
  RawPeer half(server->port(0));
  half.send_text("POST /x HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\nhalf");
  RawPeer silent_tls(server->port(1));  // connects, never starts the handshake
  RawPeer idle(server->port(0));
  std::this_thread::sleep_for(100ms);  // let the server read what was sent

  auto start = Clock::now();
  server->stop();
  auto took = Clock::now() - start;
  CHECK(took >= 900ms);  // the half-read request was given its chance
  CHECK(took < 3s);
  CHECK(half.closed_by_server());
  CHECK(silent_tls.closed_by_server());
  CHECK(idle.closed_by_server());
}

TEST_CASE("Stop closes idle kept-alive connections at once") {
  http::ServerOptions options;
  options.idle_timeout = 60s;
  options.stop_timeout = 10s;
  options.listeners.push_back(plain_listener());
  auto server = start_server(std::move(options));
  RawPeer peer(server->port(0));
  peer.send_text("GET /x HTTP/1.1\r\nHost: localhost\r\n\r\n");
  std::this_thread::sleep_for(100ms);  // answered; now idle, kept alive
  auto start = Clock::now();
  server->stop();
  CHECK(Clock::now() - start < 1s);
  CHECK(peer.closed_by_server());
}

TEST_CASE("Expect: 100-continue is answered before the body is read") {
  auto server = serve(plain_listener());
  RawPeer peer(server->port(0));
  peer.send_text("POST /x HTTP/1.1\r\nHost: localhost\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
  CHECK_THAT(peer.receive_some(), Catch::StartsWith("HTTP/1.1 100 Continue"));
  peer.send_text("body");
  CHECK_THAT(peer.receive_some(), Catch::StartsWith("HTTP/1.1 200") && Catch::EndsWith("POST /x\n-\nbody"));
}

TEST_CASE("Beyond max_connections a connection is closed at once, and served again when one ends") {
  // Issue 13, finding 4: with no cap, a flood of idle connections used up the descriptors and
  // legitimate requests hung until idle ones expired.
  http::ServerOptions options;
  options.idle_timeout = 60s;
  options.read_timeout = 60s;
  options.max_connections = 3;
  options.listeners.push_back(plain_listener());
  auto server = start_server(std::move(options));
  auto idle = std::make_unique<std::vector<std::unique_ptr<RawPeer>>>();
  for (int i = 0; i < 3; ++i) idle->push_back(std::make_unique<RawPeer>(server->port(0)));
  std::this_thread::sleep_for(100ms);  // all three accepted
  RawPeer over(server->port(0));
  auto start = Clock::now();
  CHECK(over.closed_by_server());
  CHECK(Clock::now() - start < 2s);
  CHECK(server->refused_connections() == 1);
  idle->pop_back();  // one leaves
  std::this_thread::sleep_for(100ms);
  RawPeer next(server->port(0));
  next.send_text("GET /x HTTP/1.1\r\nHost: localhost\r\n\r\n");
  CHECK(next.receive_some().rfind("HTTP/1.1 200", 0) == 0);
  CHECK(server->refused_connections() == 1);
}
