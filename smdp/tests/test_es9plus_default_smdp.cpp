// ES9+ authenticateClient without an activation code (SGP.22 v2.5 §5.6.2): the order bound to the
// eUICC's EID serves a ctxParams1 with no matchingId or an empty one (the default SM-DP+, or an LPA
// that found the SM-DP+ through an SM-DS and dropped the event id); the profile's policy rules
// against what the eUICC forbids; each CI of the session from its own list of EUICCInfo1.
// (An EUM that does not chain to the session's CI: test_es9plus.cpp, with the other chain cases.)
#include "es9_fixture.hpp"
#include "rsp/common_mutual_authentication.hpp"

using namespace smdp;
using namespace smdp::test;

namespace {

constexpr const char* kDefaultSmdpIccid = "8949449999999990031";
constexpr const char* kOtherEid = "89049032123451234512345678901235";

// A released order bound to `eid` with no matchingId, as ConfirmOrder with an empty one leaves it.
ProfileRecord add_default_order(Es9Fixture& f, const std::string& iccid, const std::string& eid) {
  ProfileRecord p = released_order(iccid, "unused", f.clock + 86400);
  p.matching_id.reset();
  p.eid = eid;
  REQUIRE(f.store->add_profile(p));
  return p;
}

// euiccSigned1 of `response` with forbiddenProfilePolicyRules (PprIds `bits`) in its EUICCInfo2,
// re-signed with the card's key.
Bytes forbidding(const Bytes& response, uint8_t bits, const rsp::crypto::PrivateKey& key) {
  auto choice = rsp::tlv::read(rsp::tlv::read(response)->value).value();
  auto parts = rsp::tlv::read_all(choice.value).value();
  Bytes signed1;
  for (const auto& member : rsp::tlv::read_all(parts[0].value).value()) {
    if (member.tag != 0xBF22) {
      signed1.insert(signed1.end(), member.whole.begin(), member.whole.end());
      continue;
    }
    Bytes info2;
    for (const auto& field : rsp::tlv::read_all(member.value).value()) {
      if (field.tag == 0x04) info2 = rsp::concat({info2, encode(0x99, Bytes{0x05, bits})});  // before ppVersion
      info2.insert(info2.end(), field.whole.begin(), field.whole.end());
    }
    signed1 = rsp::concat({signed1, encode(0xBF22, info2)});
  }
  signed1 = encode(0x30, signed1);
  return encode(0xBF38, encode(0xA0, rsp::concat({signed1, encode(0x5F37, rsp::crypto::sign(key, signed1)),
                                                  Bytes(parts[2].whole.begin(), parts[2].whole.end()),
                                                  Bytes(parts[3].whole.begin(), parts[3].whole.end())})));
}

}  // namespace

TEST_CASE("ES9+ default SM-DP+: no matchingId, the order bound to the EID", "[es9]") {
  Es9Fixture f;
  const std::string eid = f.card->eid();

  SECTION("ctxParams1 without a matchingId downloads the EID's order and installs it") {
    add_default_order(f, kDefaultSmdpIccid, eid);
    Download d(f);
    CHECK(f.es9->handle_notification(d.run(std::nullopt)).ok());
    CHECK(f.profile(kDefaultSmdpIccid).state == ProfileState::installed);
    CHECK(f.profile(kDefaultSmdpIccid).eid == eid);
  }
  SECTION("an empty matchingId is the same") {
    add_default_order(f, kDefaultSmdpIccid, eid);
    Download d(f);
    CHECK(f.es9->handle_notification(d.run(std::string())).ok());
    CHECK(f.profile(kDefaultSmdpIccid).state == ProfileState::installed);
  }
  SECTION("an order with a matchingId (an SM-DS event) is found by the EID too") {
    f.add_profile(kDefaultSmdpIccid, "EVENT-1", eid);
    Download d(f);
    CHECK(f.es9->handle_notification(d.run(std::nullopt)).ok());
    CHECK(f.profile(kDefaultSmdpIccid).state == ProfileState::installed);
  }
  SECTION("nothing ordered for this EID: 8.1.1/3.8, other orders untouched") {
    add_default_order(f, kDefaultSmdpIccid, kOtherEid);
    f.add_profile("8949449999999990049", "MATCH-OTHER");
    Download d(f);
    REQUIRE(d.initiate());
    check_refused(d.authenticate_client(d.authenticate_server(std::nullopt)), "8.1.1", "3.8");
    CHECK(f.profile(kDefaultSmdpIccid).state == ProfileState::released);
    CHECK(f.profile(kDefaultSmdpIccid).eid == kOtherEid);
    CHECK(f.profile("8949449999999990049").state == ProfileState::released);
    CHECK_FALSE(f.profile("8949449999999990049").eid);
  }
  SECTION("the EID's order not released yet: 8.2/1.2; expired: 8.8.5/4.10") {
    auto p = add_default_order(f, kDefaultSmdpIccid, eid);
    p = f.profile(kDefaultSmdpIccid);
    p.state = ProfileState::confirmed;
    p.released = false;
    REQUIRE(f.store->update_profile(p).value());
    Download d(f);
    REQUIRE(d.initiate());
    Bytes response = d.authenticate_server(std::nullopt);
    check_refused(d.authenticate_client(response), "8.2", "1.2");
    p = f.profile(kDefaultSmdpIccid);
    p.state = ProfileState::released;
    p.released = true;
    p.order_expires = f.clock - 1;
    REQUIRE(f.store->update_profile(p).value());
    // A new session: the refused one's transactionId is spent (authenticateClient stored it).
    check_refused(d.authenticate_client(response), "8.10.1", "3.9");
    Download again(f);
    REQUIRE(again.initiate());
    check_refused(again.authenticate_client(again.authenticate_server(std::nullopt)), "8.8.5", "4.10");
  }
  SECTION("of two orders the downloadable one is served") {
    auto waiting = add_default_order(f, "8949449999999990049", eid);
    waiting = f.profile("8949449999999990049");
    waiting.state = ProfileState::confirmed;
    waiting.released = false;
    waiting.order_expires = f.clock + 10;  // expires first: listed first
    REQUIRE(f.store->update_profile(waiting).value());
    add_default_order(f, kDefaultSmdpIccid, eid);
    Download d(f);
    CHECK(f.es9->handle_notification(d.run(std::nullopt)).ok());
    CHECK(f.profile(kDefaultSmdpIccid).state == ProfileState::installed);
    CHECK(f.profile("8949449999999990049").state == ProfileState::confirmed);
  }
  SECTION("a matchingId still has to match the order and the EID") {
    f.add_profile(kDefaultSmdpIccid, "FOR-OTHER", std::string(kOtherEid));
    Download d(f);
    REQUIRE(d.initiate());
    check_refused(d.authenticate_client(d.authenticate_server("FOR-OTHER")), "8.1.1", "3.8");
  }
}

