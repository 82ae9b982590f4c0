// ES9+ at the SM-DP+, driven as an LPA would: a real software eUICC signs, the SM-DP+ checks, and
// each test breaks one thing and expects SGP.22's subject and reason codes.
#include "es9_fixture.hpp"
#include "rsp/eid.hpp"
#include "rsp/iccid.hpp"

using namespace smdp;
using namespace smdp::test;

namespace {

// Re-signs euiccSigned1 of an AuthenticateServerResponse with `key` and swaps in other certificates.
Bytes with_chain(const Bytes& response, const rsp::crypto::Certificate& euicc, const rsp::crypto::Certificate& eum,
                 const rsp::crypto::PrivateKey& key) {
  auto choice = rsp::tlv::read(rsp::tlv::read(response)->value).value();
  auto parts = rsp::tlv::read_all(choice.value).value();
  Bytes signed1(parts[0].whole.begin(), parts[0].whole.end());
  return encode(
      0xBF38,
      encode(0xA0, rsp::concat({signed1, encode(0x5F37, rsp::crypto::sign(key, signed1)), euicc.der(), eum.der()})));
}

}  // namespace

TEST_CASE("ES9+: a full download installs the profile and completes the order", "[es9]") {
  Es9Fixture f;
  f.add_profile(kIccid, "MATCH-1");
  Download d(f);
  Bytes result = d.run("MATCH-1");
  REQUIRE(rsp::tlv::read(result)->tag == 0xBF37);
  CHECK(f.profile(kIccid).state == ProfileState::downloaded);
  auto handled = f.es9->handle_notification(result);
  CHECK(handled.ok());
  auto p = f.profile(kIccid);
  CHECK(p.state == ProfileState::installed);
  CHECK(p.eid == f.card->eid());
  CHECK(installed_on_card(f, kIccid));
  // The package (Ki, OPc) is on the card: the SM-DP+ keeps no copy; the metadata stays.
  CHECK(p.package.empty());
  CHECK_FALSE(p.metadata.empty());
  auto notes = f.store->notifications(kIccid).value();
  REQUIRE(notes.size() == 1);
  CHECK(notes[0].event == "install");
  CHECK(notes[0].success);
  std::vector<NotificationPoint> points;
  for (auto& e : f.progress) points.push_back(e.point);
  CHECK(points == std::vector<NotificationPoint>{NotificationPoint::eligibility_and_retry_limit,
                                                 NotificationPoint::bpp_download, NotificationPoint::bpp_installation});
  // The matchingId is spent.
  Download again(f);
  REQUIRE(again.initiate());
  check_refused(again.authenticate_client(again.authenticate_server("MATCH-1")), "8.2.6", "3.8");
}

TEST_CASE("ES9+: a profile with its own protection keys travels under them (ReplaceSessionKeys)", "[es9]") {
  Es9Fixture f;
  // The keys come with the order (update_profile never writes them).
  ProfileRecord p = released_order(kIccid, "MATCH-PPK", f.clock + 86400);
  p.ppk_enc = Bytes(16, 0x0E);
  p.ppk_mac = Bytes(16, 0x0A);
  p.ppk_initial_mcv = Bytes(16, 0x0C);
  REQUIRE(f.store->add_profile(p));
  Download d(f);
  REQUIRE(d.initiate());
  REQUIRE(d.authenticate_client(d.authenticate_server("MATCH-PPK")));
  auto bpp = d.get_bound_profile_package(d.prepare_download());
  REQUIRE(bpp);
  auto package = rsp::tlv::read(bpp->bound_profile_package).value();
  CHECK(rsp::tlv::find(package.value, 0xA2));  // ReplaceSessionKeys is there
  CHECK(f.es9->handle_notification(d.load(bpp->bound_profile_package)).ok());
  auto installed = f.profile(kIccid);
  CHECK(installed.state == ProfileState::installed);
  CHECK(installed_on_card(f, kIccid));
  CHECK(installed.package.empty());
  CHECK(installed.ppk_enc.empty());
  CHECK(installed.ppk_mac.empty());
  CHECK(installed.ppk_initial_mcv.empty());
}

