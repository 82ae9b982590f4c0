#pragma once
// The ES10 channel (SGP.22 v2.5 §5.7, FACTS §1): TERMINAL CAPABILITY announcing the IPA, a logical
// channel to the ISD-R (MANAGE CHANNEL, falling back to the basic channel when the card or reader
// refuses it), the ISD-R selected by its AID, and each ES10 command sent as STORE DATA blocks
// (GlobalPlatform Card Specification v2.3 §11.11: P1 '11' for a block with more to come, '91' for
// the last, P2 counting from '00').
// This is the one place that handles 61xx (GET RESPONSE, ETSI TS 102 221 §7.3.1.1.4) and 6Cxx
// (the command again with Le = xx), for every transport. A transport that opens logical channels
// itself (AT+CCHO) gets the ISD-R's AID instead of our TERMINAL CAPABILITY, MANAGE CHANNEL and
// SELECT: the modem is the terminal there, and has announced itself.
#include <chrono>
#include <cstdint>
#include <optional>

#include "ipa/es10_error.hpp"
#include "ipa/transport.hpp"
#include "rsp/apdu.hpp"

namespace ipa {

struct ChannelOptions {
  // SGP.22 v2.5 §2.2.3; some vendor cards put their ISD-R elsewhere.
  Bytes isdr_aid = Bytes(rsp::apdu::kIsdrAid.begin(), rsp::apdu::kIsdrAid.end());
  // Bytes of the ES10 command per STORE DATA block: 255 (the most a short APDU carries) down to 6
  // for readers that choke on long APDUs.
  size_t segment_size = 255;
  // Use the basic channel when MANAGE CHANNEL is refused (a reader or card without logical channels).
  bool basic_channel_fallback = true;
  // The conformance harness's fault oversize-segment only (ipa --conformance-harness --fault):
  // segment_size may exceed 255, sent in extended APDUs, which SGP.22 v2.5 §5.7.2 does not allow;
  // and es10b::load_bound_profile_package joins two BPP parts per ES10 command (§2.5.5).
  bool oversize_segment_fault = false;
  // Longest time for one ES10 command (call(): its channel opening, STORE DATA blocks, GET
  // RESPONSEs and 6Cxx repeats) or one transmit(), whatever the card does: checked before each
  // APDU, so the APDU under way when it passes still has the transport's own timeout.
  std::chrono::milliseconds command_timeout{120000};
};

class Es10Channel {
 public:
  static constexpr size_t kMinSegmentSize = 6;
  static constexpr size_t kMaxSegmentSize = 255;

  // Keeps a reference: the transport must outlive the channel, and be connected (Transport::connect)
  // before the first call. Nothing is sent yet.
  explicit Es10Channel(Transport& transport, ChannelOptions options = {});
  ~Es10Channel();  // closes a logical channel it opened (best effort)
  Es10Channel(const Es10Channel&) = delete;
  Es10Channel& operator=(const Es10Channel&) = delete;

  // Sends TERMINAL CAPABILITY (its answer, whatever it is, is not a failure), opens the channel and
  // selects the ISD-R; call() does it by itself when needed. Fails on a segment size outside 6..255.
  Es10Status open();
  // MANAGE CHANNEL close for a logical channel; the next call() opens a new one.
  void close();
  bool is_open() const { return channel_.has_value(); }
  // 0 when the basic channel is in use.
  uint8_t number() const { return channel_.value_or(0); }

  // One ES10 function: its DER command TLV out in STORE DATA blocks, its whole response data back
  // (may be empty: LoadBoundProfilePackage's intermediate commands). A status word other than 9000
  // is an Es10Error of kind status_word.
  Es10Expected<Bytes> call(ByteView command);
  // One APDU on this channel (the basic one before open(); CLA adjusted for it), with 61xx joined
  // and 6Cxx repeated. Any status word comes back as it is, for callers with commands of their own.
  Es10Expected<rsp::apdu::Response> transmit(rsp::apdu::Command command);

  Transport& transport() { return transport_; }
  const ChannelOptions& options() const { return options_; }

 private:
  Es10Expected<rsp::apdu::Response> exchange(const rsp::apdu::Command& command);

  Transport& transport_;
  ChannelOptions options_;
  std::optional<uint8_t> channel_;
  std::optional<std::chrono::steady_clock::time_point> deadline_;  // call()'s, while it runs
  bool logical_ = false;                                           // channel_ was opened with MANAGE CHANNEL
  bool by_transport_ = false;  // the transport opened the channel (Transport::open_logical_channel)
};

}  // namespace ipa
