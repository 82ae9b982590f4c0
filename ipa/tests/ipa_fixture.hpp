#pragma once
// A software eUICC on a test PKI (euicc-sim's CardFixture) reached the IPA's way: through an
// ipa::Transport on its APDU layer and an ipa::Es10Channel; the SM-DP+ half of a download from
// the same PKI (TestSmdp).
#include <catch2/catch.hpp>

#include "card_transport.hpp"
#include "download_fixture.hpp"
#include "ipa/es10_channel.hpp"
#include "ipa/es10b.hpp"
#include "rsp/eid.hpp"

namespace ipa::test {

inline const std::string kIccid = "8949449999999990049";

struct IpaFixture {
  euicc::test::CardFixture card;
  CardTransport transport{*card.terminal};
  Es10Channel channel;
  euicc::test::TestSmdp smdp{card.pki, rsp::crypto::Curve::nist_p256};

  explicit IpaFixture(size_t segment_size = 255) : channel(transport, options(segment_size)) {
    REQUIRE(transport.connect());
  }
  static ChannelOptions options(size_t segment_size) {
    ChannelOptions o;
    o.segment_size = segment_size;
    return o;
  }

  // A download up to the bound profile package, each step through the ES10 client.
  Bytes bound_profile_package(const std::string& iccid = kIccid) {
    auto challenge = es10b::get_euicc_challenge(channel);
    REQUIRE(challenge);
    auto authenticated = es10b::authenticate_server(channel, smdp.authenticate_server(*challenge));
    REQUIRE(authenticated);
    REQUIRE(authenticated->ok());
    Bytes signature1 = child(authenticated->tlv, {0xA0, 0x5F37});
    auto prepared = es10b::prepare_download(channel, smdp.prepare_download(signature1));
    REQUIRE(prepared);
    REQUIRE(prepared->ok());
    Bytes otpk = value(child(prepared->tlv, {0xA0, 0x30, 0x5F49}));
    auto eid = rsp::eid::to_bytes(rsp::pki::default_eid()).value();
    return smdp.bound_profile_package(otpk, eid,
                                      euicc::test::store_metadata(iccid, "Profile " + iccid, "smdp.example.org"),
                                      euicc::test::minimal_profile_package(iccid));
  }

  // The whole TLV found by following `path` of tags from the outer TLV's contents.
  static Bytes child(const Bytes& der, std::initializer_list<rsp::tlv::Tag> path) {
    auto t = rsp::tlv::read(der);
    REQUIRE(t);
    rsp::tlv::Tlv at = *t;
    for (auto tag : path) {
      auto next = rsp::tlv::find(at.value, tag);
      REQUIRE(next);
      at = *next;
    }
    return Bytes(at.whole.begin(), at.whole.end());
  }
  static Bytes value(const Bytes& der) {
    auto t = rsp::tlv::read(der);
    REQUIRE(t);
    return Bytes(t->value.begin(), t->value.end());
  }
};

}  // namespace ipa::test
