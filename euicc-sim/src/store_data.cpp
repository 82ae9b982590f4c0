#include "euicc/store_data.hpp"

#include "rsp/apdu.hpp"

namespace euicc {

namespace sw = rsp::apdu::sw;

rsp::Expected<std::optional<rsp::Bytes>, uint16_t> StoreDataChain::add(uint8_t p1, uint8_t p2, rsp::ByteView block) {
  if ((p1 != kMoreBlocks && p1 != kLastBlock) || p2 != next_block_) {
    discard();
    return rsp::Unexpected{sw::kIncorrectP1P2};
  }
  if (joined_.size() + block.size() > kMaxCommand) {
    discard();
    return rsp::Unexpected{sw::kNotEnoughMemory};
  }
  joined_.insert(joined_.end(), block.begin(), block.end());
  if (p1 == kMoreBlocks) {
    // P2 is one byte: a 257th block cannot be numbered.
    if (++next_block_ > 0xFF) {
      discard();
      return rsp::Unexpected{sw::kIncorrectP1P2};
    }
    return std::optional<rsp::Bytes>{};
  }
  rsp::Bytes command = std::move(joined_);
  discard();
  return std::optional<rsp::Bytes>{std::move(command)};
}

void StoreDataChain::discard() {
  joined_.clear();
  next_block_ = 0;
}

}  // namespace euicc
