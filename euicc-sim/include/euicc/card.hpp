#pragma once
// The card as a terminal sees it: an ATR, then command APDUs in and response APDUs out. This layer
// owns the logical channels, which application is selected on each, the MF with its EF.ICCID, STORE
// DATA block chaining, GET RESPONSE and the terminal's TERMINAL CAPABILITY; the ISD-R and the USIM
// (applications.hpp) only see complete commands. ETSI TS 102 221 §10-§13, ISO/IEC 7816-4, GlobalPlatform Card
// Specification v2.3 §11.11.
#include <array>
#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include "euicc/applications.hpp"
#include "euicc/pending_response.hpp"
#include "euicc/store_data.hpp"

namespace euicc {

using rsp::apdu::kIsdrAid;

// Traffic through transmit(), for benchmarks. ATR requests and power controls are not APDUs.
struct CardStats {
  uint64_t command_apdus = 0;
  uint64_t bytes_in = 0;   // command APDU bytes
  uint64_t bytes_out = 0;  // response APDU bytes, status words included
  uint64_t power_ups = 0;  // cold and warm resets: each one starts a new card session
};

// Not thread-safe: one link (or one test) drives a card at a time.
class Card {
 public:
  // The basic channel 0 and logical channels 1-19 (ETSI TS 102 221 §10.1.1, CLA '4X'/'CX' for 4-19).
  static constexpr uint8_t kChannels = 20;

  // The card keeps references: both applications must outlive it. It starts powered, as a card in
  // a reader after its ATR.
  Card(IsdrApplication& isdr, UsimApplication& usim);

  // ETSI TS 102 221 §6.3 Answer To Reset: T=0 and T=1 offered, with its check byte TCK.
  Bytes atr() const;

  // One command APDU in, its response APDU (data, SW1 SW2) out. A card that is powered off is
  // powered on first, as a reader does before the first command.
  Bytes transmit(ByteView command_apdu);

  void power_on();
  // Every logical channel closes; a half-received STORE DATA command or response is dropped.
  void power_off();
  void reset();  // warm reset: power_off() then power_on()
  bool powered() const { return powered_; }

  // The capability TLVs the terminal announced with TERMINAL CAPABILITY in this card session (the
  // contents of its 'A9' template), nullopt until it did; a power cycle forgets them.
  const std::optional<Bytes>& terminal_capability() const { return terminal_capability_; }

  const CardStats& stats() const { return stats_; }

  // Conformance faults of the APDU layer (euicc-sim --conformance-harness --fault), validated by
  // Euicc::known_faults: answer-without-get-response (a command without Le gets its data at once,
  // not 61xx), ignore-channel-close (MANAGE CHANNEL close answers 9000 and leaves the channel open).
  void set_conformance_faults(const std::set<std::string>& faults) { faults_ = faults; }

 private:
  enum class Selected { kMasterFile, kIsdr, kUsim };
  struct Channel {
    bool open = false;
    Selected selected = Selected::kMasterFile;
    bool iccid_current = false;  // under the MF: EF.ICCID is the current EF
    StoreDataChain store_data;   // blocks of the STORE DATA command being received
    PendingResponse response;    // what GET RESPONSE delivers next
  };

  rsp::apdu::Response process(ByteView command_apdu);
  rsp::apdu::Response terminal_capability(const rsp::apdu::Command& command);
  rsp::apdu::Response manage_channel(const rsp::apdu::Command& command, uint8_t origin);
  rsp::apdu::Response select(const rsp::apdu::Command& command, Channel& channel);
  rsp::apdu::Response select_application(const rsp::apdu::Command& command, Channel& channel);
  rsp::apdu::Response select_file(const rsp::apdu::Command& command, Channel& channel);
  rsp::apdu::Response master_file_command(const rsp::apdu::Command& command, bool proprietary, Channel& channel);
  rsp::apdu::Response read_iccid(const rsp::apdu::Command& command, Channel& channel);
  rsp::apdu::Response store_data(const rsp::apdu::Command& command, Channel& channel);
  rsp::apdu::Response to_usim(const rsp::apdu::Command& command, Channel& channel);
  void switch_to(Channel& channel, Selected target);
  // Tells the application selected on `channel` that it no longer is (the ISD-R, the USIM).
  void leave(Channel& channel);
  void close(Channel& channel);
  uint8_t number(const Channel& channel) const;

  IsdrApplication& isdr_;
  UsimApplication& usim_;
  std::array<Channel, kChannels> channels_;
  bool powered_ = false;
  std::optional<Bytes> terminal_capability_;
  CardStats stats_;
  std::set<std::string> faults_;
};

}  // namespace euicc
