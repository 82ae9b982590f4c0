// The vpcd framing over TCP on 127.0.0.1, with the client (or the reader) written here: controls,
// APDUs, one client after another, an idle client's turn ending, reconnection to a reader that goes away, stop and
// SIGTERM.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <csignal>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "euicc/vpcd_link.hpp"
#include "fake_applications.hpp"
#include "support/kit.hpp"

using namespace euicc;
using namespace std::chrono_literals;
using euicc::test::FakeIsdr;
using euicc::test::FakeUsim;
using rsp::to_hex;
using rsp::test::hex;

namespace {

const std::string kSelectIsdr = "00A4040010A0000005591010FFFFFFFF8900000100";

// A TCP socket on 127.0.0.1 with a receive timeout, so a broken link fails the test, not hangs it.
class Peer {
 public:
  explicit Peer(int fd) : fd_(fd) {
    timeval tv{5, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  ~Peer() {
    if (fd_ >= 0) close(fd_);
  }
  Peer(Peer&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  Peer& operator=(Peer&& o) noexcept {
    std::swap(fd_, o.fd_);
    return *this;
  }

  static std::optional<Peer> connect_to(uint16_t port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      close(fd);
      return std::nullopt;
    }
    return Peer(fd);
  }

  void send_message(const Bytes& message) {
    Bytes frame{static_cast<uint8_t>(message.size() >> 8), static_cast<uint8_t>(message.size())};
    frame.insert(frame.end(), message.begin(), message.end());
    REQUIRE(send(fd_, frame.data(), frame.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(frame.size()));
  }
  // Bytes as they are, no framing (half a message).
  void send_partial(const Bytes& bytes) {
    REQUIRE(send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size()));
  }
  // As Debian 12's vpcd writes: the length, then the bytes, in two send() calls (Nagle left on).
  void send_message_in_two_writes(const Bytes& message) {
    uint8_t header[2] = {static_cast<uint8_t>(message.size() >> 8), static_cast<uint8_t>(message.size())};
    REQUIRE(send(fd_, header, 2, MSG_NOSIGNAL) == 2);
    REQUIRE(send(fd_, message.data(), message.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(message.size()));
  }
  // The next message, or nullopt when the peer closed or nothing came in time.
  std::optional<Bytes> receive_message() {
    uint8_t header[2];
    if (!read_exact(header, 2)) return std::nullopt;
    Bytes body(static_cast<size_t>(header[0] << 8 | header[1]));
    if (!read_exact(body.data(), body.size())) return std::nullopt;
    return body;
  }
  std::string exchange(const std::string& apdu_hex) {
    send_message(hex(apdu_hex));
    auto answer = receive_message();
    return answer ? to_hex(*answer) : "(none)";
  }
  // True when the peer has closed the connection (reads EOF within the timeout).
  bool closed_by_peer() {
    uint8_t b;
    return recv(fd_, &b, 1, 0) == 0;
  }

 private:
  bool read_exact(uint8_t* out, size_t n) {
    while (n > 0) {
      ssize_t r = recv(fd_, out, n, 0);
      if (r <= 0) return false;
      out += r;
      n -= static_cast<size_t>(r);
    }
    return true;
  }
  int fd_;
};

// A listening socket on 127.0.0.1 (port 0: any free one), standing in for vpcd.
class FakeReader {
 public:
  explicit FakeReader(uint16_t port = 0) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(listen(fd_, 1) == 0);
    socklen_t size = sizeof a;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &size);
    port_ = ntohs(a.sin_port);
    timeval tv{5, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);  // bounds accept()
  }
  ~FakeReader() { close(fd_); }
  uint16_t port() const { return port_; }
  std::optional<Peer> accept_card() {
    int fd = accept(fd_, nullptr, nullptr);
    if (fd < 0) return std::nullopt;
    return Peer(fd);
  }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

// A port that was free a moment ago.
uint16_t free_port() {
  FakeReader probe;
  return probe.port();
}

// Runs a link in a thread; stops and joins it when the test is done with it.
class LinkThread {
 public:
  template <class F>
  explicit LinkThread(F run) : thread_([this, run] { run(stop_); }) {}
  ~LinkThread() { stop(); }
  void stop() {
    stop_.request();
    if (thread_.joinable()) thread_.join();
  }

 private:
  StopSignal stop_;
  std::thread thread_;
};

// serve_tcp in `link` on a free port of 127.0.0.1 with `options` (which must outlive it): the port,
// once it listens.
uint16_t serve_in_thread(std::optional<LinkThread>& link, Card& card, LinkOptions& options) {
  auto bound = std::make_shared<std::promise<uint16_t>>();
  options.on_listening = [bound](uint16_t port) { bound->set_value(port); };
  auto future = bound->get_future();
  link.emplace([&card, &options](StopSignal& stop) { serve_tcp(card, "127.0.0.1", 0, stop, options); });
  REQUIRE(future.wait_for(5s) == std::future_status::ready);
  return future.get();
}

// Log lines of a link, readable from the test thread.
struct LogLines {
  std::mutex mutex;
  std::vector<std::string> lines;
  std::function<void(std::string_view)> sink() {
    return [this](std::string_view line) {
      std::lock_guard lock(mutex);
      lines.emplace_back(line);
    };
  }
  int count(std::string_view text) {
    std::lock_guard lock(mutex);
    return static_cast<int>(std::count_if(lines.begin(), lines.end(),
                                          [&](const std::string& l) { return l.find(text) != std::string::npos; }));
  }
};

}  // namespace

TEST_CASE("vpcd messages: the four controls and command APDUs") {
  FakeIsdr isdr;
  FakeUsim usim;
  Card card(isdr, usim);
  CHECK(answer_vpcd_message(card, hex("04")) == card.atr());
  CHECK_FALSE(answer_vpcd_message(card, hex("00")));
  CHECK_FALSE(card.powered());
  CHECK(answer_vpcd_message(card, hex("04")) == card.atr());  // the ATR is there while off: presence
  CHECK_FALSE(answer_vpcd_message(card, hex("01")));
  CHECK(card.powered());
  CHECK(to_hex(*answer_vpcd_message(card, hex(kSelectIsdr))) == "6114");
  CHECK_FALSE(answer_vpcd_message(card, hex("02")));
  CHECK(isdr.channel_closed_calls == 1);  // the reset ended the ISD-R's session
  CHECK(card.powered());
  CHECK_FALSE(answer_vpcd_message(card, hex("03")));  // no such control: nothing to answer
  CHECK_FALSE(answer_vpcd_message(card, Bytes{}));
  CHECK(card.stats().command_apdus == 1);
}

TEST_CASE("serve_tcp: one client after another over the vpcd framing, stopped on request") {
  FakeIsdr isdr;
  FakeUsim usim;
  Card card(isdr, usim);
  LogLines log;
  LinkOptions options;
  options.log = log.sink();
  std::optional<LinkThread> link;
  uint16_t port = serve_in_thread(link, card, options);
  REQUIRE(port != 0);

  {
    auto client = Peer::connect_to(port);
    REQUIRE(client);
    client->send_message(hex("01"));  // power on: no answer
    client->send_message(hex("04"));
    CHECK(client->receive_message() == card.atr());
    CHECK(client->exchange(kSelectIsdr + "00").substr(0, 4) == "6F12");
    CHECK(client->exchange("80E2910003BF2E0000") == "BF2E009000");
    // A 600-byte answer, fetched in pieces, as a client through this link would.
    isdr.reply = Bytes(600, 0x5A);
    CHECK(client->exchange("80E2910003BF2200") == "6100");
    CHECK(client->exchange("00C0000000").size() == 2 * 258);
  }
  // The first client left: the card left the reader with it.
  for (int i = 0; i < 100 && isdr.channel_closed_calls == 0; ++i) std::this_thread::sleep_for(10ms);
  CHECK(isdr.channel_closed_calls == 1);

  auto second = Peer::connect_to(port);
  REQUIRE(second);
  CHECK(second->exchange("80E2910003BF2E0000") == "6985");  // a fresh card: the MF, not the ISD-R
  CHECK(second->exchange("0070000001") == "019000");

  auto start = std::chrono::steady_clock::now();
  link->stop();  // while a client is connected and idle
  CHECK(std::chrono::steady_clock::now() - start < 2s);
  CHECK(second->closed_by_peer());
  CHECK(log.count("client connected") == 2);
  CHECK(card.stats().command_apdus == 6);  // the controls are not APDUs
}

TEST_CASE("serve_tcp: an idle client keeps the card alone, gives it up to a waiting one after the idle timeout") {
  FakeIsdr isdr;
  FakeUsim usim;
  Card card(isdr, usim);
  LogLines log;
  LinkOptions options;
  options.idle_timeout = 200ms;
  options.log = log.sink();
  std::optional<LinkThread> link;
  uint16_t port = serve_in_thread(link, card, options);

  auto first = Peer::connect_to(port);
  REQUIRE(first);
  CHECK(first->exchange("0070000001") == "019000");
  std::this_thread::sleep_for(300ms);                // idle past the timeout, but nobody waits
  CHECK(first->exchange("0070000001") == "029000");  // the same card session

  // The second connects and sends at once; it is answered once the first has been idle 200 ms.
  auto second = Peer::connect_to(port);
  REQUIRE(second);
  auto start = std::chrono::steady_clock::now();
  CHECK(second->exchange("0070000001") == "019000");  // a fresh card: the first's channels closed
  auto waited = std::chrono::steady_clock::now() - start;
  CHECK(waited >= 150ms);
  CHECK(waited < 1200ms);
  CHECK(first->closed_by_peer());
  CHECK(log.count("idle for 200 ms while another client waits: its turn is over") == 1);

  // A message begun and not finished is cut off after the timeout, even with nobody waiting.
  second->send_partial(hex("0005"));
  start = std::chrono::steady_clock::now();
  CHECK(second->closed_by_peer());
  CHECK(std::chrono::steady_clock::now() - start < 1200ms);
  CHECK(log.count("a message not complete 200 ms after its first byte") == 1);
}

TEST_CASE("a peer that writes length and bytes separately gets no delayed-ACK stall") {
  FakeIsdr isdr;
  FakeUsim usim;
  Card card(isdr, usim);
  LinkOptions options;
  std::optional<LinkThread> link;
  auto client = Peer::connect_to(serve_in_thread(link, card, options));
  REQUIRE(client);
  // Each exchange would wait ~40 ms for the card's ACK of the length; 20 of them take 800 ms.
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 20; ++i) {
    client->send_message_in_two_writes(hex("0070000001"));
    CHECK(client->receive_message() == hex("019000"));
    client->send_message_in_two_writes(hex("0070800100"));
    CHECK(client->receive_message() == hex("9000"));
  }
  CHECK(std::chrono::steady_clock::now() - start < 400ms);
}

TEST_CASE("serve_tcp refuses an address it cannot listen on") {
  FakeIsdr isdr;
  FakeUsim usim;
  Card card(isdr, usim);
  StopSignal stop;
  FakeReader taken;  // SO_REUSEADDR does not let two sockets listen on one port
  CHECK_THROWS_AS(serve_tcp(card, "127.0.0.1", taken.port(), stop), std::runtime_error);
}

TEST_CASE("connect_vpcd: serves the reader, reconnects when it goes away or is not there yet") {
  FakeIsdr isdr;
  FakeUsim usim;
  Card card(isdr, usim);
  uint16_t port = free_port();
  LogLines log;
  LinkOptions options;
  options.log = log.sink();
  options.first_backoff = 10ms;
  options.max_backoff = 100ms;
  LinkThread link([&](StopSignal& stop) { connect_vpcd(card, "127.0.0.1", port, stop, options); });

  // No reader yet: the link retries until one listens.
  std::this_thread::sleep_for(150ms);
  CHECK(log.count("unreachable") == 1);  // said once, not at every retry
  {
    FakeReader reader(port);
    auto card_side = reader.accept_card();
    REQUIRE(card_side);
    card_side->send_message(hex("04"));
    CHECK(card_side->receive_message() == card.atr());
    CHECK(card_side->exchange("0070000001") == "019000");
    CHECK(card_side->exchange("01A4040C10A0000005591010FFFFFFFF8900000100") == "9000");
    // The reader goes away (pcscd stops): the card is taken out, the link tries again.
  }
  {
    FakeReader reader(port);  // pcscd is back on the same port
    auto card_side = reader.accept_card();
    REQUIRE(card_side);
    CHECK(card_side->exchange("81E2910003BF2E0000") == "6881");  // a fresh card: channel 1 closed
    CHECK(card_side->exchange("80E2910003BF2E0000") == "6985");
  }
  CHECK(isdr.channel_closed_calls == 1);
  CHECK(log.count("connected to the reader") == 2);
  CHECK(log.count("lost") >= 1);

  // Stop while it waits for a reader that is not there.
  auto start = std::chrono::steady_clock::now();
  link.stop();
  CHECK(std::chrono::steady_clock::now() - start < 1s);
}

TEST_CASE("HOST:PORT endpoints") {
  auto e = parse_endpoint("127.0.0.1:35963");
  REQUIRE(e);
  CHECK(e->host == "127.0.0.1");
  CHECK(e->port == 35963);
  e = parse_endpoint("[::1]:8080");
  REQUIRE(e);
  CHECK(e->host == "::1");
  CHECK(e->port == 8080);
  e = parse_endpoint("localhost:0");
  REQUIRE(e);
  CHECK(e->port == 0);
  e = parse_endpoint(":35963");
  REQUIRE(e);
  CHECK(e->host.empty());
  CHECK_FALSE(parse_endpoint("localhost"));
  CHECK_FALSE(parse_endpoint("localhost:"));
  CHECK_FALSE(parse_endpoint("localhost:65536"));
  CHECK_FALSE(parse_endpoint("localhost:12a"));
  CHECK_FALSE(parse_endpoint("::1:80"));  // IPv6 needs brackets
}

TEST_CASE("run_link, as euicc-sim's main runs it, returns on SIGTERM") {
  FakeIsdr isdr;
  FakeUsim usim;
  Card card(isdr, usim);
  uint16_t port = free_port();
  struct sigaction before {};
  sigaction(SIGTERM, nullptr, &before);
  std::promise<int> code;
  std::thread link([&] { code.set_value(run_link(card, LinkMode::kListen, Endpoint{"127.0.0.1", port})); });
  // Once it accepts a connection its handlers are in place (they are installed before it listens).
  std::optional<Peer> client;
  for (int i = 0; i < 200 && !client; ++i) {
    client = Peer::connect_to(port);
    if (!client) std::this_thread::sleep_for(10ms);
  }
  REQUIRE(client);
  CHECK(client->exchange("0070000001") == "019000");
  kill(getpid(), SIGTERM);
  auto result = code.get_future();
  REQUIRE(result.wait_for(5s) == std::future_status::ready);
  CHECK(result.get() == 0);
  link.join();
  // Its handler is gone again: the one from before is back.
  struct sigaction after {};
  sigaction(SIGTERM, nullptr, &after);
  CHECK(after.sa_handler == before.sa_handler);
}