TEST_CASE("ES9+: brainpool credentials serve a brainpool eUICC", "[es9]") {
  Es9Fixture f(rsp::crypto::Curve::brainpool_p256r1);
  f.add_profile(kIccid, "MATCH-BP");
  Download d(f);
  Bytes result = d.run("MATCH-BP");
  CHECK(f.es9->handle_notification(result).ok());
  CHECK(f.profile(kIccid).state == ProfileState::installed);
}

TEST_CASE("ES9+ initiateAuthentication refusals", "[es9]") {
  Es9Fixture f;
  Download d(f);
  SECTION("another SM-DP+ address") { check_refused(d.initiate("other.example.org"), "8.8.1", "3.8"); }
  SECTION("an eUICC of SGP.22 v3") {
    Bytes info1 = Es9Fixture::es10(*f.card, rsp::test::hex("BF2000"));
    Bytes svn_tag{0x82, 0x03};
    auto svn = std::search(info1.begin(), info1.end(), svn_tag.begin(), svn_tag.end());
    REQUIRE(svn != info1.end());
    svn[2] = 3;
    check_refused(f.es9->initiate_authentication({Bytes(16, 1), info1, kAddress}), "8.8.3", "3.1");
  }
  SECTION("no CI in common") {
    Bytes unknown_ci = encode(0x04, Bytes(20, 0xAB));
    Bytes info1 =
        encode(0xBF20, rsp::concat({encode(0x82, Bytes{2, 5, 0}), encode(0xA9, unknown_ci), encode(0xAA, unknown_ci)}));
    check_refused(f.es9->initiate_authentication({Bytes(16, 1), info1, kAddress}), "8.8.2", "3.1");
  }
  SECTION("a CI the SM-DP+ trusts but holds no DPauth under") {
    auto other = rsp::crypto::PrivateKey::generate(rsp::crypto::Curve::nist_p256);
    rsp::pki::CertificateRequest ci_request;
    ci_request.role = rsp::crypto::Role::ci;
    ci_request.subject = {{"CN", "Other CI"}};
    auto ci = rsp::pki::issue(ci_request, other, nullptr, other).value();
    f.identity.cis.add(ci);
    Bytes ski = encode(0x04, *ci.subject_key_id());
    Bytes info1 = encode(0xBF20, rsp::concat({encode(0x82, Bytes{2, 5, 0}), encode(0xA9, ski), encode(0xAA, ski)}));
    check_refused(f.es9->initiate_authentication({Bytes(16, 1), info1, kAddress}), "8.8.4", "3.7");
  }
  SECTION("a malformed euiccInfo1") {
    auto r = f.es9->initiate_authentication({Bytes(16, 1), rsp::test::hex("BF2003820102"), kAddress});
    REQUIRE_FALSE(r);
    CHECK(r.error().status == FunctionStatus::Status::failed);
  }
}