TEST_CASE("ES9+ profile policy rules the eUICC forbids: 8.2.5/4.3", "[es9]") {
  Es9Fixture f;
  auto key = rsp::pki::load_key(f.pki, rsp::crypto::Curve::nist_p256, rsp::crypto::Role::euicc).value();
  rsp::ProfileSpec spec = test_profile_spec(kDefaultSmdpIccid);
  spec.ppr1_no_disable = true;
  ProfileRecord p = released_order(kDefaultSmdpIccid, "PPR-1", f.clock + 86400);
  p.metadata = rsp::make_store_metadata(spec).value();
  p.package = rsp::make_profile_package(spec).value();
  REQUIRE(f.store->add_profile(p));
  Download d(f);
  REQUIRE(d.initiate());
  Bytes response = d.authenticate_server("PPR-1");

  SECTION("ppr1 forbidden: refused, the order stays for another eUICC") {
    check_refused(d.authenticate_client(forbidding(response, 0x40, key)), "8.2.5", "4.3");
    CHECK(f.profile(kDefaultSmdpIccid).state == ProfileState::released);
    CHECK_FALSE(f.profile(kDefaultSmdpIccid).eid);
    CHECK(f.progress.back().status.subject_code == "8.2.5");
  }
  SECTION("only ppr2 forbidden: the ppr1 profile is served") {
    CHECK(d.authenticate_client(forbidding(response, 0x20, key)));
  }
}

TEST_CASE("Common mutual authentication: each CI of the session from its own list", "[es9]") {
  using rsp::authentication::choose_cis;
  using rsp::authentication::CiChoiceFailure;
  const Bytes a(20, 0xA1), b(20, 0xB2), c(20, 0xC3);
  auto info1 = [](const std::vector<Bytes>& verification, const std::vector<Bytes>& signing) {
    Bytes v, s;
    for (const auto& ski : verification) v = rsp::concat({v, encode(0x04, ski)});
    for (const auto& ski : signing) s = rsp::concat({s, encode(0x04, ski)});
    return encode(0xBF20, rsp::concat({encode(0x82, Bytes{2, 5, 0}), encode(0xA9, v), encode(0xAA, s)}));
  };
  auto in = [](std::vector<Bytes> set) {
    return [set](ByteView ski) {
      return std::ranges::find_if(set, [&](const Bytes& x) { return std::ranges::equal(x, ski); }) != set.end();
    };
  };

  SECTION("different CIs: DPauth under the verification list's, the eUICC under the signing list's") {
    auto choice = choose_cis(info1({a}, {b}), in({a}), in({a, b}));
    REQUIRE(choice);
    CHECK(choice->server_ci == a);
    CHECK(choice->euicc_ci == b);
  }
  SECTION("a CI in both lists is preferred") {
    auto choice = choose_cis(info1({a, b}, {c, b}), in({a, b}), in({a, b, c}));
    REQUIRE(choice);
    CHECK(choice->server_ci == b);
    CHECK(choice->euicc_ci == b);
  }
  SECTION("no CI of the signing list known") {
    CHECK(choose_cis(info1({a}, {c}), in({a}), in({a})).error().kind == CiChoiceFailure::no_supported_ci);
  }
  SECTION("no CI known at all") {
    CHECK(choose_cis(info1({c}, {c}), in({a}), in({a})).error().kind == CiChoiceFailure::no_supported_ci);
  }
  SECTION("a known verification CI without credentials") {
    CHECK(choose_cis(info1({b}, {b}), in({a}), in({a, b})).error().kind == CiChoiceFailure::no_credentials_for_ci);
  }
  SECTION("not a v2 eUICC, or not DER") {
    Bytes v3 = encode(0xBF20, rsp::concat({encode(0x82, Bytes{3, 0, 0}), encode(0xA9, encode(0x04, a)),
                                           encode(0xAA, encode(0x04, a))}));
    CHECK(choose_cis(v3, in({a}), in({a})).error().kind == CiChoiceFailure::svn_not_supported);
    CHECK(choose_cis(rsp::test::hex("BF2003820102"), in({a}), in({a})).error().kind == CiChoiceFailure::malformed);
  }
}

