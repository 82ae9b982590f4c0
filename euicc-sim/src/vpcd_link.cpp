#include "euicc/vpcd_link.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <utility>

namespace euicc {

namespace {

// vsmartcard vpcd.h: the control messages.
constexpr uint8_t kPowerOff = 0;
constexpr uint8_t kPowerOn = 1;
constexpr uint8_t kReset = 2;
constexpr uint8_t kGetAtr = 4;

class Socket {
 public:
  explicit Socket(int fd = -1) : fd_(fd) {}
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  Socket(Socket&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Socket& operator=(Socket&& other) noexcept {
    std::swap(fd_, other.fd_);
    return *this;
  }
  int get() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }

 private:
  int fd_;
};

void log_line(const LinkOptions& options, const std::string& line) {
  if (options.log) options.log(line);
}

std::string describe(const std::string& host, uint16_t port) {
  return (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

struct AddrInfoFree {
  void operator()(addrinfo* a) const { freeaddrinfo(a); }
};
using AddrInfo = std::unique_ptr<addrinfo, AddrInfoFree>;

AddrInfo resolve(const std::string& host, uint16_t port, bool passive, std::string& error) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0);
  addrinfo* result = nullptr;
  std::string service = std::to_string(port);
  int rc = getaddrinfo(host.empty() ? nullptr : host.c_str(), service.c_str(), &hints, &result);
  if (rc != 0) {
    error = gai_strerror(rc);
    return nullptr;
  }
  return AddrInfo(result);
}

// Small request/response messages: send each at once rather than wait for an ACK (Nagle).
void set_no_delay(int fd) {
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

// Waits until `fd` has `events` (true), or stop is requested or the timeout passes (false).
// fd -1 makes it an interruptible sleep.
bool wait_for(int fd, short events, const StopSignal& stop, int timeout_ms = -1) {
  for (;;) {
    if (stop.requested()) return false;
    pollfd fds[2] = {{stop.fd(), POLLIN, 0}, {fd, events, 0}};
    int n = poll(fds, fd >= 0 ? 2 : 1, timeout_ms);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || fds[0].revents) return false;
    return fd >= 0 && fds[1].revents != 0;
  }
}

// vpcd as Debian 12 ships it writes a message's length and its bytes in two send() calls (upstream
// joined them in 2023, commit 76e2679). With Nagle on its side the bytes wait until we acknowledge
// the length, and a delayed ACK holds that for ~40 ms per APDU. So acknowledge at once; Linux
// clears TCP_QUICKACK again by itself, hence before every read.
void acknowledge_at_once(int fd) {
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
}

// How long a served client may hold the card (serve_tcp; connect_vpcd's reader has no limit).
struct Turn {
  int listener = -1;                          // where the next clients wait
  std::chrono::milliseconds idle_timeout{0};  // zero: no limit
  bool limited() const { return listener >= 0 && idle_timeout.count() > 0; }
};

using Clock = std::chrono::steady_clock;

int ms_until(Clock::time_point deadline) {
  auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return static_cast<int>(std::clamp<decltype(left)>(left, 0, 1 << 30));
}

bool readable_now(int fd) {
  pollfd p{fd, POLLIN, 0};
  return poll(&p, 1, 0) > 0 && (p.revents & POLLIN);
}

// Waits for the first byte of the client's next message (true). false on stop, or when the
// client has been idle for the turn's timeout while another waits on the listener (`over` says so).
bool wait_for_message(int fd, const StopSignal& stop, const Turn& turn, std::string& over) {
  if (!turn.limited()) return wait_for(fd, POLLIN, stop);
  const auto idle_until = Clock::now() + turn.idle_timeout;
  for (;;) {
    if (stop.requested()) return false;
    const bool someone_waits = readable_now(turn.listener);
    if (someone_waits && ms_until(idle_until) == 0 && !readable_now(fd)) {
      over = "idle for " + std::to_string(turn.idle_timeout.count()) + " ms while another client waits";
      return false;
    }
    // Until someone waits, the listener wakes us; then the idle time left does.
    pollfd fds[3] = {{stop.fd(), POLLIN, 0}, {fd, POLLIN, 0}, {someone_waits ? -1 : turn.listener, POLLIN, 0}};
    int n = poll(fds, 3, someone_waits ? ms_until(idle_until) : -1);
    if (n < 0 && errno != EINTR) return false;
    if (fds[0].revents) return false;
    if (fds[1].revents) return true;
  }
}

// The rest of a message: within the turn's timeout from its first byte when limited (`over` says
// so when it does not come), whoever waits.
bool read_exact(int fd, uint8_t* out, size_t size, const StopSignal& stop, const Turn& turn, Clock::time_point deadline,
                std::string& over) {
  while (size > 0) {
    if (!wait_for(fd, POLLIN, stop, turn.limited() ? ms_until(deadline) : -1)) {
      if (turn.limited() && !stop.requested() && ms_until(deadline) == 0)
        over = "a message not complete " + std::to_string(turn.idle_timeout.count()) + " ms after its first byte";
      return false;
    }
    acknowledge_at_once(fd);
    ssize_t n = recv(fd, out, size, 0);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) return false;  // closed by the peer, or broken
    out += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

bool write_all(int fd, ByteView bytes) {
  while (!bytes.empty()) {
    ssize_t n = send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes = bytes.subspan(static_cast<size_t>(n));
  }
  return true;
}

// Answers messages until the peer leaves, its turn is over, or stop; then the card leaves the reader.
void serve_connection(Card& card, int fd, const StopSignal& stop, const LinkOptions& options, const Turn& turn = {}) {
  set_no_delay(fd);
  if (turn.limited()) {
    // A client that does not read its answers is idle too: a send blocked that long fails.
    timeval tv{static_cast<time_t>(turn.idle_timeout.count() / 1000),
               static_cast<suseconds_t>(turn.idle_timeout.count() % 1000 * 1000)};
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  }
  Bytes message;
  std::string over;  // why the turn ended while the client stayed
  for (;;) {
    if (!wait_for_message(fd, stop, turn, over)) break;
    const auto deadline = Clock::now() + turn.idle_timeout;
    uint8_t header[2];
    if (!read_exact(fd, header, 2, stop, turn, deadline, over)) break;
    message.resize(static_cast<size_t>(header[0] << 8 | header[1]));
    if (!read_exact(fd, message.data(), message.size(), stop, turn, deadline, over)) break;
    auto answer = answer_vpcd_message(card, message);
    if (!answer) continue;
    if (options.on_apdu && message.size() > 1) options.on_apdu(message, *answer);
    if (answer->size() > 0xFFFF) {
      log_line(options, "vpcd: response of " + std::to_string(answer->size()) + " bytes does not fit a message");
      break;
    }
    Bytes frame(answer->size() + 2);  // one send, one segment
    frame[0] = static_cast<uint8_t>(answer->size() >> 8);
    frame[1] = static_cast<uint8_t>(answer->size());
    std::copy(answer->begin(), answer->end(), frame.begin() + 2);
    if (!write_all(fd, frame)) break;
  }
  if (!over.empty()) log_line(options, "vpcd: client " + over + ": its turn is over");
  card.power_off();
}

Socket listen_on(const std::string& host, uint16_t port) {
  std::string error;
  AddrInfo addresses = resolve(host, port, true, error);
  if (!addresses) throw std::runtime_error("cannot resolve " + describe(host, port) + ": " + error);
  for (addrinfo* a = addresses.get(); a; a = a->ai_next) {
    Socket s(socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol));
    if (!s) continue;
    int one = 1;
    setsockopt(s.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(s.get(), a->ai_addr, a->ai_addrlen) == 0 && listen(s.get(), SOMAXCONN) == 0)
      return s;  // clients wait their turn
    error = std::strerror(errno);
  }
  throw std::runtime_error("cannot listen on " + describe(host, port) + ": " + error);
}

uint16_t bound_port(int fd) {
  sockaddr_storage address{};
  socklen_t size = sizeof address;
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
  if (address.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&address)->sin6_port);
  return ntohs(reinterpret_cast<sockaddr_in*>(&address)->sin_port);
}

// A connect that a stop request interrupts. An empty socket and `error` set when it fails.
Socket connect_to(const std::string& host, uint16_t port, const StopSignal& stop, std::string& error) {
  AddrInfo addresses = resolve(host, port, false, error);
  if (!addresses) return Socket{};
  for (addrinfo* a = addresses.get(); a; a = a->ai_next) {
    Socket s(socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol));
    if (!s) continue;
    if (connect(s.get(), a->ai_addr, a->ai_addrlen) != 0) {
      if (errno != EINPROGRESS) {
        error = std::strerror(errno);
        continue;
      }
      if (!wait_for(s.get(), POLLOUT, stop)) return Socket{};
      int so_error = 0;
      socklen_t size = sizeof so_error;
      getsockopt(s.get(), SOL_SOCKET, SO_ERROR, &so_error, &size);
      if (so_error != 0) {
        error = std::strerror(so_error);
        continue;
      }
    }
    fcntl(s.get(), F_SETFL, fcntl(s.get(), F_GETFL) & ~O_NONBLOCK);
    return s;
  }
  return Socket{};
}

}  // namespace

