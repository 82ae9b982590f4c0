// ES10 commands at the card (SGP.22 v2.5 §5.7, SGP.32 v1.2 §5.9), as the ISD-R gets them once the
// APDU layer joined their STORE DATA blocks: euicc's IsdrApplication::store_data. Input: one or more
// commands, each a BER-TLV (so that a LoadBoundProfilePackage sequence fits in one input); bytes
// after the last whole TLV go as one more command. The channel is closed after the input.
#include "card_under_fuzz.hpp"
#include "fuzz_target.hpp"
#include "rsp/tlv.hpp"

namespace es10_card_target {

using Card = rsp::fuzz::CardUnderFuzz;

void run(const uint8_t* data, size_t size) {
  auto& card = rsp::fuzz::the<Card>();
  rsp::ByteView left = rsp::fuzz::bytes(data, size);
  auto& isdr = card.euicc().isdr();
  while (!left.empty()) {
    size_t length = left.size();
    if (auto header = rsp::tlv::read_header(left); header && header->length <= left.size() - header->header_size)
      length = header->header_size + header->length;
    (void)isdr.store_data(left.first(length));
    left = left.subspan(length);
  }
  isdr.channel_closed();
  card.reset();
}

}  // namespace es10_card_target

RSP_FUZZ_TARGET(es10_card, rsp::fuzz::make<es10_card_target::Card>, es10_card_target::run);
