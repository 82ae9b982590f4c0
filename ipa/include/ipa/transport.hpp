#pragma once
// The IPA's one way to "an eUICC": power it up, exchange command and response APDUs, let it go.
// Drivers (TCP with vpcd framing, PC/SC, AT commands, or a test's in-process card) implement it;
// nothing above this header knows which one is in use. Responses are handed up raw: 61xx/GET
// RESPONSE and 6Cxx belong to the channel layer (es10_channel.hpp), once for every driver.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "rsp/bytes.hpp"
#include "rsp/expected.hpp"

namespace ipa {

using rsp::Bytes;
using rsp::ByteView;

// Traffic through transmit(), both ways, for benchmarks and "the APDUs of one download".
struct TransportStats {
  uint64_t command_apdus = 0;
  uint64_t bytes_sent = 0;        // command APDU bytes
  uint64_t bytes_received = 0;    // response APDU bytes, status words included
  uint64_t store_data_apdus = 0;  // of command_apdus: STORE DATA (INS E2), the ES10 commands' blocks
};

class Transport {
 public:
  virtual ~Transport() = default;

  // Powers the card up (or finds it powered) and returns its ATR.
  virtual rsp::Expected<Bytes> connect() = 0;
  // One command APDU out, its response APDU (data, SW1 SW2) back. A response of fewer than two
  // bytes is an error here, so callers always find a status word.
  rsp::Expected<Bytes> transmit(ByteView command_apdu);
  // Lets the card go (powered off where the driver can); connect() may follow again.
  virtual void close() = 0;
  // "tcp:127.0.0.1:35963", "pcsc:Reader Name 00 00": for messages and logs.
  virtual std::string describe() const = 0;

  // For drivers that open logical channels themselves (a modem's AT+CCHO, TS 27.007 §8.45): true
  // when the application `aid` is now selected on a channel of the driver's and every APDU goes
  // there until close_logical_channel(); the channel layer then sends no MANAGE CHANNEL or SELECT
  // and leaves the CLA's channel bits at 0. false (the default): the caller opens its own channel.
  virtual rsp::Expected<bool> open_logical_channel(ByteView /*aid*/) { return false; }
  virtual void close_logical_channel() {}
  // The transmission protocol in use with the card, 0 (T=0) or 1 (T=1), where the driver knows it
  // (PC/SC); nullopt where it does not (TCP, AT).
  virtual std::optional<int> active_protocol() const { return std::nullopt; }

  const TransportStats& stats() const { return stats_; }
  void reset_stats() { stats_ = {}; }
  // Called with "-> 80E29100..." / "<- ...9000" per APDU when set (debug output of the CLI).
  void set_trace(std::function<void(std::string_view)> trace) { trace_ = std::move(trace); }

 protected:
  // The driver's exchange of one APDU; transmit() wraps it with the counters and the trace.
  virtual rsp::Expected<Bytes> exchange(ByteView command_apdu) = 0;

 private:
  TransportStats stats_;
  std::function<void(std::string_view)> trace_;
};

struct TransportOptions {
  // Longest wait for one response (TCP, AT), counted from the command's send to the response's last
  // byte however the card spreads them; a card busy with a key generation takes seconds.
  std::chrono::milliseconds timeout{30000};
  // PC/SC: SCARD_SHARE_EXCLUSIVE instead of shared access.
  bool exclusive = false;
};

// A duration for messages: "30 s", "1.5 s", "0.3 s".
std::string seconds_text(std::chrono::milliseconds duration);

// A driver from its command-line form:
//   tcp:HOST:PORT      an `euicc-sim --listen` process (vsmartcard vpcd framing); [v6]:PORT too
//   pcsc:READER        a PC/SC reader by index (pcsc:0) or by a part of its name; pcsc alone: the first
//   at:DEVICE          a modem's serial device (TS 27.007 AT+CCHO/+CGLA/+CCHC, AT+CSIM when +CCHO is refused)
// The transport is opened but not connected: connect() powers the card.
rsp::Expected<std::unique_ptr<Transport>> open_transport(std::string_view spec, const TransportOptions& options = {});

// The drivers, for callers that know which one they want.
rsp::Expected<std::unique_ptr<Transport>> open_tcp_transport(std::string_view host_port,
                                                             const TransportOptions& options = {});
rsp::Expected<std::unique_ptr<Transport>> open_pcsc_transport(std::string_view reader,
                                                              const TransportOptions& options = {});
rsp::Expected<std::unique_ptr<Transport>> open_at_transport(std::string_view device,
                                                            const TransportOptions& options = {});

}  // namespace ipa
