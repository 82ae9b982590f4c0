// AT commands over a modem's serial device (3GPP TS 27.007): the ISD-R on a logical channel the
// modem opens (§8.45 +CCHO, answered with a session handle that is not a channel number), APDUs
// through §8.43 +CGLA on that session, §8.46 +CCHC to close it; when +CCHO is refused, every APDU
// through §8.17 +CSIM on the basic channel, and the channel layer does MANAGE CHANNEL and SELECT
// itself. No "=?" probes: a command is tried and its refusal is the answer. Lines the modem sends
// on its own (+CREG: 1, RING) are skipped; ERROR and +CME ERROR: n come back as error values.
#include <fcntl.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <vector>

#include "at_reply.hpp"
#include "ipa/transport.hpp"

namespace ipa {
namespace {

class AtTransport final : public Transport {
 public:
  AtTransport(std::string device, const TransportOptions& options)
      : device_(std::move(device)), timeout_(options.timeout) {}
  ~AtTransport() override { close(); }

  rsp::Status<> open_device() {
    fd_ = ::open(device_.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
    if (fd_ < 0) return rsp::fail(describe() + ": cannot open: " + std::strerror(errno));
    termios tty{};
    if (tcgetattr(fd_, &tty) == 0) {  // a serial line or a pseudo-terminal: raw bytes, 115200 8N1
      cfmakeraw(&tty);
      cfsetispeed(&tty, B115200);
      cfsetospeed(&tty, B115200);
      tty.c_cflag |= CLOCAL | CREAD;
      tty.c_cc[VMIN] = 0;
      tty.c_cc[VTIME] = 0;
      if (tcsetattr(fd_, TCSANOW, &tty) != 0) {
        std::string error = std::strerror(errno);
        ::close(fd_);
        fd_ = -1;
        return rsp::fail(describe() + ": cannot set the line to raw 115200: " + error);
      }
    }
    return rsp::Ok{};
  }

  // The modem answers AT and stops echoing; there is no ATR over AT commands (empty).
  rsp::Expected<Bytes> connect() override {
    if (fd_ < 0) {
      if (auto opened = open_device(); !opened) return rsp::Unexpected{opened.error()};
    }
    session_.reset();
    ccho_refused_ = false;
    auto echo_off = command("ATE0");
    if (!echo_off) return rsp::Unexpected{echo_off.error()};
    if (!echo_off->ok()) return rsp::fail(describe() + ": ATE0 answered " + echo_off->final);
    return Bytes{};
  }

  void close() override {
    if (fd_ < 0) return;
    close_logical_channel();
    ::close(fd_);
    fd_ = -1;
  }

  std::string describe() const override { return "at:" + device_; }

  // TS 27.007 §8.45 +CCHO: the modem opens a channel and selects `aid`; any refusal (ERROR, +CME
  // ERROR) means "not this way", and APDUs go through +CSIM on the basic channel instead.
  rsp::Expected<bool> open_logical_channel(ByteView aid) override {
    if (fd_ < 0) return rsp::fail(describe() + ": not connected");
    if (session_) return true;
    if (ccho_refused_) return false;
    auto reply = command("AT+CCHO=\"" + rsp::to_hex(aid) + "\"");
    if (!reply) return rsp::Unexpected{reply.error()};
    if (!reply->ok()) {
      ccho_refused_ = true;
      return false;
    }
    session_ = at::session_id(*reply);
    if (!session_) return rsp::fail(describe() + ": AT+CCHO answered OK without a session id");
    return true;
  }

  void close_logical_channel() override {
    if (!session_ || fd_ < 0) return;
    (void)command("AT+CCHC=" + *session_);  // best effort: the modem drops it on reset anyway
    session_.reset();
  }

 protected:
  rsp::Expected<Bytes> exchange(ByteView command_apdu) override {
    if (fd_ < 0) return rsp::fail(describe() + ": not connected");
    const std::string hex = rsp::to_hex(command_apdu);
    const bool on_session = session_.has_value();
    // The lengths count hex characters (TS 27.007 §8.17, §8.43).
    std::string at = on_session ? "AT+CGLA=" + *session_ + "," + std::to_string(hex.size()) + ",\"" + hex + "\""
                                : "AT+CSIM=" + std::to_string(hex.size()) + ",\"" + hex + "\"";
    const std::string name = on_session ? "+CGLA" : "+CSIM";
    auto reply = command(at);
    if (!reply) return rsp::Unexpected{reply.error()};
    if (!reply->ok()) return rsp::fail(describe() + ": AT" + name + " answered " + reply->final);
    auto value = at::answer_line(*reply, name + ":");
    if (!value) return rsp::fail(describe() + ": AT" + name + " answered OK without a " + name + " line");
    auto response = at::response_apdu(*value);
    if (!response) return rsp::fail(describe() + ": a malformed " + name + " answer: " + std::string(*value));
    return response;
  }

 private:
  // One command line out, the lines up to its final result code back, within the timeout.
  rsp::Expected<at::Reply> command(const std::string& line) {
    tcflush(fd_, TCIFLUSH);  // leftovers of an earlier command that timed out, unsolicited lines
    const std::string out = line + "\r";
    const auto deadline = std::chrono::steady_clock::now() + timeout_;
    for (std::string_view left = out; !left.empty();) {
      ssize_t n = ::write(fd_, left.data(), left.size());
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
        if (auto ready = wait(POLLOUT, deadline, line); !ready) return rsp::Unexpected{ready.error()};
        continue;
      }
      if (n <= 0) return rsp::fail(describe() + ": cannot write " + line + ": " + std::strerror(errno));
      left.remove_prefix(static_cast<size_t>(n));
    }
    at::ReplyReader reader(line);
    for (;;) {
      if (auto ready = wait(POLLIN, deadline, line); !ready) return rsp::Unexpected{ready.error()};
      char buffer[512];
      ssize_t n = ::read(fd_, buffer, sizeof buffer);
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (n <= 0) return rsp::fail(describe() + ": the device went away during " + line);
      if (auto reply = reader.add(std::string_view(buffer, static_cast<size_t>(n)))) return std::move(*reply);
    }
  }

  rsp::Status<> wait(short events, std::chrono::steady_clock::time_point deadline, const std::string& line) {
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0)
        return rsp::fail(describe() + ": no answer to " + line.substr(0, 40) + " within " +
                         std::to_string(timeout_.count()) + " ms");
      pollfd p{fd_, events, 0};
      int ready = poll(&p, 1, static_cast<int>(left.count()));
      if (ready < 0 && errno == EINTR) continue;
      if (ready < 0) return rsp::fail(describe() + ": poll: " + std::strerror(errno));
      if (ready > 0) {
        if ((p.revents & events) == 0 && (p.revents & (POLLHUP | POLLERR)))
          return rsp::fail(describe() + ": the device hung up during " + line.substr(0, 40));
        return rsp::Ok{};
      }
    }
  }

  std::string device_;
  std::chrono::milliseconds timeout_;
  int fd_ = -1;
  std::optional<std::string> session_;  // the +CCHO session id, as the modem wrote it
  bool ccho_refused_ = false;
};

}  // namespace

rsp::Expected<std::unique_ptr<Transport>> open_at_transport(std::string_view device, const TransportOptions& options) {
  if (device.empty()) return rsp::fail("at: expected at:DEVICE (a modem's serial device, e.g. at:/dev/ttyUSB2)");
  auto transport = std::make_unique<AtTransport>(std::string(device), options);
  if (auto opened = transport->open_device(); !opened) return rsp::Unexpected{opened.error()};
  return std::unique_ptr<Transport>(std::move(transport));
}

}  // namespace ipa
