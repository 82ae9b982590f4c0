#pragma once
// The USIM of the enabled profile (3GPP TS 31.102), read from the profile's package
// (profile_contents.hpp): its ADF answers SELECT of EF.IMSI, EF.AD and EF.UST, READ BINARY, STATUS, and
// AUTHENTICATE in the 3G and GSM security contexts with Milenage or the TS 34.108 test algorithm. The SQN
// array is part of the card state (Profile::usim_sqn_state), committed before a RES leaves the card.
// It also gives the enabled profile's ICCID for the EF.ICCID the APDU layer serves under the MF.
#include <array>
#include <memory>
#include <optional>
#include <string>

#include "card_context.hpp"
#include "euicc/applications.hpp"
#include "euicc/card.hpp"
#include "rsp/crypto/aka_functions.hpp"
#include "rsp/profile_contents.hpp"

namespace euicc {

using rsp::AkaAlgorithm;
using rsp::AkaParameters;
using rsp::ElementaryFile;
using rsp::ProfileContents;
using rsp::read_profile_contents;
using rsp::UsimContents;

class Usim final : public UsimApplication {
 public:
  explicit Usim(CardContext& card) : card_(card) {}
  std::optional<Bytes> aid() override;
  // The FCP of the ADF; the channel's current EF is forgotten.
  Bytes selected(uint8_t channel) override;
  void channel_closed(uint8_t channel) override;
  rsp::apdu::Response process(const rsp::apdu::Command& command) override;
  std::optional<Bytes> iccid() override;

 private:
  // The USIM of the enabled profile, read from its package when the enabled profile changes;
  // nullptr when no profile is enabled or its package holds no USIM this card can run. Its
  // algorithm set (algorithm_) is keyed with it.
  const UsimContents* usim();
  // `current`: the EF selected on the command's logical channel.
  static rsp::apdu::Response select(const rsp::apdu::Command& command, const UsimContents& usim,
                                    std::optional<uint16_t>& current);
  static rsp::apdu::Response read_binary(const rsp::apdu::Command& command, const UsimContents& usim,
                                         std::optional<uint16_t>& current);
  static rsp::apdu::Response status(const rsp::apdu::Command& command, const UsimContents& usim);
  rsp::apdu::Response authenticate(const rsp::apdu::Command& command, const UsimContents& usim);

  CardContext& card_;
  std::string loaded_for_;  // ICCID and ISD-P AID of the profile `loaded_` came from
  std::optional<ProfileContents> loaded_;
  std::unique_ptr<rsp::crypto::AkaFunctions> algorithm_;  // the USIM's algorithm set, keyed
  // The EF selected inside the ADF, per logical channel.
  std::array<std::optional<uint16_t>, Card::kChannels> current_ef_;
};

}  // namespace euicc
