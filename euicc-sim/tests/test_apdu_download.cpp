// The whole download again, but as an LPA drives a card: APDUs through the card's APDU layer on a
// logical channel, every ES10 command cut into STORE DATA blocks and every long answer fetched
// with GET RESPONSE. Also counts what one download costs in APDUs and bytes.
#include "download_fixture.hpp"
#include "euicc/card.hpp"
#include "rsp/apdu.hpp"
#include "usim.hpp"

using namespace euicc;
using namespace euicc::test;
using rsp::tlv::find;

namespace {

// An LPA-side ES10 channel over a Card (what the IPA's transport does).
class Es10Channel {
 public:
  Es10Channel(Card& card, size_t block_size) : card_(card), block_size_(block_size) {
    auto open = rsp::apdu::Response::parse(card_.transmit(rsp::test::hex("0070000001"))).value();
    REQUIRE(open.sw == rsp::apdu::sw::kOk);
    channel_ = open.data.at(0);
    auto select = exchange(rsp::apdu::Command{0x00, 0xA4, 0x04, 0x00, Bytes(kIsdrAid.begin(), kIsdrAid.end()), 256u, false});
    REQUIRE(select.sw == rsp::apdu::sw::kOk);
  }
  // One ES10 function: STORE DATA blocks (P1 11 .. 91, P2 counting), then the joined response.
  rsp::apdu::Response es10(const Bytes& command) {
    rsp::apdu::Response last;
    for (size_t offset = 0, block = 0; offset < command.size(); offset += block_size_, ++block) {
      size_t n = std::min(block_size_, command.size() - offset);
      bool final_block = offset + n == command.size();
      rsp::apdu::Command c{0x80, 0xE2, static_cast<uint8_t>(final_block ? 0x91 : 0x11), static_cast<uint8_t>(block),
                           Bytes(command.begin() + static_cast<long>(offset), command.begin() + static_cast<long>(offset + n)),
                           final_block ? std::optional<uint32_t>(256) : std::nullopt, false};
      last = exchange(c);
      if (!final_block) REQUIRE(last.sw == rsp::apdu::sw::kOk);
    }
    return last;
  }

 private:
  rsp::apdu::Response exchange(rsp::apdu::Command c) {
    c.cla = rsp::apdu::cla_for_channel(c.cla, channel_);
    auto r = rsp::apdu::Response::parse(card_.transmit(c.encode())).value();
    while ((r.sw & 0xFF00) == rsp::apdu::sw::kMoreData) {
      rsp::apdu::Command get{rsp::apdu::cla_for_channel(0x00, channel_), 0xC0, 0, 0, {}, r.sw2() ? r.sw2() : 256u, false};
      auto more = rsp::apdu::Response::parse(card_.transmit(get.encode())).value();
      more.data.insert(more.data.begin(), r.data.begin(), r.data.end());
      r = std::move(more);
    }
    return r;
  }
  Card& card_;
  size_t block_size_;
  uint8_t channel_ = 0;
};

Bytes ok_data(const rsp::apdu::Response& r) {
  REQUIRE(r.sw == rsp::apdu::sw::kOk);
  return r.data;
}

}  // namespace

TEST_CASE("a download through the APDU layer, with lpac's 120-byte and the largest 255-byte STORE DATA blocks") {
  for (size_t block_size : {size_t{120}, size_t{255}}) {
    INFO("block size " << block_size);
    CardFixture f;
    Usim usim(*f.card);
    Card card(*f.isdr, usim);
    Es10Channel lpa(card, block_size);
    TestSmdp smdp(f.pki, crypto::Curve::nist_p256);
    const std::string iccid = "8944000000000000037";

    auto info1 = ok_data(lpa.es10(encode(0xBF20, Bytes{})));
    CHECK(rsp::tlv::read(info1)->tag == 0xBF20);
    auto challenge_response = ok_data(lpa.es10(encode(0xBF2E, Bytes{})));
    auto challenge = find(rsp::tlv::read(challenge_response)->value, 0x80).value();
    auto auth = ok_data(lpa.es10(smdp.authenticate_server(challenge.value)));
    auto ok1 = find(rsp::tlv::read(auth)->value, 0xA0).value();
    Bytes signature1(find(ok1.value, 0x5F37)->whole.begin(), find(ok1.value, 0x5F37)->whole.end());
    auto prepared = ok_data(lpa.es10(smdp.prepare_download(signature1)));
    auto ok2 = find(rsp::tlv::read(prepared)->value, 0xA0).value();
    auto otpk = find(find(ok2.value, 0x30)->value, 0x5F49).value();

    Bytes upp = minimal_profile_package(iccid);
    Bytes bpp = smdp.bound_profile_package(otpk.value, f.card->eid_bytes, store_metadata(iccid, "APDU", "n.example.org"), upp);
    auto before = card.stats();
    Bytes result;
    for (const auto& command : rsp::bpp::split_for_loading(bpp).value()) {
      result = ok_data(lpa.es10(command));
      if (!result.empty()) break;
    }
    auto data = find(rsp::tlv::read(result)->value, 0xBF27).value();
    CHECK(find(find(data.value, 0xA2)->value, 0xA0));  // successResult
    CHECK(f.card->state.find_profile(iccid));
    std::printf("block size %zu: LoadBoundProfilePackage of a %zu-byte BPP took %llu APDUs, %llu bytes in, %llu out; "
                "whole session %llu APDUs\n",
                block_size, bpp.size(), static_cast<unsigned long long>(card.stats().command_apdus - before.command_apdus),
                static_cast<unsigned long long>(card.stats().bytes_in - before.bytes_in),
                static_cast<unsigned long long>(card.stats().bytes_out - before.bytes_out),
                static_cast<unsigned long long>(card.stats().command_apdus));

    // The notification list and GetEID over the same channel.
    auto list = ok_data(lpa.es10(encode(0xBF28, Bytes{})));
    CHECK(rsp::tlv::read(list)->tag == 0xBF28);
    auto eid = ok_data(lpa.es10(encode(0xBF3E, encode(0x5C, Bytes{0x5A}))));
    CHECK(Bytes(find(rsp::tlv::read(eid)->value, 0x5A)->value.begin(), find(rsp::tlv::read(eid)->value, 0x5A)->value.end()) ==
          f.card->eid_bytes);
  }
}