TEST_CASE("ES9+ authenticateClient refusals", "[es9]") {
  Es9Fixture f;
  f.add_profile(kIccid, "MATCH-1");
  Download d(f);
  REQUIRE(d.initiate());
  Bytes response = d.authenticate_server("MATCH-1");

  SECTION("unknown transactionId") {
    check_refused(f.es9->authenticate_client({"00112233445566778899AABBCCDDEEFF", response}), "8.10.1", "3.9");
  }
  SECTION("expired session") {
    f.clock += 7200;
    check_refused(d.authenticate_client(response), "8.10.1", "3.9");
  }
  SECTION("euiccSignature1 altered") {
    Bytes bad = response;
    Bytes signature_tag{0x5F, 0x37, 0x40};
    auto sig = std::search(bad.begin(), bad.end(), signature_tag.begin(), signature_tag.end());
    REQUIRE(sig != bad.end());
    sig[10] ^= 0x01;
    check_refused(d.authenticate_client(bad), "8.1", "6.1");
  }
  SECTION("unknown matchingId") {
    Download other(f);
    REQUIRE(other.initiate());
    check_refused(other.authenticate_client(other.authenticate_server("NO-SUCH-ORDER")), "8.2.6", "3.8");
  }
  SECTION("order bound to another EID") {
    auto p = f.profile(kIccid);
    p.eid = "89049032123451234512345678901235";
    REQUIRE(f.store->update_profile(p).value());
    check_refused(d.authenticate_client(response), "8.1.1", "3.8");
    CHECK(f.progress.back().point == NotificationPoint::eligibility_and_retry_limit);
    CHECK_FALSE(f.progress.back().status.ok());
  }
  SECTION("order expired") {
    auto p = f.profile(kIccid);
    p.order_expires = f.clock - 1;
    REQUIRE(f.store->update_profile(p).value());
    check_refused(d.authenticate_client(response), "8.8.5", "4.10");
  }
  SECTION("profile not released") {
    auto p = f.profile(kIccid);
    p.state = ProfileState::confirmed;
    p.released = false;
    REQUIRE(f.store->update_profile(p).value());
    check_refused(d.authenticate_client(response), "8.2", "1.2");
  }
  SECTION("a second authenticateClient in one session") {
    REQUIRE(d.authenticate_client(response));
    check_refused(d.authenticate_client(response), "8.10.1", "3.9");
  }
}

TEST_CASE("ES9+ authenticateClient checks the eUICC's certificate chain", "[es9]") {
  using rsp::crypto::Role;
  Es9Fixture f;
  f.add_profile(kIccid, "MATCH-1");
  Download d(f);
  REQUIRE(d.initiate());
  Bytes response = d.authenticate_server("MATCH-1");
  auto curve = rsp::crypto::Curve::nist_p256;
  auto ci = rsp::pki::load_certificate(f.pki, curve, Role::ci).value();
  auto ci_key = rsp::pki::load_key(f.pki, curve, Role::ci).value();
  auto eum = rsp::pki::load_certificate(f.pki, curve, Role::eum).value();
  auto eum_key = rsp::pki::load_key(f.pki, curve, Role::eum).value();
  auto euicc_key = rsp::pki::load_key(f.pki, curve, Role::euicc).value();
  auto issue_euicc = [&](const std::string& eid, time_t not_after, const rsp::crypto::Certificate& issuer,
                         const rsp::crypto::PrivateKey& issuer_key) {
    rsp::pki::CertificateRequest r;
    r.role = Role::euicc;
    r.subject = {{"O", *eum.subject_organization()}, {"serialNumber", eid}, {"CN", "Test eUICC"}};
    r.not_before = time(nullptr) - 86400 * 2;
    r.not_after = not_after;
    return rsp::pki::issue(r, euicc_key, &issuer, issuer_key).value();
  };

  SECTION("the chain as the card sends it passes") {
    CHECK(d.authenticate_client(with_chain(response, issue_euicc(f.card->eid(), 0, eum, eum_key), eum, euicc_key)));
  }
  SECTION("eUICC certificate expired") {
    auto euicc = issue_euicc(f.card->eid(), time(nullptr) - 86400, eum, eum_key);
    check_refused(d.authenticate_client(with_chain(response, euicc, eum, euicc_key)), "8.1.3", "6.3");
  }
  SECTION("EID outside the EUM's range") {
    auto euicc = issue_euicc("89044000000000000000000000000012", 0, eum, eum_key);
    check_refused(d.authenticate_client(with_chain(response, euicc, eum, euicc_key)), "8.1.3", "6.1");
  }
  SECTION("eUICC certificate not signed by the EUM") {
    auto euicc = issue_euicc(f.card->eid(), 0, eum, euicc_key);
    check_refused(d.authenticate_client(with_chain(response, euicc, eum, euicc_key)), "8.1.3", "6.1");
  }
  SECTION("EUM certificate expired") {
    rsp::pki::CertificateRequest r;
    r.role = Role::eum;
    r.subject = {{"O", *eum.subject_organization()}, {"CN", "Expired EUM"}};
    r.not_before = time(nullptr) - 86400 * 10;
    r.not_after = time(nullptr) - 86400;
    r.eid_range = eum.permitted_eid_range();
    auto expired = rsp::pki::issue(r, eum_key, &ci, ci_key).value();
    auto euicc = issue_euicc(f.card->eid(), 0, expired, eum_key);
    check_refused(d.authenticate_client(with_chain(response, euicc, expired, euicc_key)), "8.1.2", "6.3");
  }
  SECTION("EUM certificate under a CI the SM-DP+ does not know") {
    auto other_key = rsp::crypto::PrivateKey::generate(curve);
    rsp::pki::CertificateRequest r;
    r.role = Role::ci;
    r.subject = {{"CN", "Unknown CI"}};
    auto other_ci = rsp::pki::issue(r, other_key, nullptr, other_key).value();
    rsp::pki::CertificateRequest e;
    e.role = Role::eum;
    e.subject = {{"O", *eum.subject_organization()}, {"CN", "EUM"}};
    e.eid_range = eum.permitted_eid_range();
    auto foreign_eum = rsp::pki::issue(e, eum_key, &other_ci, other_key).value();
    auto euicc = issue_euicc(f.card->eid(), 0, foreign_eum, eum_key);
    check_refused(d.authenticate_client(with_chain(response, euicc, foreign_eum, euicc_key)), "8.11.1", "3.9");
  }
  SECTION("EUM certificate under a CI the SM-DP+ knows but the session did not choose") {
    // Its authorityKeyIdentifier names a known CI: still an invalid EUM certificate for this session.
    auto other_key = rsp::crypto::PrivateKey::generate(curve);
    rsp::pki::CertificateRequest r;
    r.role = Role::ci;
    r.subject = {{"CN", "Second known CI"}};
    auto other_ci = rsp::pki::issue(r, other_key, nullptr, other_key).value();
    f.identity.cis.add(other_ci);
    rsp::pki::CertificateRequest e;
    e.role = Role::eum;
    e.subject = {{"O", *eum.subject_organization()}, {"CN", "EUM"}};
    e.eid_range = eum.permitted_eid_range();
    auto other_eum = rsp::pki::issue(e, eum_key, &other_ci, other_key).value();
    auto euicc = issue_euicc(f.card->eid(), 0, other_eum, eum_key);
    check_refused(d.authenticate_client(with_chain(response, euicc, other_eum, euicc_key)), "8.1.2", "6.1");
    CHECK(f.profile(kIccid).state == ProfileState::released);
  }
}

