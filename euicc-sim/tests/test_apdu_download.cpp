// The ES10 tests drive the card as an LPA does (CardFixture::call: APDUs through the card's APDU
// layer on a logical channel, every ES10 command cut into STORE DATA blocks and every long answer
// fetched with GET RESPONSE). Here: that this is so, APDU by APDU, and the whole download with the
// block sizes LPAs use, with what one download costs in APDUs and bytes.
#include "download_fixture.hpp"

using namespace euicc;
using namespace euicc::test;
using rsp::tlv::find;

TEST_CASE("CardFixture::call sends each ES10 command through the APDU layer, in blocks of the size asked for") {
  CardFixture f;
  f.block_size = 16;
  TestSmdp smdp(f.pki, crypto::Curve::nist_p256);
  CHECK(f.terminal->stats().command_apdus == 0);
  Bytes challenge = f.call(encode(0xBF2E, Bytes{}));  // MANAGE CHANNEL, SELECT ISD-R, one STORE DATA
  CHECK(f.terminal->stats().command_apdus == 3);
  CHECK(f.es10().number() == 1);  // a logical channel of its own, not the basic one

  Bytes request = smdp.authenticate_server(find(rsp::tlv::read(challenge)->value, 0x80)->value);
  auto before = f.terminal->stats();
  Bytes response = f.call(request);
  auto after = f.terminal->stats();
  size_t blocks = (request.size() + 15) / 16;
  size_t get_responses = (response.size() - 1) / 256;  // the last STORE DATA carries the first 256 bytes
  REQUIRE(response.size() > 256);
  CHECK(after.command_apdus - before.command_apdus == blocks + get_responses);
  CHECK(after.bytes_in - before.bytes_in == request.size() + blocks * 5 + 1 + get_responses * 5);  // headers, one Le
  CHECK(after.bytes_out - before.bytes_out == response.size() + (blocks + get_responses) * 2);     // status words
  CHECK(f.child(response, 0xA0).tag == 0xA0);  // carried out: euiccSigned1 and its signature
}

TEST_CASE("a download through the APDU layer, with lpac's 120-byte and the largest 255-byte STORE DATA blocks") {
  for (size_t block_size : {size_t{120}, size_t{255}}) {
    INFO("block size " << block_size);
    CardFixture f;
    f.block_size = block_size;
    const Card& card = *f.terminal;
    TestSmdp smdp(f.pki, crypto::Curve::nist_p256);
    const std::string iccid = "8944000000000000037";

    auto info1 = f.call(encode(0xBF20, Bytes{}));
    CHECK(rsp::tlv::read(info1)->tag == 0xBF20);
    auto challenge_response = f.call(encode(0xBF2E, Bytes{}));
    auto challenge = find(rsp::tlv::read(challenge_response)->value, 0x80).value();
    auto auth = f.call(smdp.authenticate_server(challenge.value));
    auto ok1 = find(rsp::tlv::read(auth)->value, 0xA0).value();
    Bytes signature1(find(ok1.value, 0x5F37)->whole.begin(), find(ok1.value, 0x5F37)->whole.end());
    auto prepared = f.call(smdp.prepare_download(signature1));
    auto ok2 = find(rsp::tlv::read(prepared)->value, 0xA0).value();
    auto otpk = find(find(ok2.value, 0x30)->value, 0x5F49).value();

    Bytes upp = minimal_profile_package(iccid);
    Bytes bpp =
        smdp.bound_profile_package(otpk.value, f.card->eid_bytes, store_metadata(iccid, "APDU", "n.example.org"), upp);
    auto before = card.stats();
    Bytes result;
    for (const auto& command : rsp::bpp::split_for_loading(bpp).value()) {
      result = f.call(command);
      if (!result.empty()) break;
    }
    auto data = find(rsp::tlv::read(result)->value, 0xBF27).value();
    CHECK(find(find(data.value, 0xA2)->value, 0xA0));  // successResult
    CHECK(f.card->state.find_profile(iccid));
    std::printf(
        "block size %zu: LoadBoundProfilePackage of a %zu-byte BPP took %llu APDUs, %llu bytes in, %llu out; "
        "whole session %llu APDUs\n",
        block_size, bpp.size(), static_cast<unsigned long long>(card.stats().command_apdus - before.command_apdus),
        static_cast<unsigned long long>(card.stats().bytes_in - before.bytes_in),
        static_cast<unsigned long long>(card.stats().bytes_out - before.bytes_out),
        static_cast<unsigned long long>(card.stats().command_apdus));

    // The notification list and GetEID over the same channel.
    auto list = f.call(encode(0xBF28, Bytes{}));
    CHECK(rsp::tlv::read(list)->tag == 0xBF28);
    auto eid = f.call(encode(0xBF3E, encode(0x5C, Bytes{0x5A})));
    CHECK(Bytes(find(rsp::tlv::read(eid)->value, 0x5A)->value.begin(),
                find(rsp::tlv::read(eid)->value, 0x5A)->value.end()) == f.card->eid_bytes);
  }
}
