#pragma once
// What the card's APDU layer dispatches to: the ISD-R (ES10 functions carried in STORE DATA) and
// the USIM of the enabled profile. The APDU layer (card.hpp) owns channels, selection, block
// chaining and GET RESPONSE; these only see complete commands.
#include <cstdint>
#include <optional>

#include "rsp/apdu.hpp"
#include "rsp/bytes.hpp"

namespace euicc {

using rsp::Bytes;
using rsp::ByteView;

// ISD-R: SGP.22 v2.5 §5.7 / SGP.32 v1.2 §5.9 functions, one BER-TLV command at a time.
class IsdrApplication {
 public:
  virtual ~IsdrApplication() = default;
  // One complete STORE DATA command (all blocks joined). Returns the response TLV, which is empty
  // for the intermediate steps of LoadBoundProfilePackage; or a status word for a command the
  // ISD-R refuses at APDU level (e.g. 6A80 for data that is not a TLV it knows).
  virtual rsp::Expected<Bytes, uint16_t> store_data(ByteView command) = 0;
  // The SELECT response (FCI) of the ISD-R.
  virtual Bytes select_response() = 0;
  // The logical channel that held the ISD-R was closed, or the card was reset/powered off:
  // any half-received multi-command sequence (a BPP) is abandoned.
  virtual void channel_closed() = 0;
};

// The enabled profile as a terminal's telecom commands reach it: its USIM (3GPP TS 31.102), and the
// EF.ICCID of its MF. The USIM keeps what it needs per logical channel (the current EF); the APDU
// layer tells it when a channel gains or loses the ADF.
class UsimApplication {
 public:
  virtual ~UsimApplication() = default;
  // AID of the ADF.USIM of the enabled profile, or nullopt when no profile is enabled (or its
  // profile has no USIM).
  virtual std::optional<Bytes> aid() = 0;
  // The ADF was selected on `channel`: by its AID (whether or not P2 asks for data), or inherited by a
  // channel opened from one where it was selected. The channel starts afresh in the ADF, with no
  // current EF. Returns the ADF's FCP; the APDU layer drops it when P2 asks for no data.
  virtual Bytes selected(uint8_t channel) = 0;
  // The ADF is no longer selected on `channel`: the channel was closed, something else was selected
  // there, or the card was reset or powered off.
  virtual void channel_closed(uint8_t channel) = 0;
  // Commands sent to the selected ADF (AUTHENTICATE, READ BINARY of selected EFs, ...), on the
  // channel their class byte names.
  virtual rsp::apdu::Response process(const rsp::apdu::Command& command) = 0;
  // ETSI TS 102 221 §13.2 EF.ICCID of the enabled profile: its ICCID, 10 bytes in the BCD of tag
  // 5A (nibbles swapped, 'F' padded); nullopt when no profile is enabled.
  virtual std::optional<Bytes> iccid() = 0;
};

}  // namespace euicc