TEST_CASE("ES9+ getBoundProfilePackage: signature, confirmation code, retries", "[es9]") {
  Es9Fixture f;
  SECTION("euiccSignature2 altered") {
    f.add_profile(kIccid, "MATCH-1");
    Download d(f);
    REQUIRE(d.initiate());
    REQUIRE(d.authenticate_client(d.authenticate_server("MATCH-1")));
    Bytes bad = d.prepare_download();
    bad[bad.size() - 5] ^= 0x01;
    check_refused(d.get_bound_profile_package(bad), "8.1", "6.1");
    CHECK(f.profile(kIccid).state == ProfileState::released);
  }
  SECTION("the confirmation code: wrong, then right in a new session") {
    f.add_profile(kIccid, "MATCH-CC", {}, "12345678");
    Download d(f);
    REQUIRE(d.initiate());
    REQUIRE(d.authenticate_client(d.authenticate_server("MATCH-CC")));
    check_refused(d.get_bound_profile_package(d.prepare_download("00000000")), "8.2.7", "3.8");
    CHECK(f.profile(kIccid).confirmation_attempts_left == 2);
    CHECK(f.progress.back().point == NotificationPoint::confirmation_failure);
    // The card takes one PrepareDownload per session: the LPA retries with a new session.
    Download retry(f);
    Bytes result = retry.run("MATCH-CC", "12345678");
    CHECK(f.es9->handle_notification(result).ok());
    CHECK(f.profile(kIccid).state == ProfileState::installed);
  }
  SECTION("no hashCc although the order needs one") {
    f.add_profile(kIccid, "MATCH-CC", {}, "12345678");
    Download d(f);
    REQUIRE(d.initiate());
    REQUIRE(d.authenticate_client(d.authenticate_server("MATCH-CC")));
    // The card refuses PrepareDownload without hashCc when ccRequiredFlag is set, so this
    // euiccSigned2 is signed here with the card's key, as a careless eUICC would.
    auto key = rsp::pki::load_key(f.pki, rsp::crypto::Curve::nist_p256, rsp::crypto::Role::euicc).value();
    Bytes signed2 = encode(
        0x30, rsp::concat({encode(0x80, rsp::from_hex(d.initiated.transaction_id).value()),
                           encode(0x5F49, rsp::crypto::PrivateKey::generate(rsp::crypto::Curve::nist_p256).point())}));
    Bytes signature = rsp::crypto::sign(key, rsp::concat({signed2, d.authenticated.smdp_signature2}));
    Bytes response = encode(0xBF21, encode(0xA0, rsp::concat({signed2, encode(0x5F37, signature)})));
    check_refused(d.get_bound_profile_package(response), "8.2.7", "2.2");
  }
  SECTION("confirmation code attempts run out: the order fails") {
    f.add_profile(kIccid, "MATCH-CC", {}, "12345678");
    for (const char* code : {"1", "2"}) {
      Download d(f);
      REQUIRE(d.initiate());
      REQUIRE(d.authenticate_client(d.authenticate_server("MATCH-CC")));
      check_refused(d.get_bound_profile_package(d.prepare_download(code)), "8.2.7", "3.8");
    }
    Download last(f);
    REQUIRE(last.initiate());
    REQUIRE(last.authenticate_client(last.authenticate_server("MATCH-CC")));
    check_refused(last.get_bound_profile_package(last.prepare_download("3")), "8.2.7", "6.4");
    CHECK(f.profile(kIccid).state == ProfileState::error);
    Download after(f);
    REQUIRE(after.initiate());
    check_refused(after.authenticate_client(after.authenticate_server("MATCH-CC")), "8.8.5", "6.4");
  }
  SECTION("the same otPK again gets the same package; a new session a new binding that installs") {
    f.add_profile(kIccid, "MATCH-1");
    Download d(f);
    REQUIRE(d.initiate());
    REQUIRE(d.authenticate_client(d.authenticate_server("MATCH-1")));
    Bytes prepared = d.prepare_download();
    auto first = d.get_bound_profile_package(prepared);
    auto again = d.get_bound_profile_package(prepared);
    REQUIRE(first);
    REQUIRE(again);
    CHECK(first->bound_profile_package == again->bound_profile_package);
    // The device starts over (it lost the package, or restarted): a new session, a new otPK, a
    // new binding; the first session's package is no longer handed out.
    Download restart(f);
    Bytes result = restart.run("MATCH-1");
    check_refused(d.get_bound_profile_package(prepared), "8.2", "3.7");
    CHECK(f.es9->handle_notification(result).ok());
    CHECK(f.profile(kIccid).state == ProfileState::installed);
  }
}

