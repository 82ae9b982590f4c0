#pragma once
// Test doubles behind the card's APDU layer: an ISD-R that records each joined STORE DATA command
// and echoes it (or answers what the test asks), and a USIM that records what reaches it and on
// which channels it was selected and left.
#include <optional>
#include <vector>

#include "euicc/applications.hpp"
#include "euicc/card.hpp"
#include "rsp/bytes.hpp"

namespace euicc::test {

class FakeIsdr : public IsdrApplication {
 public:
  std::vector<Bytes> commands;     // every complete command, blocks joined
  std::optional<Bytes> reply;      // answer instead of the echo
  std::optional<uint16_t> refuse;  // answer this status word instead
  int channel_closed_calls = 0;

  rsp::Expected<Bytes, uint16_t> store_data(ByteView command) override {
    commands.emplace_back(command.begin(), command.end());
    if (refuse) return rsp::Unexpected{*refuse};
    if (reply) return *reply;
    return commands.back();
  }
  Bytes select_response() override { return fci(); }
  void channel_closed() override { ++channel_closed_calls; }

  // 6F: FCI template holding the AID (84); 20 bytes.
  static Bytes fci() { return rsp::concat({Bytes{0x6F, 0x12, 0x84, 0x10}, kIsdrAid}); }
};

class FakeUsim : public UsimApplication {
 public:
  std::optional<Bytes> adf_aid;   // nullopt: no profile enabled
  std::optional<Bytes> ef_iccid;  // nullopt: no profile enabled
  std::vector<rsp::apdu::Command> commands;
  std::vector<uint8_t> selected_on;  // the channel of each selection of the ADF
  std::vector<uint8_t> closed_on;    // the channel of each channel_closed

  std::optional<Bytes> aid() override { return adf_aid; }
  Bytes selected(uint8_t channel) override {
    selected_on.push_back(channel);
    return fcp();
  }
  void channel_closed(uint8_t channel) override { closed_on.push_back(channel); }
  std::optional<Bytes> iccid() override { return ef_iccid; }
  rsp::apdu::Response process(const rsp::apdu::Command& command) override {
    commands.push_back(command);
    switch (command.ins) {
      case 0x88:  // AUTHENTICATE: a successful 3G context answer (DB ...)
        return {Bytes{0xDB, 0x08, 1, 2, 3, 4, 5, 6, 7, 8}, rsp::apdu::sw::kOk};
      case 0xA4:  // SELECT of a file inside the ADF
        return {Bytes{0x62, 0x03, 0x82, 0x01, 0x21}, rsp::apdu::sw::kOk};
      case 0xF2:  // STATUS, P2 '0C': no data
        return {};
      default: return {{}, rsp::apdu::sw::kInsNotSupported};
    }
  }
  // 62: FCP template of the ADF.
  static Bytes fcp() { return {0x62, 0x06, 0x82, 0x02, 0x78, 0x21, 0x83, 0x00}; }
};

}  // namespace euicc::test
