// Every limit of the HTTP server reached on loopback through the real server (issue 13): the answer
// (431, 413 or a closed connection), the count in GET /metrics, the log line (one per reason a
// second, with the number since the last), and the server serving again afterwards; the per-peer
// cap from two loopback addresses; limits read from a configuration file.
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <regex>
#include <thread>

#include "http/http_fixture.hpp"
#include "http/raw_peer.hpp"
#include "rsp/refusals.hpp"
#include "rsp/server/config_json.hpp"
#include "rsp/server/limits_config.hpp"
#include "rsp/server/metrics.hpp"
#include "rsp/untrusted_json.hpp"

using namespace rsp;
using namespace rsp::test;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

// A timed-out connection is closed by its stream's timer before the read's handler runs and counts
// it, so a peer may see the close a moment before the counter and the log line move.
template <class Done>
bool within(std::chrono::milliseconds limit, Done done) {
  auto end = Clock::now() + limit;
  while (!done()) {
    if (Clock::now() > end) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

// What the process writes to stderr (the log) while it lives.
class StderrCapture {
 public:
  StderrCapture() : file_(std::tmpfile()), saved_(dup(2)) {
    REQUIRE(file_);
    std::fflush(stderr);
    dup2(fileno(file_), 2);
  }
  ~StderrCapture() {
    std::fflush(stderr);
    dup2(saved_, 2);
    close(saved_);
    std::fclose(file_);
  }
  std::string text() {
    std::fflush(stderr);
    std::string out;
    char buffer[4096];
    for (off_t at = 0;;) {
      ssize_t n = pread(fileno(file_), buffer, sizeof buffer, at);
      if (n <= 0) return out;
      out.append(buffer, static_cast<size_t>(n));
      at += n;
    }
  }
  // The log lines of refusals for `reason`.
  std::vector<std::string> refusal_lines(const std::string& reason) {
    std::vector<std::string> lines;
    std::istringstream in(text());
    for (std::string line; std::getline(in, line);)
      if (line.find(" event=limit-refused reason=" + reason + " ") != std::string::npos) lines.push_back(line);
    return lines;
  }

 private:
  FILE* file_;
  int saved_;
};

using Peer = RawPeer;

std::string get(uint16_t port, const char* from = "127.0.0.1", const std::string& path = "/x") {
  Peer peer(port, from);
  peer.send_text("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
  return peer.receive_until_closed();
}

bool served(uint16_t port, const char* from = "127.0.0.1") { return get(port, from).rfind("HTTP/1.1 200", 0) == 0; }

// A server with a plain listener (0) for requests and one (1) for GET /metrics.
struct LimitedServer {
  explicit LimitedServer(http::ServerOptions options, http::Handler handler = echo) {
    http::ListenerOptions requests;
    requests.handler = std::move(handler);
    options.listeners.push_back(std::move(requests));
    http::ListenerOptions metrics_listener;
    metrics_listener.handler = server::metrics_handler(metrics);
    options.listeners.push_back(std::move(metrics_listener));
    server = start_server(std::move(options));
  }
  uint16_t port() const { return server->port(0); }
  // rsp_http_refused_total{reason="REASON"} as GET /metrics reads it now, from 127.0.0.9.
  uint64_t refused(const std::string& reason) const {
    auto text = get(server->port(1), "127.0.0.9", "/metrics");
    std::smatch m;
    REQUIRE(std::regex_search(text, m, std::regex("\nrsp_http_refused_total\\{reason=\"" + reason + "\"\\} (\\d+)\n")));
    return std::stoull(m[1]);
  }

  server::Metrics metrics{"test"};
  std::unique_ptr<http::Server> server;
};

std::string log_count(const std::string& line) {
  std::smatch m;
  return std::regex_search(line, m, std::regex(" count=(\\d+)")) ? std::string(m[1]) : "";
}

}  // namespace

TEST_CASE("A header over header_limit is 431, counted and logged, and the server serves on") {
  StderrCapture log;
  http::ServerOptions options;
  options.header_limit = 1024;
  LimitedServer s(options);
  uint64_t before = s.refused("header");
  {
    Peer peer(s.port());
    peer.send_text("GET /x HTTP/1.1\r\nHost: localhost\r\nX-Big: " + std::string(2000, 'a') + "\r\n\r\n");
    CHECK(peer.receive_until_closed().rfind("HTTP/1.1 431", 0) == 0);
  }
  // Under the limit: served.
  Peer fits(s.port());
  fits.send_text("GET /x HTTP/1.1\r\nHost: localhost\r\nX-Big: " + std::string(900, 'a') +
                 "\r\nConnection: close\r\n\r\n");
  CHECK(fits.receive_until_closed().rfind("HTTP/1.1 200", 0) == 0);
  CHECK(s.refused("header") == before + 1);
  auto lines = log.refusal_lines("header");
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].find(" peer=127.0.0.1") != std::string::npos);
  CHECK(log_count(lines[0]) == "1");
}

