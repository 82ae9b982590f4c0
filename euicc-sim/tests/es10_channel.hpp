#pragma once
// The LPA's (or IPA's) side of ES10 over a card's APDU layer, for tests: a logical channel opened
// with MANAGE CHANNEL, the ISD-R selected on it by its AID, each ES10 command cut into STORE DATA
// blocks (P1 '11' .. '91', P2 counting from '00', GlobalPlatform Card Specification v2.3 §11.11)
// and each long answer fetched with GET RESPONSE on 61xx (ETSI TS 102 221 §7.3.1.1.4).
#include <catch2/catch.hpp>

#include <algorithm>

#include "euicc/card.hpp"
#include "rsp/apdu.hpp"

namespace euicc::test {

class Es10Channel {
 public:
  // The IPA's default: the largest block a short STORE DATA APDU carries. lpac uses 120.
  static constexpr size_t kDefaultBlockSize = 255;

  explicit Es10Channel(Card& card, size_t block_size = kDefaultBlockSize) : card_(card), block_size_(block_size) {
    REQUIRE(block_size_ >= 1);
    REQUIRE(block_size_ <= 255);
    auto open = transmit(rsp::apdu::Command{0x00, 0x70, 0x00, 0x00, {}, 1u, false});
    REQUIRE(open.sw == rsp::apdu::sw::kOk);
    REQUIRE(open.data.size() == 1);
    channel_ = open.data[0];
    auto select =
        exchange(rsp::apdu::Command{0x00, 0xA4, 0x04, 0x00, Bytes(kIsdrAid.begin(), kIsdrAid.end()), 256u, false});
    REQUIRE(select.sw == rsp::apdu::sw::kOk);
  }

  // One ES10 function: its STORE DATA blocks, then the status word of the last one with the whole
  // response. A block the card refuses before the last one ends the command there.
  rsp::apdu::Response es10(ByteView command) {
    REQUIRE_FALSE(command.empty());
    rsp::apdu::Response last;
    size_t block = 0;
    for (size_t offset = 0; offset < command.size(); offset += block_size_, ++block) {
      REQUIRE(block <= 0xFF);  // P2 numbers at most 256 blocks
      size_t n = std::min(block_size_, command.size() - offset);
      bool final_block = offset + n == command.size();
      rsp::apdu::Command c{0x80,
                           0xE2,
                           final_block ? StoreDataChain::kLastBlock : StoreDataChain::kMoreBlocks,
                           static_cast<uint8_t>(block),
                           Bytes(command.begin() + static_cast<std::ptrdiff_t>(offset),
                                 command.begin() + static_cast<std::ptrdiff_t>(offset + n)),
                           final_block ? std::optional<uint32_t>(256) : std::nullopt,
                           false};
      last = exchange(c);
      if (!final_block && last.sw != rsp::apdu::sw::kOk) break;
    }
    return last;
  }

  // One ES10 function the card must carry out (9000): its response data.
  Bytes call(ByteView command) {
    auto r = es10(command);
    INFO("status word " << std::hex << r.sw);
    REQUIRE(r.sw == rsp::apdu::sw::kOk);
    return std::move(r.data);
  }

  // One ES10 function the card must refuse with a status word: that status word (no data with it).
  uint16_t status_word(ByteView command) {
    auto r = es10(command);
    REQUIRE(r.sw != rsp::apdu::sw::kOk);
    CHECK(r.data.empty());
    return r.sw;
  }

  // MANAGE CHANNEL close: the ISD-R hears that its channel is gone. The object is spent afterwards.
  void close() {
    REQUIRE(transmit(rsp::apdu::Command{0x00, 0x70, 0x80, channel_, {}, std::nullopt, false}).sw == rsp::apdu::sw::kOk);
  }

  uint8_t number() const { return channel_; }
  size_t block_size() const { return block_size_; }

 private:
  rsp::apdu::Response transmit(const rsp::apdu::Command& c) {
    return rsp::apdu::Response::parse(card_.transmit(c.encode())).value();
  }

  // One command on this channel, and every piece of its answer that 61xx announces.
  rsp::apdu::Response exchange(rsp::apdu::Command c) {
    c.cla = rsp::apdu::cla_for_channel(c.cla, channel_);
    auto r = transmit(c);
    Bytes data = std::move(r.data);
    while ((r.sw & 0xFF00) == rsp::apdu::sw::kMoreData) {
      uint32_t le = r.sw2() ? r.sw2() : 256u;
      r = transmit(rsp::apdu::Command{rsp::apdu::cla_for_channel(0x00, channel_), 0xC0, 0x00, 0x00, {}, le, false});
      data.insert(data.end(), r.data.begin(), r.data.end());
    }
    r.data = std::move(data);
    return r;
  }

  Card& card_;
  size_t block_size_;
  uint8_t channel_ = 0;
};

}  // namespace euicc::test
