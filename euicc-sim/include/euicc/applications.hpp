#pragma once
// What the card's APDU layer dispatches to: the ISD-R (ES10 functions carried in STORE DATA) and
// the USIM of the enabled profile. The APDU layer (card.hpp) owns channels, selection, block
// chaining and GET RESPONSE; these only see complete commands.
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

// The USIM (3GPP TS 31.102) of the enabled profile, when there is one.
class UsimApplication {
 public:
  virtual ~UsimApplication() = default;
  // AID of the ADF.USIM of the enabled profile, or nullopt when no profile is enabled.
  virtual std::optional<Bytes> aid() = 0;
  virtual Bytes select_response() = 0;
  // Commands sent to the selected ADF (AUTHENTICATE, READ BINARY of selected EFs, ...).
  virtual rsp::apdu::Response process(const rsp::apdu::Command& command) = 0;
};

}  // namespace euicc