TEST_CASE("A body over body_limit is 413, counted and logged, and the server serves on") {
  StderrCapture log;
  http::ServerOptions options;
  options.body_limit = 1024;
  LimitedServer s(options);
  uint64_t before = s.refused("body");
  Peer peer(s.port(), "127.0.0.5");
  peer.send_text("POST /x HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2000\r\n\r\n" + std::string(2000, 'b'));
  CHECK(peer.receive_until_closed().rfind("HTTP/1.1 413", 0) == 0);
  CHECK(s.refused("body") == before + 1);
  auto lines = log.refusal_lines("body");
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].find(" peer=127.0.0.5") != std::string::npos);
  CHECK(served(s.port(), "127.0.0.5"));
}

TEST_CASE("A connection that sends nothing is closed after first_byte_timeout, counted and logged") {
  StderrCapture log;
  http::ServerOptions options;
  options.first_byte_timeout = 200ms;
  options.read_timeout = 10s;
  LimitedServer s(options);
  uint64_t before = s.refused("first_byte");
  Peer silent(s.port());
  auto start = Clock::now();
  CHECK(silent.closed_by_server());
  auto took = Clock::now() - start;
  CHECK(took >= 150ms);
  CHECK(took < 3s);
  CHECK(within(2s, [&] { return s.refused("first_byte") == before + 1; }));
  CHECK(within(2s, [&] { return log.refusal_lines("first_byte").size() == 1; }));
  // One that sends at once is served as before; a request begun in time has read_timeout to finish.
  Peer slow(s.port());
  slow.send_text("GET /x HTT");
  std::this_thread::sleep_for(400ms);
  slow.send_text("P/1.1\r\nHost: localhost\r\n\r\n");
  CHECK(slow.receive_some().rfind("HTTP/1.1 200", 0) == 0);
  CHECK(served(s.port()));
}

TEST_CASE("A TLS connection silent before its ClientHello is closed after first_byte_timeout, and TLS serves on") {
  TestPki pki;
  http::ServerOptions options;
  options.first_byte_timeout = 200ms;
  options.listeners.push_back(tls_listener(pki));
  auto server = start_server(std::move(options));
  uint64_t before = refusal_count(Refusal::first_byte);
  Peer silent(server->port(0));
  CHECK(silent.closed_by_server());
  CHECK(within(2s, [&] { return refusal_count(Refusal::first_byte) == before + 1; }));
  auto answer = client_trusting(pki.ci()).post(url("localhost", server->port(0)), "hello");
  REQUIRE(answer);
  CHECK(answer->status == 200);
}

TEST_CASE("A kept-alive connection idle beyond idle_timeout is closed, counted and logged") {
  StderrCapture log;
  http::ServerOptions options;
  options.idle_timeout = 200ms;
  LimitedServer s(options);
  uint64_t before = s.refused("idle");
  Peer peer(s.port());
  peer.send_text("GET /x HTTP/1.1\r\nHost: localhost\r\n\r\n");
  CHECK(peer.receive_some().rfind("HTTP/1.1 200", 0) == 0);
  auto start = Clock::now();
  CHECK(peer.closed_by_server());
  CHECK(Clock::now() - start < 3s);
  CHECK(within(2s, [&] { return s.refused("idle") == before + 1; }));
  CHECK(within(2s, [&] { return log.refusal_lines("idle").size() == 1; }));
  CHECK(served(s.port()));
}

TEST_CASE("A request trickled in is cut off read_timeout after its first byte, however it keeps sending") {
  // Slowloris: a byte every 50 ms restarts no timer; the request as a whole has read_timeout.
  StderrCapture log;
  http::ServerOptions options;
  options.read_timeout = 400ms;
  LimitedServer s(options);
  uint64_t before = s.refused("request_time");
  Peer peer(s.port());
  auto start = Clock::now();
  std::string request = "GET /x HTTP/1.1\r\nHost: localhost\r\nX-Slow: " + std::string(200, 's');
  size_t sent = 0;
  while (sent < request.size() && peer.try_send(request.substr(sent, 1))) {
    ++sent;
    std::this_thread::sleep_for(50ms);
  }
  auto took = Clock::now() - start;
  CHECK(sent < 40);  // cut off after ~8 bytes, not after 200
  CHECK(took >= 350ms);
  CHECK(took < 3s);
  CHECK(within(2s, [&] { return s.refused("request_time") == before + 1; }));
  CHECK(within(2s, [&] { return log.refusal_lines("request_time").size() == 1; }));
  CHECK(served(s.port()));
}

