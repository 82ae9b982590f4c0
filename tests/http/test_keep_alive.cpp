// The client's kept-alive connections: exchanges of one client share a connection while the server
// keeps it (its Keep-Alive: timeout), many threads each get one of their own, and a connection the
// server has closed is replaced by a fresh one without the caller seeing an error.
#include <future>
#include <mutex>
#include <set>
#include <thread>

#include "http/http_fixture.hpp"
#include "support/loopback_socket.hpp"

using namespace rsp;
using namespace rsp::test;
using namespace std::chrono_literals;

namespace {

// The connection an exchange went over, as the server saw it (the echo handler's peer address).
std::string peer_of(const Expected<http::ClientResponse>& r) {
  REQUIRE(r);
  return std::string(r->headers.get("X-Echo-Peer").value_or(""));
}

// A plain HTTP server on 127.0.0.1 that does to each connection what the test says, one connection
// after another on its own thread.
class ScriptedServer {
 public:
  using Script = std::function<void(ScriptedServer&, int connection_fd, int index)>;
  explicit ScriptedServer(Script script) {
    auto listener = listen_on_loopback();
    REQUIRE(listener.fd >= 0);
    fd_ = listener.fd;
    port_ = listener.port;
    thread_ = std::thread([this, run = std::move(script)] {
      for (int index = 1;; ++index) {
        int c = accept(fd_, nullptr, nullptr);
        if (c < 0) return;  // shut down
        timeval limit{5, 0};
        setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
        ++accepted;
        run(*this, c, index);
      }
    });
  }
  ~ScriptedServer() {
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    thread_.join();
  }
  uint16_t port() const { return port_; }

  // One whole request (header and Content-Length body); false when the peer closed or went silent.
  static bool read_request(int fd) {
    std::string in;
    char buffer[4096];
    size_t header_end = std::string::npos;
    size_t length = 0;
    for (;;) {
      if (header_end == std::string::npos && (header_end = in.find("\r\n\r\n")) != std::string::npos) {
        header_end += 4;
        if (auto at = in.find("Content-Length: "); at != std::string::npos) length = std::stoul(in.substr(at + 16));
      }
      if (header_end != std::string::npos && in.size() >= header_end + length) return true;
      ssize_t n = recv(fd, buffer, sizeof buffer, 0);
      if (n <= 0) return false;
      in.append(buffer, static_cast<size_t>(n));
    }
  }
  // A kept-alive answer (no Connection: close, no Keep-Alive timeout): `body`.
  static void answer(int fd, const std::string& body) {
    std::string out = "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    (void)send(fd, out.data(), out.size(), MSG_NOSIGNAL);  // on the server's thread: no Catch assertion here
  }

  std::atomic<int> accepted{0};
  std::promise<void> closed_first;  // set once the first connection is closed

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
  std::thread thread_;
};

http::Client plain_client() {
  http::ClientOptions options;
  options.total_timeout = 10s;
  return *http::Client::create(std::move(options));
}

}  // namespace

TEST_CASE("Two exchanges of one client go over one connection, which the server announces it keeps",
          "[http][keep-alive]") {
  TestPki pki;
  auto server = serve(tls_listener(pki));  // idle_timeout 60 s
  auto client = client_trusting(pki.ci());
  auto first = client.post(url("localhost", server->port(0)), "one");
  auto second = client.post(url("localhost", server->port(0)), "two");
  CHECK(peer_of(first) == peer_of(second));
  CHECK(first->new_connection);
  CHECK_FALSE(second->new_connection);
  CHECK(second->headers.get("Keep-Alive") == "timeout=60");
  CHECK(second->body == "POST /echo\n-\ntwo");

  // A copy of the client shares its connections.
  auto copy = client;
  auto third = copy.get(url("localhost", server->port(0)));
  CHECK(peer_of(third) == peer_of(first));
}

TEST_CASE("No reuse where the server keeps connections under a second, or the client is told not to",
          "[http][keep-alive]") {
  TestPki pki;
  http::ServerOptions options;
  options.idle_timeout = 300ms;  // announced as timeout=0
  options.listeners.push_back(tls_listener(pki));
  auto short_lived = start_server(std::move(options));
  auto client = client_trusting(pki.ci());
  auto first = client.post(url("localhost", short_lived->port(0)), "one");
  auto second = client.post(url("localhost", short_lived->port(0)), "two");
  CHECK(first->headers.get("Keep-Alive") == "timeout=0");
  CHECK(peer_of(first) != peer_of(second));
  CHECK(second->new_connection);

  auto server = serve(tls_listener(pki));
  http::ClientOptions never;
  never.trusted_cas.push_back(pki.ci());
  never.keep_alive_idle = 0ms;
  auto fresh = *http::Client::create(std::move(never));
  auto a = fresh.get(url("localhost", server->port(0)));
  auto b = fresh.get(url("localhost", server->port(0)));
  CHECK(peer_of(a) != peer_of(b));
}

TEST_CASE("A connection the server closed after answering is replaced by a fresh one", "[http][keep-alive]") {
  ScriptedServer server([](ScriptedServer& s, int fd, int index) {
    while (ScriptedServer::read_request(fd)) {
      ScriptedServer::answer(fd, "connection " + std::to_string(index));
      if (index == 1) break;  // closes without saying so, as an idle timeout does
    }
    close(fd);
    if (index == 1) s.closed_first.set_value();
  });
  auto client = plain_client();
  auto address = url("127.0.0.1", server.port(), "/x", "http");
  auto first = client.post(address, "a");
  REQUIRE(first);
  CHECK(first->body == "connection 1");
  server.closed_first.get_future().wait();
  auto second = client.post(address, "b");
  INFO((second ? "" : second.error().message));
  REQUIRE(second);
  CHECK(second->body == "connection 2");
  CHECK(second->new_connection);
  CHECK(server.accepted == 2);
}

TEST_CASE("A connection the server closes as the next request arrives is retried on a fresh one",
          "[http][keep-alive]") {
  ScriptedServer server([](ScriptedServer&, int fd, int index) {
    if (ScriptedServer::read_request(fd)) ScriptedServer::answer(fd, "connection " + std::to_string(index));
    // The first connection takes the next request and closes unanswered: its idle time ran out
    // just as the request came.
    if (index == 1) ScriptedServer::read_request(fd);
    close(fd);
  });
  auto client = plain_client();
  auto address = url("127.0.0.1", server.port(), "/x", "http");
  auto first = client.post(address, "a");
  REQUIRE(first);
  CHECK(first->body == "connection 1");
  auto second = client.post(address, "b");
  INFO((second ? "" : second.error().message));
  REQUIRE(second);
  CHECK(second->body == "connection 2");
  CHECK(server.accepted == 2);
}

TEST_CASE("Exchanges on several threads at once each get a connection, none more than the threads",
          "[http][keep-alive]") {
  TestPki pki;
  auto server = serve(tls_listener(pki, [](const http::Request& request) {
    std::this_thread::sleep_for(5ms);  // so that the threads' exchanges overlap
    return echo(request);
  }));
  auto client = client_trusting(pki.ci());
  std::mutex mutex;
  std::set<std::string> peers;
  std::atomic<int> answered{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i) {
        auto r = client.post(url("localhost", server->port(0)), std::to_string(t));
        if (!r || r->body != "POST /echo\n-\n" + std::to_string(t)) continue;
        ++answered;
        std::lock_guard lock(mutex);
        peers.insert(std::string(r->headers.get("X-Echo-Peer").value_or("")));
      }
    });
  for (auto& t : threads) t.join();
  CHECK(answered == 20);
  CHECK(peers.size() <= 4);
}
