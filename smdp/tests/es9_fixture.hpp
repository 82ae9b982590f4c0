#pragma once
// An SM-DP+ (Es9Plus over a SQLite store in a temporary directory) and a software eUICC sharing
// one test PKI, with the LPA's relaying steps of a download spelled out, so each test can break
// one message and see the SM-DP+'s answer.
#include <catch2/catch.hpp>

#include <algorithm>

#include "euicc/euicc.hpp"
#include "rsp/bound_profile_package.hpp"
#include "rsp/confirmation_code.hpp"
#include "rsp/crypto/ecdsa.hpp"
#include "rsp/iccid.hpp"
#include "rsp/pki/certificate_issuer.hpp"
#include "rsp/pki/pki_layout.hpp"
#include "rsp/pki/test_pki.hpp"
#include "rsp/profile_maker.hpp"
#include "rsp/tlv.hpp"
#include "smdp/es9plus.hpp"
#include "support/kit.hpp"

namespace smdp::test {

using rsp::tlv::encode;
using rsp::tlv::find;

inline constexpr const char* kAddress = "smdp.example.org";

struct ProgressEvent {
  std::string iccid;
  NotificationPoint point;
  FunctionStatus status;
};

// A test profile (MILENAGE USIM) of operator-a, released for whichever eUICC comes with
// `matching_id` until `expires` (unix seconds).
inline rsp::ProfileSpec test_profile_spec(const std::string& iccid) {
  rsp::ProfileSpec spec;
  spec.iccid = iccid;
  spec.imsi = "001010123456789";
  spec.ki = Bytes(16, 0x11);
  spec.opc = Bytes(16, 0x22);
  spec.service_provider_name = "Test SP";
  spec.notification_address = kAddress;
  return spec;
}
inline ProfileRecord released_order(const std::string& iccid, const std::string& matching_id, int64_t expires) {
  rsp::ProfileSpec spec = test_profile_spec(iccid);
  ProfileRecord p;
  p.iccid = iccid;
  p.operator_id = "operator-a";
  p.profile_type = "test";
  p.state = ProfileState::released;
  p.package = rsp::make_profile_package(spec).value();
  p.metadata = rsp::make_store_metadata(spec).value();
  p.matching_id = matching_id;
  p.released = true;
  p.order_expires = expires;
  return p;
}

struct Es9Fixture {
  rsp::test::TempDir dir;
  std::filesystem::path pki = dir.path() / "pki";
  std::unique_ptr<Store> store;
  DpIdentity identity;
  int64_t clock = time(nullptr);  // the card checks certificates against the real time
  std::vector<ProgressEvent> progress;
  std::unique_ptr<Es9Plus> es9;
  std::unique_ptr<euicc::Euicc> card;

  // `store_url`: the store (default: SQLite in the temporary directory).
  explicit Es9Fixture(rsp::crypto::Curve curve = rsp::crypto::Curve::nist_p256, std::string store_url = {}) {
    rsp::pki::MakeOptions make;
    make.curve = curve;
    REQUIRE(rsp::pki::make(pki, make));
    if (store_url.empty()) store_url = "sqlite:" + (dir.path() / "smdp.db").string();
    store = open_store(store_url).value();
    identity = load_dp_identity(pki).value();
    Es9Settings settings;
    settings.smdp_address = kAddress;
    settings.now = [this] { return clock; };
    settings.progress = [this](const ProfileRecord& p, NotificationPoint point, const FunctionStatus& s, ByteView) {
      progress.push_back({p.iccid, point, s});
    };
    es9 = std::make_unique<Es9Plus>(*store, identity, settings);
    card = open_card("card", pki);
  }

  std::unique_ptr<euicc::Euicc> open_card(const std::string& name, const std::filesystem::path& card_pki) {
    euicc::Options options;
    options.state_dir = dir.path() / name;
    options.pki_dir = card_pki;
    auto card_opened = euicc::Euicc::open(options);
    if (!card_opened) FAIL("the card does not open: " + card_opened.error().message);
    return std::move(*card_opened);
  }

  // A released profile waiting for `matching_id` (optionally bound to an EID, with a confirmation code).
  ProfileRecord add_profile(const std::string& iccid, const std::string& matching_id,
                            std::optional<std::string> eid = {}, std::optional<std::string> confirmation_code = {}) {
    ProfileRecord p = released_order(iccid, matching_id, clock + 86400);
    p.eid = std::move(eid);
    if (confirmation_code) {
      p.confirmation_code_hash = rsp::sha256(rsp::to_bytes(*confirmation_code));
      p.confirmation_attempts_left = 3;
    }
    REQUIRE(store->add_profile(p));
    return p;
  }
  ProfileRecord profile(const std::string& iccid) { return store->profile(iccid).value().value(); }

  static Bytes es10(euicc::Euicc& c, const Bytes& command) {
    auto r = c.isdr().store_data(command);
    REQUIRE(r);
    return *r;
  }
  Bytes es10(const Bytes& command) { return es10(*card, command); }
};

// One download as an LPA relays it, step by step, against one card.
struct Download {
  Es9Fixture& f;
  euicc::Euicc& card;
  InitiateAuthenticationResponse initiated;
  AuthenticateClientResponse authenticated;
  Bytes authenticate_server_response, prepare_download_response;