TEST_CASE("ES9+: one order never goes to two eUICCs", "[es9]") {
  using rsp::crypto::Role;
  Es9Fixture f;
  f.add_profile(kIccid, "SHARED");
  // A second eUICC under the same EUM, with another EID.
  auto curve = rsp::crypto::Curve::nist_p256;
  std::filesystem::path pki2 = f.dir.path() / "pki2";
  std::filesystem::copy(f.pki, pki2, std::filesystem::copy_options::recursive);
  auto eum = rsp::pki::load_certificate(f.pki, curve, Role::eum).value();
  auto eum_key = rsp::pki::load_key(f.pki, curve, Role::eum).value();
  auto key = rsp::crypto::PrivateKey::generate(curve);
  rsp::pki::CertificateRequest r;
  r.role = Role::euicc;
  r.subject = {{"O", *eum.subject_organization()},
               {"serialNumber", rsp::eid::complete("890490320000000000000000000000").value()},
               {"CN", "Second"}};
  r.not_before = time(nullptr) - 86400;
  auto cert = rsp::pki::issue(r, key, &eum, eum_key).value();
  REQUIRE(rsp::pki::store(pki2, curve, Role::euicc, cert, &key));
  auto card2 = f.open_card("card2", pki2);
  REQUIRE(card2->eid() != f.card->eid());

  Download first(f), second(f, *card2);
  REQUIRE(first.initiate());
  REQUIRE(second.initiate());
  REQUIRE(first.authenticate_client(first.authenticate_server("SHARED")));
  check_refused(second.authenticate_client(second.authenticate_server("SHARED")), "8.1.1", "3.8");
  auto bpp = first.get_bound_profile_package(first.prepare_download());
  REQUIRE(bpp);
  CHECK(f.es9->handle_notification(first.load(bpp->bound_profile_package)).ok());
  CHECK(f.profile(kIccid).eid == f.card->eid());
}

