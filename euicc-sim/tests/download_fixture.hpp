#pragma once
// A card in a temporary directory and the SM-DP+ side of a download, built from the crypto core
// (rsp/), for tests that drive the card's ES10 functions in-process, through its APDU layer.
#include <catch2/catch.hpp>

#include <optional>

#include "card_context.hpp"
#include "es10_channel.hpp"
#include "euicc/card.hpp"
#include "euicc/euicc.hpp"
#include "isdr.hpp"
#include "rsp/bound_profile_package.hpp"
#include "rsp/crypto/ecdsa.hpp"
#include "rsp/iccid.hpp"
#include "rsp/pki/test_pki.hpp"
#include "rsp/tlv.hpp"
#include "support/kit.hpp"
#include "usim.hpp"

namespace euicc::test {

using rsp::Bytes;
using rsp::ByteView;
using rsp::tlv::encode;
namespace crypto = rsp::crypto;

// A minimal but complete profile package: ProfileHeader (A0) with the ICCID, and the end element.
inline Bytes minimal_profile_package(const std::string& iccid) {
  Bytes header =
      encode(0xA0, rsp::concat({encode(0x80, Bytes{2}), encode(0x81, Bytes{3}),
                                encode(0x83, rsp::iccid::to_bytes(iccid, rsp::iccid::Nibbles::plain).value()),
                                encode(0xA5, Bytes{}), encode(0xA6, Bytes{})}));
  Bytes end = encode(0xAA, encode(0xA0, encode(0x81, Bytes{0x01})));
  return rsp::concat({header, end});
}

inline Bytes store_metadata(const std::string& iccid, const std::string& name, const std::string& notify_address) {
  Bytes install_and_delete = {0x04, 0x90};  // NotificationEvent bits 0 (install) and 3 (delete)
  return encode(0xBF25,
                rsp::concat({encode(0x5A, rsp::iccid::to_bytes(iccid).value()), encode(0x91, rsp::to_bytes("Test SP")),
                             encode(0x92, rsp::to_bytes(name)), encode(0x95, Bytes{0x02}),
                             encode(0xB6, encode(0x30, rsp::concat({encode(0x80, install_and_delete),
                                                                    encode(0x81, rsp::to_bytes(notify_address))})))}));
}

// The SM-DP+ half of a download, made of the PKI's DPauth/DPpb credentials.
class TestSmdp {
 public:
  TestSmdp(const std::filesystem::path& pki, crypto::Curve curve)
      : auth_key(rsp::pki::load_key(pki, curve, crypto::Role::dp_auth).value()),
        pb_key(rsp::pki::load_key(pki, curve, crypto::Role::dp_pb).value()),
        auth(rsp::pki::load_certificate(pki, curve, crypto::Role::dp_auth).value()),
        pb(rsp::pki::load_certificate(pki, curve, crypto::Role::dp_pb).value()),
        ci_ski(*rsp::pki::load_certificate(pki, curve, crypto::Role::ci).value().subject_key_id()) {}

  // AuthenticateServerRequest for the card's challenge; no matchingId: ctxParams1 without '80'
  // (the default SM-DP+ case, and ES11).
  Bytes authenticate_server(ByteView euicc_challenge, const std::optional<std::string>& matching_id = "MATCH") {
    server_challenge = Bytes(16, 0x5C);
    Bytes server_signed1 =
        encode(0x30, rsp::concat({encode(0x80, transaction_id), encode(0x81, euicc_challenge),
                                  encode(0x83, rsp::to_bytes(address)), encode(0x84, server_challenge)}));
    Bytes ctx = encode(
        0xA0, rsp::concat({matching_id ? encode(0x80, rsp::to_bytes(*matching_id)) : Bytes{},
                           encode(0xA1, rsp::concat({encode(0x80, Bytes{1, 2, 3, 4}), encode(0xA1, Bytes{})}))}));
    return encode(0xBF38, rsp::concat({server_signed1, encode(0x5F37, crypto::sign(auth_key, server_signed1)),
                                       encode(0x04, ci_ski), auth.der(), ctx}));
  }

