#pragma once
// The card behind a TCP connection, in vsmartcard's vpcd protocol: each message is a 2-byte
// big-endian length then that many bytes. A 1-byte message is a control (0 power off, 1 power on,
// 2 reset, 4 get ATR, answered with the ATR); a longer one is a command APDU, answered with the
// response APDU. Two ways to carry it:
// - serve_tcp: the card listens and serves one client at a time (the IPA's TCP transport), the
//   others waiting in the listen queue and served in turn;
// - connect_vpcd: the card connects to the vpcd reader driver inside pcscd, so every PC/SC
//   program sees a reader with this card in it; it reconnects when pcscd restarts.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "euicc/card.hpp"

namespace euicc {

// The port vpcd listens on unless its reader.conf says otherwise.
inline constexpr uint16_t kVpcdPort = 35963;

// Asks a running link to return, from another thread or from a signal handler (request() only
// writes to a pipe, which is async-signal-safe).
class StopSignal {
 public:
  StopSignal();
  ~StopSignal();
  StopSignal(const StopSignal&) = delete;
  StopSignal& operator=(const StopSignal&) = delete;

  void request();
  bool requested() const { return requested_.load(); }
  int fd() const { return pipe_[0]; }  // readable once stop is requested

 private:
  int pipe_[2] = {-1, -1};
  std::atomic<bool> requested_{false};
};

// euicc-sim --idle-timeout's default.
inline constexpr std::chrono::milliseconds kDefaultIdleTimeout{30000};

struct LinkOptions {
  // One line per connection event (listening, connected, lost, retry); nothing when empty.
  std::function<void(std::string_view)> log;
  // serve_tcp: called with the bound port once listening (port 0 asks the system for a free one).
  std::function<void(uint16_t)> on_listening;
  // serve_tcp: called with each command APDU and the card's response APDU (a harness's record).
  std::function<void(ByteView command, ByteView response)> on_apdu;
  // serve_tcp: a client's turn ends when it has been idle this long while another client waits to
  // be served, or when one of its messages is not complete this long after its first byte (whoever
  // waits); the card then leaves the reader as when it disconnects. A lone idle client keeps the
  // card (an `ipa run` between its polls). Zero: no limit.
  std::chrono::milliseconds idle_timeout{kDefaultIdleTimeout};
  // connect_vpcd: the retry delay doubles from the first value up to the second.
  std::chrono::milliseconds first_backoff{50};
  std::chrono::milliseconds max_backoff{2000};
};

// One vpcd message handled by the card: its answer, or nullopt for the controls that have none.
std::optional<Bytes> answer_vpcd_message(Card& card, ByteView message);

// Listens on host:port ("" for every local address) and serves one client at a time, in the
// order they connect, until stop is requested (LinkOptions::idle_timeout bounds each turn).
// A client that leaves takes the card out of the reader (power off).
// Throws std::runtime_error when it cannot listen.
void serve_tcp(Card& card, const std::string& host, uint16_t port, StopSignal& stop, const LinkOptions& options = {});

// Connects to the vpcd reader at host:port and serves it until stop is requested; when the
// connection cannot be made or drops (pcscd stopped or restarted) it retries with backoff.
void connect_vpcd(Card& card, const std::string& host, uint16_t port, StopSignal& stop,
                  const LinkOptions& options = {});

struct Endpoint {
  std::string host;
  uint16_t port = 0;
};
// "HOST:PORT" or "[IPv6]:PORT"; nullopt when malformed.
std::optional<Endpoint> parse_endpoint(std::string_view text);

enum class LinkMode {
  kListen,  // euicc-sim --listen HOST:PORT
  kVpcd,    // euicc-sim --vpcd HOST:PORT
};

// What euicc-sim's main runs: the link in `mode` until SIGINT or SIGTERM, logging to stderr.
// Returns the process exit code (0 after a signal, 1 when the link cannot start).
int run_link(Card& card, LinkMode mode, const Endpoint& endpoint,
             std::chrono::milliseconds idle_timeout = kDefaultIdleTimeout);

}  // namespace euicc