TEST_CASE("ES9+ handleNotification verifies the installation result", "[es9]") {
  Es9Fixture f;
  f.add_profile(kIccid, "MATCH-1");
  Download d(f);
  Bytes result = d.run("MATCH-1");
  Bytes forged = result;
  forged[forged.size() - 3] ^= 0x01;  // inside euiccSignPIR
  check_status(f.es9->handle_notification(forged), "8.1", "6.1");
  CHECK(f.profile(kIccid).state == ProfileState::downloaded);
  CHECK(f.es9->handle_notification(result).ok());
  CHECK(f.profile(kIccid).state == ProfileState::installed);
}

TEST_CASE("ES9+ cancelSession: postponed keeps the order, end-user rejection ends it", "[es9]") {
  Es9Fixture f;
  f.add_profile(kIccid, "MATCH-1");
  Download d(f);
  REQUIRE(d.initiate());
  REQUIRE(d.authenticate_client(d.authenticate_server("MATCH-1")));
  Bytes tid = rsp::from_hex(d.initiated.transaction_id).value();
  auto cancel = [&](uint8_t reason) {
    Bytes response =
        Es9Fixture::es10(*f.card, encode(0xBF41, rsp::concat({encode(0x80, tid), encode(0x81, Bytes{reason})})));
    return f.es9->cancel_session({d.initiated.transaction_id, response});
  };
  SECTION("postponed") {
    CHECK(cancel(1).ok());
    auto p = f.profile(kIccid);
    CHECK(p.state == ProfileState::released);
    CHECK_FALSE(p.transaction_id);
    check_refused(d.get_bound_profile_package(d.prepare_download()), "8.10.1", "3.9");  // the session is closed
    Download retry(f);
    Bytes result = retry.run("MATCH-1");
    CHECK(f.es9->handle_notification(result).ok());
    CHECK(f.profile(kIccid).state == ProfileState::installed);
  }
  SECTION("signed for another SM-DP+, or not by the eUICC") {
    // euiccCancelSessionSigned with another smdpOid, signed with the card's own key.
    auto key = rsp::pki::load_key(f.pki, rsp::crypto::Curve::nist_p256, rsp::crypto::Role::euicc).value();
    auto sign = [&](const rsp::crypto::PrivateKey& with, const Bytes& oid) {
      Bytes signed_part = encode(0x30, rsp::concat({encode(0x80, tid), encode(0x81, oid), encode(0x82, Bytes{1})}));
      return encode(0xBF41,
                    encode(0xA0, rsp::concat({signed_part, encode(0x5F37, rsp::crypto::sign(with, signed_part))})));
    };
    Bytes other_oid = rsp::test::hex("8837 01 02");  // 2.999.1.2
    check_status(f.es9->cancel_session({d.initiated.transaction_id, sign(key, other_oid)}), "8.8", "3.10");
    auto stranger = rsp::crypto::PrivateKey::generate(rsp::crypto::Curve::nist_p256);
    auto ours = f.identity.credentials[0].dp_auth.registered_id_der().value();
    check_status(f.es9->cancel_session({d.initiated.transaction_id, sign(stranger, ours)}), "8.1", "6.1");
    CHECK(f.profile(kIccid).state == ProfileState::released);
    CHECK(f.profile(kIccid).transaction_id == d.initiated.transaction_id);  // still held by the session
    CHECK(cancel(1).ok());                                                  // the genuine one still works
  }
  SECTION("end user rejection") {
    CHECK(cancel(0).ok());
    CHECK(f.profile(kIccid).state == ProfileState::error);
    CHECK_FALSE(f.progress.back().status.ok());
  }
}

