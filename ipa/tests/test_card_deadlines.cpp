// Cards that never finish answering (issue 13, finding 6): the TCP transport's deadline per APDU
// exchange, which bytes trickling in one at a time do not restart, and the channel layer's deadline
// per ES10 command across its STORE DATA blocks and 61xx/GET RESPONSE chains.
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "ipa/es10_channel.hpp"
#include "ipa/transport.hpp"
#include "support/kit.hpp"
#include "support/loopback_socket.hpp"

using namespace std::chrono_literals;
using ipa::Es10Error;
using rsp::Bytes;
using rsp::ByteView;
using rsp::test::hex;

namespace {

using Clock = std::chrono::steady_clock;

// A card behind vpcd framing on 127.0.0.1 that answers GET ATR, then meets every APDU with a
// length of FFFF and one byte every `interval` (at most `bytes` of them, so that a transport
// without a deadline fails the test by its time rather than hanging it).
class TricklingCard {
 public:
  TricklingCard(std::chrono::milliseconds interval, int bytes) {
    auto listener = rsp::test::listen_on_loopback();
    REQUIRE(listener.fd >= 0);
    listener_ = listener.fd;
    port_ = listener.port;
    thread_ = std::thread([this, interval, bytes] { serve(interval, bytes); });
  }
  ~TricklingCard() {
    stop_ = true;
    shutdown(listener_, SHUT_RDWR);  // wakes a pending accept()
    thread_.join();
    close(listener_);
  }
  uint16_t port() const { return port_; }
  int bytes_sent() const { return sent_; }

 private:
  void serve(std::chrono::milliseconds interval, int bytes) {
    int fd = accept(listener_, nullptr, nullptr);
    if (fd < 0) return;
    timeval tv{5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    Bytes message;
    while (!stop_ && read_message(fd, message)) {
      if (message == Bytes{0x04}) {
        const uint8_t atr[] = {0x00, 0x02, 0x3B, 0x00};
        send(fd, atr, sizeof atr, MSG_NOSIGNAL);
      } else if (message.size() > 1) {
        const uint8_t promise[] = {0xFF, 0xFF};
        send(fd, promise, 2, MSG_NOSIGNAL);
        for (int i = 0; i < bytes && !stop_; ++i) {
          std::this_thread::sleep_for(interval);
          const uint8_t byte = 0x5A;
          if (send(fd, &byte, 1, MSG_NOSIGNAL) != 1) break;  // the IPA gave up and closed
          ++sent_;
        }
        break;
      }
    }
    close(fd);
  }
  static bool read_message(int fd, Bytes& message) {
    uint8_t header[2];
    if (recv(fd, header, 2, MSG_WAITALL) != 2) return false;
    message.resize(static_cast<size_t>(header[0] << 8 | header[1]));
    return message.empty() ||
           recv(fd, message.data(), message.size(), MSG_WAITALL) == static_cast<ssize_t>(message.size());
  }

  int listener_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> sent_{0};
  std::thread thread_;
};

// Answers TERMINAL CAPABILITY, MANAGE CHANNEL and SELECT at once; every other command (the STORE
// DATA, each GET RESPONSE) `delay` later with one byte and 6101: "one more byte", for ever.
class EndlessMoreData final : public ipa::Transport {
 public:
  explicit EndlessMoreData(std::chrono::milliseconds delay) : delay_(delay) {}
  rsp::Expected<Bytes> connect() override { return Bytes{0x3B, 0x00}; }
  void close() override {}
  std::string describe() const override { return "endless"; }
  int get_responses = 0;

 protected:
  rsp::Expected<Bytes> exchange(ByteView apdu) override {
    switch (apdu[1]) {
      case 0xAA: return Bytes{0x90, 0x00};
      case 0x70: return Bytes{0x01, 0x90, 0x00};
      case 0xA4: return Bytes{0x90, 0x00};
      case 0xC0: ++get_responses; break;
      default: break;
    }
    std::this_thread::sleep_for(delay_);
    return Bytes{0xAA, 0x61, 0x01};
  }

 private:
  std::chrono::milliseconds delay_;
};

}  // namespace

TEST_CASE("TCP transport: a card trickling its answer a byte at a time is given up at the exchange's deadline") {
  TricklingCard card(150ms, 20);
  ipa::TransportOptions options;
  options.timeout = 500ms;
  auto transport = ipa::open_tcp_transport("127.0.0.1:" + std::to_string(card.port()), options);
  REQUIRE(transport);
  REQUIRE((*transport)->connect());
  auto start = Clock::now();
  auto answer = (*transport)->transmit(hex("80E2910003BF2E00"));
  auto took = Clock::now() - start;
  REQUIRE_FALSE(answer);
  CHECK(answer.error().message.find("the card did not answer within 0.5 s") != std::string::npos);
  CHECK(took >= 450ms);
  CHECK(took < 1000ms);  // each byte restarting the wait: 20 bytes, 3 s
  CHECK(card.bytes_sent() <= 4);
  // The stream cannot be trusted after that: the transport dropped it and says so.
  CHECK_FALSE((*transport)->transmit(hex("80E2910003BF2E00")));
}

TEST_CASE("ES10 channel: a card announcing more data for ever is given up at the command's deadline") {
  EndlessMoreData card(40ms);
  ipa::ChannelOptions options;
  options.command_timeout = 300ms;
  ipa::Es10Channel channel(card, options);
  auto start = Clock::now();
  auto answer = channel.call(hex("BF2E00"));
  auto took = Clock::now() - start;
  REQUIRE_FALSE(answer);
  CHECK(answer.error().kind == Es10Error::Kind::transport);
  CHECK(answer.error().message == "endless: the card did not complete the command within 0.3 s");
  CHECK(took >= 280ms);
  CHECK(took < 800ms);  // 256 GET RESPONSEs at 40 ms: 10 s
  CHECK(card.get_responses < 20);
  // A transmit() outside call() has a deadline of its own.
  start = Clock::now();
  CHECK_FALSE(channel.transmit(rsp::apdu::Command{0x80, 0xCA, 0x00, 0x5A, {}, 256u, false}));
  CHECK(Clock::now() - start < 800ms);
}