TEST_CASE("JSON beyond the process's bounds is refused by parse_untrusted_json, counted and logged") {
  StderrCapture log;
  // A handler as the JSON functions have it: 400 when the body is not JSON within bounds.
  auto handler = [](const http::Request& request) {
    auto parsed = parse_untrusted_json(request.body);
    return parsed ? http::Response{200, {}, "ok"} : http::Response{400, {}, parsed.error().message};
  };
  LimitedServer s(http::ServerOptions{}, handler);
  auto post = [&](const std::string& body) {
    Peer peer(s.port());
    peer.send_text("POST /x HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: " +
                   std::to_string(body.size()) + "\r\n\r\n" + body);
    return peer.receive_until_closed();
  };
  uint64_t before = s.refused("json");
  std::string six = "[[[[[[1]]]]]]";
  CHECK(post(six).rfind("HTTP/1.1 200", 0) == 0);  // within the default 16 levels
  set_json_bounds({5, 100});
  auto refused = post(six);
  set_json_bounds({});
  CHECK(refused.rfind("HTTP/1.1 400", 0) == 0);
  CHECK(refused.find("deeper than 5 levels") != std::string::npos);
  CHECK(post(six).rfind("HTTP/1.1 200", 0) == 0);
  CHECK(s.refused("json") == before + 1);
  auto lines = log.refusal_lines("json");
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].find("detail=\"JSON nested deeper than 5 levels\"") != std::string::npos);
}

TEST_CASE("One peer address at max_connections_per_peer does not keep another out, and is logged once a second") {
  StderrCapture log;
  http::ServerOptions options;
  options.max_connections_per_peer = 3;
  options.first_byte_timeout = 30s;
  LimitedServer s(options);
  uint64_t before = s.refused("peer_connections");
  auto held = std::make_unique<std::vector<std::unique_ptr<Peer>>>();
  for (int i = 0; i < 3; ++i) held->push_back(std::make_unique<Peer>(s.port(), "127.0.0.1"));
  std::this_thread::sleep_for(100ms);  // all three accepted
  // A flood from the same address: each closed at once.
  for (int i = 0; i < 20; ++i) {
    Peer over(s.port(), "127.0.0.1");
    auto start = Clock::now();
    CHECK(over.closed_by_server());
    CHECK(Clock::now() - start < 2s);
  }
  CHECK(s.refused("peer_connections") == before + 20);
  // Another address is served meanwhile.
  CHECK(served(s.port(), "127.0.0.2"));
  // Twenty refusals within a second: one line; the next line, a second later, counts those left out.
  REQUIRE(log.refusal_lines("peer_connections").size() == 1);
  CHECK(log_count(log.refusal_lines("peer_connections")[0]) == "1");
  std::this_thread::sleep_for(1100ms);
  {
    Peer over(s.port(), "127.0.0.1");
    CHECK(over.closed_by_server());
  }
  auto lines = log.refusal_lines("peer_connections");
  REQUIRE(lines.size() == 2);
  CHECK(log_count(lines[1]) == "20");
  CHECK(lines[1].find(" peer=127.0.0.1") != std::string::npos);
  // When the address's connections end, it is served again.
  held.reset();
  std::this_thread::sleep_for(100ms);
  CHECK(served(s.port(), "127.0.0.1"));
  CHECK(s.server->refused_connections() == 21);
}

TEST_CASE("Beyond max_connections a connection from any address is closed, counted as connections") {
  StderrCapture log;
  http::ServerOptions options;
  options.max_connections = 3;  // the metrics reader's connection counts too
  options.first_byte_timeout = 30s;
  LimitedServer s(options);
  uint64_t before = refusal_count(Refusal::connections);
  Peer a(s.port(), "127.0.0.1"), b(s.port(), "127.0.0.2"), c(s.port(), "127.0.0.3");
  std::this_thread::sleep_for(100ms);
  Peer over(s.port(), "127.0.0.4");
  CHECK(over.closed_by_server());
  CHECK(refusal_count(Refusal::connections) == before + 1);
  REQUIRE(log.refusal_lines("connections").size() == 1);
  CHECK(log.refusal_lines("connections")[0].find(" peer=127.0.0.4") != std::string::npos);
  CHECK(s.metrics.prometheus_text().find("rsp_http_refused_total{reason=\"connections\"} " +
                                         std::to_string(before + 1) + "\n") != std::string::npos);
}