TEST_CASE("ES9+: DPauth under one CI, the eUICC under another: a whole download", "[es9]") {
  // The card signs under its own CI (A) and also trusts CI B for verification; the SM-DP+ holds
  // DPauth/DPpb under B only and verifies eUICCs under A. No CI is in both of the card's lists.
  using rsp::crypto::Role;
  Es9Fixture f;
  std::filesystem::path pki_b = f.dir.path() / "pki-b";
  REQUIRE(rsp::pki::make(pki_b, rsp::pki::MakeOptions{}));
  auto curve = rsp::crypto::Curve::nist_p256;
  auto ci_a = rsp::pki::load_certificate(f.pki, curve, Role::ci).value();
  auto ci_b = rsp::pki::load_certificate(pki_b, curve, Role::ci).value();
  f.card.reset();
  std::filesystem::create_directories(f.dir.path() / "card" / "trusted-cis");
  std::filesystem::copy_file(rsp::pki::certificate_path(pki_b, curve, Role::ci),
                             f.dir.path() / "card" / "trusted-cis" / "ci-b.der");
  f.card = f.open_card("card", f.pki);
  f.identity = load_dp_identity(pki_b).value();
  f.identity.cis.add(ci_a);

  f.add_profile(kDefaultSmdpIccid, "TWO-CIS");
  Download d(f);
  Bytes result = d.run("TWO-CIS");
  CHECK(d.initiated.euicc_ci_pkid_to_be_used == encode(0x04, *ci_a.subject_key_id()));
  auto dp_auth = rsp::crypto::Certificate::from_der(d.initiated.server_certificate).value();
  CHECK(dp_auth.authority_key_id() == ci_b.subject_key_id());
  CHECK(f.es9->handle_notification(result).ok());
  CHECK(f.profile(kDefaultSmdpIccid).state == ProfileState::installed);
}

TEST_CASE("ES9+ without a matchingId, an LPA that sends its results late (lpac's way)", "[es9]") {
  Es9Fixture f;
  const std::string eid = f.card->eid();
  // An SM-DS order (its event id as matchingId) and, later, a default SM-DP+ order for one device.
  f.add_profile(kDefaultSmdpIccid, "EVENT-1", eid);
  Download first(f);
  Bytes installed = first.run(std::nullopt);  // found by EID; installed on the card, result not sent
  CHECK(f.profile(kDefaultSmdpIccid).state == ProfileState::downloaded);

  SECTION("a released order is served before a downloaded one of the same EID") {
    add_default_order(f, "8949449999999990049", eid);
    Download second(f);
    CHECK(f.es9->handle_notification(second.run(std::nullopt)).ok());
    CHECK(f.profile("8949449999999990049").state == ProfileState::installed);
    CHECK(f.es9->handle_notification(installed).ok());
    CHECK(f.profile(kDefaultSmdpIccid).state == ProfileState::installed);
  }
  SECTION("the first session's success completes the order after a retry failed on the card") {
    Download retry(f);
    Bytes failed = retry.run(std::nullopt);  // the same order again: the card has that ICCID already
    CHECK_FALSE(f.es9->handle_notification(failed).ok());
    CHECK(f.profile(kDefaultSmdpIccid).state == ProfileState::downloaded);
    CHECK(f.es9->handle_notification(installed).ok());
    CHECK(f.profile(kDefaultSmdpIccid).state == ProfileState::installed);
    CHECK(f.profile(kDefaultSmdpIccid).transaction_id == first.initiated.transaction_id);
  }
  SECTION("the late success first, then the retry's failure: installed stays") {
    Download retry(f);
    Bytes failed = retry.run(std::nullopt);
    CHECK(f.es9->handle_notification(installed).ok());
    CHECK(f.profile(kDefaultSmdpIccid).state == ProfileState::installed);
    CHECK_FALSE(f.es9->handle_notification(failed).ok());
    CHECK(f.profile(kDefaultSmdpIccid).state == ProfileState::installed);
    CHECK(f.progress.back().point == NotificationPoint::bpp_installation);
    CHECK(f.progress.back().status.ok());
  }
}