StopSignal::StopSignal() {
  if (pipe2(pipe_, O_CLOEXEC | O_NONBLOCK) != 0) throw std::runtime_error("pipe2 failed");
}

StopSignal::~StopSignal() {
  ::close(pipe_[0]);
  ::close(pipe_[1]);
}

void StopSignal::request() {
  requested_.store(true);
  uint8_t byte = 1;
  [[maybe_unused]] ssize_t n = write(pipe_[1], &byte, 1);  // a full pipe is already readable
}

std::optional<Bytes> answer_vpcd_message(Card& card, ByteView message) {
  if (message.size() > 1) return card.transmit(message);
  if (message.empty()) return std::nullopt;
  switch (message[0]) {
    case kPowerOff: card.power_off(); return std::nullopt;
    case kPowerOn: card.power_on(); return std::nullopt;
    case kReset: card.reset(); return std::nullopt;
    case kGetAtr: return card.atr();
    default: return std::nullopt;  // no such control: nothing to answer
  }
}

void serve_tcp(Card& card, const std::string& host, uint16_t port, StopSignal& stop, const LinkOptions& options) {
  Socket listener = listen_on(host, port);
  uint16_t actual = bound_port(listener.get());
  log_line(options, "vpcd: listening on " + describe(host.empty() ? "0.0.0.0" : host, actual));
  if (options.on_listening) options.on_listening(actual);
  while (wait_for(listener.get(), POLLIN, stop)) {
    Socket client(accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (!client) {
      wait_for(-1, 0, stop, 100);  // e.g. out of descriptors: do not spin
      continue;
    }
    log_line(options, "vpcd: client connected");
    serve_connection(card, client.get(), stop, options, Turn{listener.get(), options.idle_timeout});
    log_line(options, "vpcd: client disconnected");
  }
}

void connect_vpcd(Card& card, const std::string& host, uint16_t port, StopSignal& stop, const LinkOptions& options) {
  const std::string where = describe(host, port);
  auto backoff = options.first_backoff;
  bool reported = false;  // say "unreachable" once per outage, not at every retry
  while (!stop.requested()) {
    std::string error;
    Socket reader = connect_to(host, port, stop, error);
    if (reader) {
      log_line(options, "vpcd: connected to the reader at " + where);
      serve_connection(card, reader.get(), stop, options);
      if (stop.requested()) break;
      log_line(options, "vpcd: connection to " + where + " lost; reconnecting");
      backoff = options.first_backoff;
      reported = false;
    } else if (!reported && !stop.requested()) {
      log_line(options, "vpcd: reader at " + where + " unreachable (" + error + "); retrying");
      reported = true;
    }
    wait_for(-1, 0, stop, static_cast<int>(backoff.count()));
    backoff = std::min(backoff * 2, options.max_backoff);
  }
}

std::optional<Endpoint> parse_endpoint(std::string_view text) {
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon + 1 == text.size()) return std::nullopt;
  std::string_view host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  else if (host.find(':') != std::string_view::npos)
    return std::nullopt;  // IPv6 needs brackets
  unsigned port = 0;
  for (char c : text.substr(colon + 1)) {
    if (c < '0' || c > '9') return std::nullopt;
    port = port * 10 + static_cast<unsigned>(c - '0');
    if (port > 0xFFFF) return std::nullopt;
  }
  return Endpoint{std::string(host), static_cast<uint16_t>(port)};
}

namespace {
std::atomic<StopSignal*> signal_target{nullptr};
extern "C" void on_stop_signal(int) {
  if (StopSignal* stop = signal_target.load()) stop->request();
}
}  // namespace

int run_link(Card& card, LinkMode mode, const Endpoint& endpoint, std::chrono::milliseconds idle_timeout) {
  StopSignal stop;
  signal_target = &stop;
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  struct sigaction old_int {
  }, old_term{};
  sigaction(SIGINT, &action, &old_int);
  sigaction(SIGTERM, &action, &old_term);

  LinkOptions options;
  options.idle_timeout = idle_timeout;
  options.log = [](std::string_view line) {
    std::fprintf(stderr, "%.*s\n", static_cast<int>(line.size()), line.data());
  };
  int code = 0;
  try {
    if (mode == LinkMode::kListen) {
      serve_tcp(card, endpoint.host, endpoint.port, stop, options);
    } else {
      connect_vpcd(card, endpoint.host, endpoint.port, stop, options);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "euicc-sim: %s\n", e.what());
    code = 1;
  }
  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGTERM, &old_term, nullptr);
  signal_target = nullptr;
  return code;
}

}  // namespace euicc