TEST_CASE("A peer is an IPv4 address, or an IPv6 /64") {
  CHECK(http::peer_key("127.0.0.2") == "127.0.0.2");
  CHECK(http::peer_key("::ffff:127.0.0.2") == "127.0.0.2");  // IPv4 on a dual-stack listener
  CHECK(http::peer_key("2001:db8:1:2:aaaa::1") == "2001:db8:1:2::/64");
  CHECK(http::peer_key("2001:db8:1:2:ffff:ffff:ffff:ffff") == "2001:db8:1:2::/64");  // one subscriber's many addresses
  CHECK(http::peer_key("2001:db8:1:3::1") == "2001:db8:1:3::/64");
  CHECK(http::peer_key("::1") == "::/64");
  CHECK(http::peer_key("?") == "?");
}

TEST_CASE("Limits from a configuration file's \"limits\" object change the server's limits") {
  TempDir dir;
  auto read = [&](const std::string& text, const char* key = "limits", bool json_keys = true) {
    std::ofstream(dir.path() / "server.json") << text;
    auto object = server::read_config_object(dir.path() / "server.json");
    REQUIRE(object);
    server::ListenerLimits limits;
    std::string error;
    server::read_limits(*object, key, limits, error, json_keys);
    return std::make_pair(limits, error);
  };
  auto [limits, error] = read(R"({ "limits": { // every key
      "connections": 100, "connections_per_peer": 1, "header_bytes": 600, "body_bytes": 700, "json_depth": 5,
      "json_values": 50, "first_byte_seconds": 0.25, "idle_seconds": 2, "request_seconds": 1.5 } })");
  REQUIRE(error.empty());
  http::ServerOptions options;
  server::apply_limits(limits, options);
  CHECK(options.max_connections == 100);
  CHECK(options.max_connections_per_peer == 1);
  CHECK(options.header_limit == 600);
  CHECK(options.body_limit == 700);
  CHECK(options.first_byte_timeout == 250ms);
  CHECK(options.idle_timeout == 2s);
  CHECK(options.read_timeout == 1500ms);
  server::apply_json_limits(limits);
  CHECK(json_bounds().depth == 5);
  CHECK(json_bounds().values == 50);
  server::apply_json_limits({});
  CHECK(json_bounds().depth == kMaxJsonDepth);

  // Absent keys keep the server's defaults.
  http::ServerOptions defaults;
  defaults.body_limit = 64 * 1024;
  server::apply_limits(read(R"({ "limits": { "header_bytes": 600 } })").first, defaults);
  CHECK(defaults.body_limit == 64 * 1024);
  CHECK(defaults.max_connections_per_peer == http::ServerOptions{}.max_connections_per_peer);

  // The server holds to them: a 1,000-byte header (under the default 8 KiB) is 431, a second
  // connection from one address is closed.
  LimitedServer s(options);
  Peer first(s.port());
  first.send_text("GET /x HTTP/1.1\r\nHost: localhost\r\nX-Big: " + std::string(1000, 'a') + "\r\n\r\n");
  CHECK(first.receive_until_closed().rfind("HTTP/1.1 431", 0) == 0);
  Peer held(s.port());
  std::this_thread::sleep_for(100ms);
  Peer second(s.port());
  CHECK(second.closed_by_server());

  // Refused: wrong types, zero, negative, unknown keys, JSON bounds in a second limits object.
  CHECK_FALSE(read(R"({"limits": {"header_bytes": 0}})").second.empty());
  CHECK_FALSE(read(R"({"limits": {"body_bytes": -1}})").second.empty());
  CHECK_FALSE(read(R"({"limits": {"connections": 1.5}})").second.empty());
  CHECK_FALSE(read(R"({"limits": {"idle_seconds": "a minute"}})").second.empty());
  CHECK_FALSE(read(R"({"limits": {"idle_seconds": 0}})").second.empty());
  CHECK_FALSE(read(R"({"limits": 5})").second.empty());
  CHECK(read(R"({"limits": {"body": 1}})").second == "unknown key \"body\" in \"limits\"");
  CHECK_FALSE(read(R"({"owner_limits": {"json_depth": 4}})", "owner_limits", false).second.empty());
  CHECK(read(R"({"owner_limits": {"body_bytes": 4}})", "owner_limits", false).second.empty());
}
