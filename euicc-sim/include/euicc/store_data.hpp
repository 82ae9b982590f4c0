#pragma once
// GlobalPlatform Card Specification v2.3 §11.11 STORE DATA, as ES10 uses it (FACTS.md §1): one
// BER-TLV command split into blocks, P1 '11' for each block but the last and '91' for the last,
// P2 the block number from '00' up. The blocks are joined here; the ISD-R sees the whole command.
#include <cstdint>
#include <optional>

#include "rsp/bytes.hpp"
#include "rsp/expected.hpp"

namespace euicc {

class StoreDataChain {
 public:
  static constexpr uint8_t kMoreBlocks = 0x11;  // b5 = BER-TLV structure, b8 clear: not last
  static constexpr uint8_t kLastBlock = 0x91;   // b8 = last block
  // A BPP's largest STORE DATA command is one 86 segment (about 1 KiB); this is ample, and bounds
  // what a terminal can make the card hold.
  static constexpr size_t kMaxCommand = 65536;

  // Adds one block. Returns the joined command after the last block, nullopt while more are due,
  // or the status word refusing the block; a refused block discards the whole command.
  rsp::Expected<std::optional<rsp::Bytes>, uint16_t> add(uint8_t p1, uint8_t p2, rsp::ByteView block);
  void discard();
  bool receiving() const { return next_block_ != 0; }

 private:
  rsp::Bytes joined_;
  unsigned next_block_ = 0;
};

}  // namespace euicc