  explicit Download(Es9Fixture& fixture) : f(fixture), card(*fixture.card) {}
  Download(Es9Fixture& fixture, euicc::Euicc& c) : f(fixture), card(c) {}

  Es9Result<InitiateAuthenticationResponse> initiate(const std::string& address = kAddress) {
    Bytes info1 = Es9Fixture::es10(card, rsp::test::hex("BF2000"));
    Bytes challenge_response = Es9Fixture::es10(card, rsp::test::hex("BF2E00"));
    auto challenge = find(rsp::tlv::read(challenge_response)->value, 0x80).value();
    auto r = f.es9->initiate_authentication({Bytes(challenge.value.begin(), challenge.value.end()), info1, address});
    if (r) initiated = *r;
    return r;
  }

  // ES10b.AuthenticateServer on the card, with ctxParams1 naming `matching_id` (none: no '80'
  // element, as an LPA sends for the default SM-DP+ and for the SM-DS).
  Bytes authenticate_server(const std::optional<std::string>& matching_id) {
    Bytes ctx = encode(
        0xA0,
        rsp::concat({matching_id ? encode(0x80, rsp::to_bytes(*matching_id)) : Bytes{},
                     encode(0xA1, rsp::concat({encode(0x80, Bytes{0x35, 0x29, 0x06, 0x11}), encode(0xA1, Bytes{})}))}));
    Bytes command =
        encode(0xBF38, rsp::concat({initiated.server_signed1, initiated.server_signature1,
                                    initiated.euicc_ci_pkid_to_be_used, initiated.server_certificate, ctx}));
    return authenticate_server_response = Es9Fixture::es10(card, command);
  }

  Es9Result<AuthenticateClientResponse> authenticate_client(const Bytes& response) {
    auto r = f.es9->authenticate_client({initiated.transaction_id, response});
    if (r) authenticated = *r;
    return r;
  }

  // ES10b.PrepareDownload on the card (with the confirmation code when given).
  Bytes prepare_download(std::optional<std::string> confirmation_code = {}) {
    Bytes hash_cc;
    if (confirmation_code)
      hash_cc = encode(
          0x04, rsp::hash_confirmation_code(*confirmation_code, rsp::from_hex(initiated.transaction_id).value()));
    Bytes command = encode(0xBF21, rsp::concat({authenticated.smdp_signed2, authenticated.smdp_signature2, hash_cc,
                                                authenticated.smdp_certificate}));
    return prepare_download_response = Es9Fixture::es10(card, command);
  }

  Es9Result<GetBoundProfilePackageResponse> get_bound_profile_package(const Bytes& response) {
    return f.es9->get_bound_profile_package({initiated.transaction_id, response});
  }

  // The LoadBoundProfilePackage commands up to the card's ProfileInstallationResult, which it returns.
  Bytes load(const Bytes& bpp) {
    Bytes last;
    for (const auto& command : rsp::bpp::split_for_loading(bpp).value()) {
      last = Es9Fixture::es10(card, command);
      if (!last.empty()) break;  // the result: at the end, or early when the card refuses the profile
    }
    return last;
  }

  // The whole download up to the installation result the card signs.
  Bytes run(const std::optional<std::string>& matching_id, std::optional<std::string> confirmation_code = {}) {
    REQUIRE(initiate());
    auto authenticated_client = authenticate_client(authenticate_server(matching_id));
    if (!authenticated_client)
      FAIL(authenticated_client.error().subject_code + "/" + authenticated_client.error().reason_code + " " +
           authenticated_client.error().message);
    auto bpp = get_bound_profile_package(prepare_download(confirmation_code));
    if (!bpp) FAIL(bpp.error().subject_code + "/" + bpp.error().reason_code + " " + bpp.error().message);
    return load(bpp->bound_profile_package);
  }
};

inline void check_status(const FunctionStatus& s, const std::string& subject, const std::string& reason) {
  INFO(s.message);
  CHECK(s.status == FunctionStatus::Status::failed);
  CHECK(s.subject_code == subject);
  CHECK(s.reason_code == reason);
}
// The profile the downloads of test_es9plus.cpp and test_es9plus_asn1.cpp order.
inline constexpr const char* kIccid = "8949449999999990023";

// Whether the card lists `iccid` among its profiles (ES10c.GetProfilesInfo).
inline bool installed_on_card(Es9Fixture& f, const std::string& iccid) {
  Bytes list = f.es10(rsp::test::hex("BF2D00"));
  auto wanted = rsp::iccid::to_bytes(iccid).value();
  return std::search(list.begin(), list.end(), wanted.begin(), wanted.end()) != list.end();
}

template <class T>
void check_refused(const Es9Result<T>& r, const std::string& subject, const std::string& reason) {
  REQUIRE_FALSE(r);
  check_status(r.error(), subject, reason);
}

}  // namespace smdp::test
