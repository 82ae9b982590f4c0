// The vpcd framing at the software eUICC (euicc-sim --listen, and pcscd's vpcd reader): what one
// client sends, a stream of messages each with its 2-byte big-endian length, answered one by one by
// euicc::answer_vpcd_message as the link's loop does (controls: power off/on, reset, ATR; longer
// messages: APDUs through the card's APDU layer: channels, SELECT, STORE DATA chaining, GET
// RESPONSE, the USIM). A truncated last message is dropped, as the link drops it. The card is
// powered off at the end, as when a client leaves.
#include "card_under_fuzz.hpp"
#include "euicc/vpcd_link.hpp"
#include "fuzz_target.hpp"

namespace vpcd_target {

using Card = rsp::fuzz::CardUnderFuzz;

void run(const uint8_t* data, size_t size) {
  auto& card = rsp::fuzz::the<Card>();
  rsp::ByteView left = rsp::fuzz::bytes(data, size);
  while (left.size() >= 2) {
    size_t length = static_cast<size_t>(left[0] << 8 | left[1]);
    if (length > left.size() - 2) break;
    (void)euicc::answer_vpcd_message(card.card(), left.subspan(2, length));
    left = left.subspan(2 + length);
  }
  card.card().power_off();
  card.reset();
}

}  // namespace vpcd_target

RSP_FUZZ_TARGET(vpcd, rsp::fuzz::make<vpcd_target::Card>, vpcd_target::run);