  // PrepareDownloadRequest answering the card's AuthenticateServerResponse (its euiccSignature1).
  Bytes prepare_download(ByteView euicc_signature1_tlv, bool cc_required = false, std::optional<Bytes> hash_cc = {}) {
    Bytes smdp_signed2 = encode(0x30, rsp::concat({encode(0x80, transaction_id),
                                                   encode(0x01, Bytes{cc_required ? uint8_t(0xFF) : uint8_t(0)})}));
    smdp_signature2 = encode(0x5F37, crypto::sign(pb_key, rsp::concat({smdp_signed2, euicc_signature1_tlv})));
    return encode(0xBF21,
                  rsp::concat({smdp_signed2, smdp_signature2, hash_cc ? encode(0x04, *hash_cc) : Bytes{}, pb.der()}));
  }

  Bytes bound_profile_package(ByteView euicc_otpk, ByteView eid, const Bytes& metadata, const Bytes& upp,
                              bool with_ppk = true) {
    auto otpk = crypto::PublicKey::from_point(pb_key.curve(), euicc_otpk).value();
    rsp::bpp::BindingInput in;
    in.transaction_id = transaction_id;
    in.host_id = rsp::to_bytes("open-rsp");
    in.eid.assign(eid.begin(), eid.end());
    in.dp_pb_key = &pb_key;
    in.euicc_otpk = &otpk;
    in.configure_isdp = encode(0xBF24, Bytes{});
    in.store_metadata = metadata;
    in.profile_package = upp;
    if (with_ppk) in.protection = rsp::bpp::ProfileProtectionKeys{Bytes(16, 0x01), Bytes(16, 0x02), Bytes(16, 0x03)};
    return rsp::bpp::build(in).value();
  }

  crypto::PrivateKey auth_key, pb_key;
  crypto::Certificate auth, pb;
  Bytes ci_ski;
  Bytes transaction_id{0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08};
  std::string address = "smdp.example.org";
  Bytes server_challenge;
  Bytes smdp_signature2;
};

// A fresh card and a PKI it shares with a TestSmdp. ES10 commands go to the card as an LPA sends
// them: through the APDU layer (`terminal`, the same Card a reader sees) on a logical channel of
// their own, opened at the first call, in STORE DATA blocks of `block_size` bytes.
struct CardFixture {
  rsp::test::TempDir dir;
  std::filesystem::path pki = dir.path() / "pki";
  std::unique_ptr<CardContext> card;
  std::unique_ptr<Isdr> isdr;
  std::unique_ptr<Usim> usim;
  std::unique_ptr<Card> terminal;
  size_t block_size = Es10Channel::kDefaultBlockSize;  // takes effect at the next channel opened

  explicit CardFixture(crypto::Curve curve = crypto::Curve::nist_p256) {
    rsp::pki::MakeOptions make;
    make.curve = curve;
    REQUIRE(rsp::pki::make(pki, make));
    reopen();
  }
  // The process restarted: the card reopened from its state directory, a new terminal session.
  void reopen() {
    es10_.reset();
    terminal.reset();
    usim.reset();
    isdr.reset();
    Options options;
    options.state_dir = dir.path() / "card";
    options.pki_dir = pki;
    card = open_card_context(options).value();
    isdr = std::make_unique<Isdr>(*card);
    usim = std::make_unique<Usim>(*card);
    terminal = std::make_unique<Card>(*isdr, *usim);
  }
  // The LPA's channel to the ISD-R, opened (MANAGE CHANNEL, SELECT) when first wanted.
  Es10Channel& es10() {
    if (!es10_) es10_.emplace(*terminal, block_size);
    return *es10_;
  }
  // MANAGE CHANNEL close of the ES10 channel; the next call opens another.
  void close_es10_channel() {
    es10().close();
    es10_.reset();
  }
  // One ES10 command; fails the test unless the card answers 9000. The response data, joined.
  Bytes call(ByteView command) { return es10().call(command); }
  // One ES10 command the ISD-R must refuse: its status word.
  uint16_t call_status_word(ByteView command) { return es10().status_word(command); }
  rsp::tlv::Tlv child(const Bytes& response, rsp::tlv::Tag tag) {
    return rsp::tlv::find(rsp::tlv::read(response)->value, tag).value();
  }

 private:
  std::optional<Es10Channel> es10_;
};

}  // namespace euicc::test
