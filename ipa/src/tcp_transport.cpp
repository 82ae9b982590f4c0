// TCP with vsmartcard's vpcd framing: each message is a 2-byte big-endian length and its bytes; a
// 1-byte message is a control (0 power off, 1 power on, 2 reset, 4 get ATR), anything longer an
// APDU. Power controls have no answer. This is the reader's side of euicc-sim --listen.
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "ipa/transport.hpp"

namespace ipa {
namespace {

constexpr uint8_t kPowerOff = 0;
constexpr uint8_t kPowerOn = 1;
constexpr uint8_t kGetAtr = 4;

using Clock = std::chrono::steady_clock;

class TcpTransport final : public Transport {
 public:
  TcpTransport(std::string host, std::string port, const TransportOptions& options)
      : host_(std::move(host)), port_(std::move(port)), timeout_(options.timeout) {}
  ~TcpTransport() override { close(); }

  rsp::Expected<Bytes> connect() override {
    if (fd_ < 0) {
      if (auto connected = open_socket(); !connected) return rsp::Unexpected{connected.error()};
    }
    if (auto sent = send_message(Bytes{kPowerOn}); !sent) return rsp::Unexpected{sent.error()};
    return exchange_message(Bytes{kGetAtr});
  }

  void close() override {
    if (fd_ < 0) return;
    if (send_message(Bytes{kPowerOff})) ::close(fd_);  // a failed send has closed it already
    fd_ = -1;
  }

  std::string describe() const override { return "tcp:" + host_ + ":" + port_; }

 protected:
  rsp::Expected<Bytes> exchange(ByteView command_apdu) override {
    if (fd_ < 0) return rsp::fail(describe() + ": not connected");
    if (command_apdu.size() < 2 || command_apdu.size() > 0xFFFF)
      return rsp::fail(describe() + ": an APDU of " + std::to_string(command_apdu.size()) + " bytes cannot be framed");
    return exchange_message(command_apdu);
  }

 private:
  rsp::Status<> open_socket() {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (int rc = getaddrinfo(host_.c_str(), port_.c_str(), &hints, &found); rc != 0)
      return rsp::fail(describe() + ": " + gai_strerror(rc));
    std::string error = "no address";
    for (addrinfo* a = found; a; a = a->ai_next) {
      int fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
      if (fd < 0) continue;
      if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);  // one small message per APDU
        fd_ = fd;
        break;
      }
      error = std::strerror(errno);
      ::close(fd);
    }
    freeaddrinfo(found);
    if (fd_ < 0) return rsp::fail(describe() + ": cannot connect: " + error);
    return rsp::Ok{};
  }

  rsp::Status<> send_message(ByteView message) {
    Bytes frame{static_cast<uint8_t>(message.size() >> 8), static_cast<uint8_t>(message.size())};
    frame.insert(frame.end(), message.begin(), message.end());
    for (ByteView left = frame; !left.empty();) {
      ssize_t n = send(fd_, left.data(), left.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return fail_and_drop("connection lost while sending");
      left = left.subspan(static_cast<size_t>(n));
    }
    return rsp::Ok{};
  }

  // Bytes until `deadline`, however the card spreads them: the deadline is the exchange's, not
  // restarted by each byte that comes.
  rsp::Status<> receive(uint8_t* out, size_t size, Clock::time_point deadline) {
    while (size > 0) {
      auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) return fail_and_drop("the card did not answer within " + seconds_text(timeout_));
      pollfd p{fd_, POLLIN, 0};
      int ready = poll(&p, 1, static_cast<int>(std::min<decltype(left)>(left, 1 << 30)));
      if (ready < 0 && errno == EINTR) continue;
      if (ready == 0) continue;  // the deadline, checked above
      ssize_t n = recv(fd_, out, size, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return fail_and_drop("connection closed by the card's side");
      out += n;
      size -= static_cast<size_t>(n);
    }
    return rsp::Ok{};
  }

  // One message out, the answer back, all of it within the timeout from the send.
  rsp::Expected<Bytes> exchange_message(ByteView message) {
    const auto deadline = Clock::now() + timeout_;
    if (auto sent = send_message(message); !sent) return rsp::Unexpected{sent.error()};
    uint8_t length[2];
    if (auto got = receive(length, 2, deadline); !got) return rsp::Unexpected{got.error()};
    Bytes answer(static_cast<size_t>(length[0] << 8 | length[1]));
    if (auto got = receive(answer.data(), answer.size(), deadline); !got) return rsp::Unexpected{got.error()};
    return answer;
  }

  // A broken stream cannot be resynchronised: the socket goes, connect() starts afresh.
  rsp::Unexpected<rsp::Error> fail_and_drop(const std::string& what) {
    ::close(fd_);
    fd_ = -1;
    return rsp::fail(describe() + ": " + what);
  }

  std::string host_, port_;
  std::chrono::milliseconds timeout_;
  int fd_ = -1;
};

}  // namespace

rsp::Expected<std::unique_ptr<Transport>> open_tcp_transport(std::string_view host_port,
                                                             const TransportOptions& options) {
  size_t colon = host_port.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == host_port.size())
    return rsp::fail("tcp:" + std::string(host_port) + ": expected tcp:HOST:PORT");
  std::string_view host = host_port.substr(0, colon);
  std::string_view port = host_port.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (port.find_first_not_of("0123456789") != std::string_view::npos || port.size() > 5 ||
      std::stoul(std::string(port)) > 0xFFFF)
    return rsp::fail("tcp:" + std::string(host_port) + ": the port is not a number from 0 to 65535");
  return std::unique_ptr<Transport>(std::make_unique<TcpTransport>(std::string(host), std::string(port), options));
}

}  // namespace ipa