TEST_CASE("ES9+ handleNotification records a signed delete notification and tells the operator", "[es9]") {
  Es9Fixture f;
  f.add_profile(kIccid, "MATCH-1");
  Download d(f);
  CHECK(f.es9->handle_notification(d.run("MATCH-1")).ok());
  Bytes deleted = f.es10(encode(0xBF33, encode(0x5A, rsp::iccid::to_bytes(kIccid).value())));
  REQUIRE(deleted == rsp::test::hex("BF33 03 80 01 00"));
  Bytes list = f.es10(rsp::test::hex("BF2B00"));
  auto notifications = rsp::tlv::read_all(rsp::tlv::find(rsp::tlv::read(list)->value, 0xA0)->value).value();
  std::optional<Bytes> other;
  for (const auto& n : notifications)
    if (n.tag == 0x30) other = Bytes(n.whole.begin(), n.whole.end());
  REQUIRE(other);
  Bytes forged = *other;
  forged[20] ^= 0x01;  // inside tbsOtherNotification: the signature no longer covers it
  CHECK_FALSE(f.es9->handle_notification(forged).ok());
  CHECK(f.es9->handle_notification(*other).ok());
  auto recorded = f.store->notifications(kIccid).value();
  REQUIRE(recorded.size() == 2);
  CHECK(recorded[1].event == "delete");
  CHECK(recorded[1].eid == f.card->eid());
  CHECK(f.progress.back().point == NotificationPoint::profile_deleted);
  // The same notification again (the device retries) is acknowledged and not recorded twice.
  CHECK(f.es9->handle_notification(*other).ok());
  CHECK(f.store->notifications(kIccid).value().size() == 2);
}

TEST_CASE("ES9+: one SM-DP+ under two CIs picks DPauth/DPpb by the eUICC's CI lists", "[es9]") {
  using rsp::crypto::Curve;
  Es9Fixture f;  // NIST credentials
  rsp::pki::MakeOptions brainpool;
  brainpool.curve = Curve::brainpool_p256r1;
  std::filesystem::path both = f.dir.path() / "both";
  std::filesystem::copy(f.pki, both, std::filesystem::copy_options::recursive);
  REQUIRE(rsp::pki::make(both / "bp", brainpool));
  std::filesystem::rename(both / "bp" / "brainpool", both / "brainpool");
  f.identity = load_dp_identity(both).value();
  REQUIRE(f.identity.credentials.size() == 2);

  std::filesystem::path brainpool_only = f.dir.path() / "brainpool-only";
  std::filesystem::create_directories(brainpool_only);
  std::filesystem::copy(both / "brainpool", brainpool_only / "brainpool", std::filesystem::copy_options::recursive);
  auto brainpool_card = f.open_card("card-bp", brainpool_only);

  f.add_profile(kIccid, "FOR-NIST");
  f.add_profile("8949449999999990072", "FOR-BRAINPOOL");
  Download nist(f), bp(f, *brainpool_card);
  CHECK(f.es9->handle_notification(nist.run("FOR-NIST")).ok());
  CHECK(f.es9->handle_notification(bp.run("FOR-BRAINPOOL")).ok());
  auto ski = [&](Curve c) { return encode(0x04, f.identity.credentials[c == Curve::nist_p256 ? 0 : 1].ci_ski); };
  CHECK(f.identity.credentials[0].dp_auth_key.curve() == Curve::nist_p256);
  CHECK(nist.initiated.euicc_ci_pkid_to_be_used == ski(Curve::nist_p256));
  CHECK(bp.initiated.euicc_ci_pkid_to_be_used == ski(Curve::brainpool_p256r1));
  CHECK(f.profile(kIccid).state == ProfileState::installed);
  CHECK(f.profile("8949449999999990072").state == ProfileState::installed);
}
