// ES10b profile download on the card, in-process through its APDU layer: the SM-DP+ side is built
// from the crypto core.
#include <ProfileInstallationResult.h>

#include <algorithm>
#include <map>

#include "download_fixture.hpp"
#include "profile_package_builder.hpp"
#include "rsp/asn1/codec.hpp"
#include "rsp/crypto/certificate_chain.hpp"
#include "rsp/crypto/sealing.hpp"
#include "rsp/files.hpp"
#include "rsp/profile_maker.hpp"

using namespace euicc;
using namespace euicc::test;
using rsp::tlv::find;

namespace {

const std::string kIccid = "8944000000000000011";

struct Download {
  Download(CardFixture& fixture, TestSmdp& server) : f(fixture), smdp(server) {}
  CardFixture& f;
  TestSmdp& smdp;
  Bytes euicc_signature1_tlv, euicc_otpk, authenticate_response, prepare_response;

  Bytes challenge() {
    Bytes r = f.call(encode(0xBF2E, Bytes{}));
    auto c = find(rsp::tlv::read(r)->value, 0x80).value();
    return Bytes(c.value.begin(), c.value.end());
  }
  void authenticate() {
    authenticate_response = f.call(smdp.authenticate_server(challenge()));
    auto ok = f.child(authenticate_response, 0xA0);
    euicc_signature1_tlv.assign(find(ok.value, 0x5F37)->whole.begin(), find(ok.value, 0x5F37)->whole.end());
  }
  void prepare() {
    prepare_response = f.call(smdp.prepare_download(euicc_signature1_tlv));
    auto ok = f.child(prepare_response, 0xA0);
    auto signed2 = find(ok.value, 0x30).value();
    auto otpk = find(signed2.value, 0x5F49).value();
    euicc_otpk.assign(otpk.value.begin(), otpk.value.end());
  }
  // Feeds the package command by command; returns the last response (the ProfileInstallationResult).
  Bytes load(const Bytes& bpp) {
    Bytes last;
    for (const auto& command : rsp::bpp::split_for_loading(bpp).value()) {
      last = f.call(command);
      if (!last.empty()) break;
    }
    return last;
  }
};

// finalResult of a ProfileInstallationResult: {A0 success} or {A1 {80 bppCommandId, 81 errorReason}}.
std::pair<int, int> failure_of(const Bytes& pir) {
  auto data = find(rsp::tlv::read(pir)->value, 0xBF27).value();
  auto final_result = find(data.value, 0xA2).value();
  auto error = find(final_result.value, 0xA1);
  if (!error) return {-1, -1};
  return {find(error->value, 0x80)->value[0], find(error->value, 0x81)->value[0]};
}

// A whole download of `upp` as kIccid, from AuthenticateServer on; the ProfileInstallationResult.
Bytes download(CardFixture& f, const Bytes& upp) {
  TestSmdp smdp(f.pki, crypto::Curve::nist_p256);
  Download d{f, smdp};
  d.authenticate();
  d.prepare();
  return d.load(
      smdp.bound_profile_package(d.euicc_otpk, f.card->eid_bytes, store_metadata(kIccid, "T", "n.example.org"), upp));
}

int error_code(const Bytes& response) {  // BF38 / BF21 { A1 { 80 tid, 02 code } }
  auto error = find(rsp::tlv::read(response)->value, 0xA1).value();
  return find(error.value, 0x02)->value[0];
}

}  // namespace

TEST_CASE("a profile downloads into the card and is installed whole, on both curves") {
  for (auto curve : {crypto::Curve::nist_p256, crypto::Curve::brainpool_p256r1}) {
    INFO(crypto::short_name(curve));
    CardFixture f(curve);
    TestSmdp smdp(f.pki, curve);
    Download d{f, smdp};
    d.authenticate();

    // euiccSigned1 names our transaction and server challenge, and verifies with the eUICC's key
    // through CI -> EUM -> eUICC.
    auto ok = f.child(d.authenticate_response, 0xA0);
    auto parts = rsp::tlv::read_all(ok.value).value();
    REQUIRE(parts.size() == 4);
    auto euicc_cert = crypto::Certificate::from_der(parts[2].whole).value();
    auto eum_cert = crypto::Certificate::from_der(parts[3].whole).value();
    crypto::TrustedCis cis;
    cis.add(rsp::pki::load_certificate(f.pki, curve, crypto::Role::ci).value());
    CHECK(crypto::verify_chain(euicc_cert, crypto::Role::euicc, {eum_cert}, cis, time(nullptr)));
    CHECK(crypto::verify(euicc_cert.public_key().value(), parts[0].whole, parts[1].value));
    CHECK(Bytes(find(parts[0].value, 0x84)->value.begin(), find(parts[0].value, 0x84)->value.end()) ==
          smdp.server_challenge);
    CHECK(find(parts[0].value, 0xBF22));  // euiccInfo2
    CHECK(find(parts[0].value, 0xA0));    // ctxParams1 as the server sent it

    d.prepare();
    auto pd = f.child(d.prepare_response, 0xA0);
    auto signed2 = find(pd.value, 0x30).value();
    CHECK(crypto::verify(euicc_cert.public_key().value(), rsp::concat({signed2.whole, smdp.smdp_signature2}),
                         find(pd.value, 0x5F37)->value));

    Bytes upp = minimal_profile_package(kIccid);
    Bytes pir = d.load(smdp.bound_profile_package(d.euicc_otpk, f.card->eid_bytes,
                                                  store_metadata(kIccid, "Test", "notify.example.org"), upp));
    REQUIRE(rsp::asn1::decode(asn_DEF_ProfileInstallationResult, pir));
    CHECK(failure_of(pir).first == -1);
    auto data = find(rsp::tlv::read(pir)->value, 0xBF27).value();
    CHECK(crypto::verify(euicc_cert.public_key().value(), data.whole, find(rsp::tlv::read(pir)->value, 0x5F37)->value));

    REQUIRE(f.card->state.profiles.size() == 1);
    const auto& p = f.card->state.profiles[0];
    CHECK(p.iccid == kIccid);
    CHECK(p.state == ProfileState::disabled);
    CHECK(p.profile_name == "Test");
    CHECK(p.service_provider_name == "Test SP");
    REQUIRE(p.notification_configuration.size() == 1);
    CHECK(p.notification_configuration[0].events == 0x09);  // install and delete
    CHECK(f.card->store.read_profile_package(kIccid).value() == upp);
    REQUIRE(f.card->state.notifications.size() == 1);
    CHECK(f.card->state.notifications[0].notification == pir);

    // It is all still there after a restart.
    f.reopen();
    REQUIRE(f.card->state.profiles.size() == 1);
    CHECK(f.card->state.profiles[0].iccid == kIccid);
    CHECK(f.card->state.notifications.size() == 1);
  }
}

TEST_CASE("AuthenticateServer refuses what it must, with SGP.22's error codes") {
  CardFixture f;
  TestSmdp smdp(f.pki, crypto::Curve::nist_p256);
  Download d{f, smdp};

  SECTION("no challenge was issued: noSessionContext") {
    CHECK(error_code(f.call(smdp.authenticate_server(Bytes(16, 0)))) == 4);
  }
  SECTION("a challenge the card did not issue: euiccChallengeMismatch") {
    d.challenge();
    CHECK(error_code(f.call(smdp.authenticate_server(Bytes(16, 0xEE)))) == 6);
  }
  SECTION("a bad serverSignature1: invalidSignature") {
    auto request = smdp.authenticate_server(d.challenge());
    auto sig = find(rsp::tlv::read(request)->value, 0x5F37).value();
    request[static_cast<size_t>(sig.value.data() - request.data()) + 5] ^= 0x01;
    CHECK(error_code(f.call(request)) == 2);
  }
  SECTION("a CI the card does not know: ciPKUnknown") {
    smdp.ci_ski = Bytes(20, 0x42);
    CHECK(error_code(f.call(smdp.authenticate_server(d.challenge()))) == 7);
  }
  SECTION("a server certificate of another PKI: invalidCertificate") {
    rsp::test::TempDir other;
    REQUIRE(rsp::pki::make(other.path(), rsp::pki::MakeOptions{}));
    TestSmdp stranger(other.path(), crypto::Curve::nist_p256);
    stranger.ci_ski = smdp.ci_ski;
    CHECK(error_code(f.call(stranger.authenticate_server(d.challenge()))) == 1);
  }
  SECTION("a DPpb certificate where DPauth belongs: invalidCertificate") {
    std::swap(smdp.auth, smdp.pb);
    std::swap(smdp.auth_key, smdp.pb_key);
    CHECK(error_code(f.call(smdp.authenticate_server(d.challenge()))) == 1);
  }
  SECTION("the same challenge cannot be answered twice") {
    auto request = smdp.authenticate_server(d.challenge());
    CHECK(f.child(f.call(request), 0xA0).tag == 0xA0);
    CHECK(error_code(f.call(request)) == 4);
  }
  SECTION("garbage is refused at APDU level") {
    CHECK(f.call_status_word(encode(0xBF38, Bytes{0x01, 0x02})) == rsp::apdu::sw::kIncorrectData);
  }
}

TEST_CASE("PrepareDownload checks order, transaction, certificate and signature") {
  CardFixture f;
  TestSmdp smdp(f.pki, crypto::Curve::nist_p256);
  Download d{f, smdp};
  SECTION("before AuthenticateServer: noSessionContext") {
    d.challenge();
    CHECK(error_code(f.call(smdp.prepare_download(Bytes{0x5F, 0x37, 0x00}))) == 4);
  }
  SECTION("another transaction: invalidTransactionId") {
    d.authenticate();
    smdp.transaction_id = Bytes{9, 9, 9};
    CHECK(error_code(f.call(smdp.prepare_download(d.euicc_signature1_tlv))) == 5);
  }
  SECTION("smdpSignature2 not over euiccSignature1: invalidSignature") {
    d.authenticate();
    CHECK(error_code(f.call(smdp.prepare_download(encode(0x5F37, Bytes(64, 0))))) == 2);
  }
  SECTION("confirmation code required but no hashCc: refused") {
    d.authenticate();
    CHECK(error_code(f.call(smdp.prepare_download(d.euicc_signature1_tlv, true))) == 127);
  }
  SECTION("with hashCc: it is carried into euiccSigned2") {
    d.authenticate();
    Bytes hash(32, 0x77);
    auto r = f.call(smdp.prepare_download(d.euicc_signature1_tlv, true, hash));
    auto signed2 = find(f.child(r, 0xA0).value, 0x30).value();
    CHECK(Bytes(find(signed2.value, 0x04)->value.begin(), find(signed2.value, 0x04)->value.end()) == hash);
  }
}

TEST_CASE("a damaged or interrupted package installs nothing and says why") {
  CardFixture f;
  TestSmdp smdp(f.pki, crypto::Curve::nist_p256);
  Download d{f, smdp};
  d.authenticate();
  d.prepare();
  Bytes upp = minimal_profile_package(kIccid);
  Bytes bpp =
      smdp.bound_profile_package(d.euicc_otpk, f.card->eid_bytes, store_metadata(kIccid, "T", "n.example.org"), upp);
  auto commands = rsp::bpp::split_for_loading(bpp).value();

  SECTION("a changed byte in a profile segment: scp03tSecurityError at loadProfileElements") {
    auto& last = commands.back();
    last[last.size() / 2] ^= 0x01;
    Bytes result;
    for (const auto& c : commands)
      if (!(result = f.call(c)).empty()) break;
    CHECK(failure_of(result) == std::pair<int, int>{5, 8});
  }
  SECTION("a forged smdpSign: invalidSignature at initialiseSecureChannel") {
    auto& first = commands.front();
    first[first.size() - 3] ^= 0x01;  // inside smdpSign
    CHECK(failure_of(f.call(first)) == std::pair<int, int>{0, 2});
  }
  SECTION("the channel closes half-way: installFailedDueToInterruption, kept as a notification") {
    for (size_t i = 0; i + 1 < commands.size(); ++i) CHECK(f.call(commands[i]).empty());
    f.close_es10_channel();  // MANAGE CHANNEL close: the card tells the ISD-R
    REQUIRE(f.card->state.notifications.size() == 1);
    CHECK(failure_of(f.card->state.notifications[0].notification).second == 11);
  }
  SECTION("another ES10 command in the middle ends the package") {
    for (size_t i = 0; i + 2 < commands.size(); ++i) f.call(commands[i]);
    f.call(encode(0xBF2E, Bytes{}));
    auto r = f.es10().es10(commands.back());  // an orphaned segment is not taken
    CHECK((r.sw != rsp::apdu::sw::kOk || r.data.empty() || failure_of(r.data).first != -1));
  }
  SECTION("the card is killed half-way: nothing remains after a restart") {
    for (size_t i = 0; i + 1 < commands.size(); ++i) f.call(commands[i]);
    f.reopen();  // no commit happened: the in-memory session is gone with the process
    CHECK(f.card->state.profiles.empty());
    CHECK_FALSE(f.card->store.read_profile_package(kIccid));
  }
  CHECK(f.card->state.profiles.empty());
  CHECK_FALSE(f.card->store.read_profile_package(kIccid));
}

TEST_CASE("a profile whose USIM the card cannot run is refused whole: installFailedDueToPEProcessingError") {
  CardFixture f;
  AkaElement aka;
  SECTION("TUAK") { aka.algorithm = 2; }
  SECTION("a MILENAGE key of 15 bytes") { aka.key = Bytes(15, 0x11); }
  SECTION("a test algorithm key of 15 bytes") {
    aka.algorithm = 3;
    aka.key = Bytes(15, 0x11);
  }
  SECTION("the algorithm of another NAA (mappingParameter)") { aka.mapping = true; }
  Bytes pir = download(f, usim_package(kIccid, {}, aka));
  CHECK(failure_of(pir) == std::pair<int, int>{5, 12});  // loadProfileElements
  CHECK(f.card->state.profiles.empty());
  CHECK_FALSE(f.card->store.read_profile_package(kIccid));
  REQUIRE(f.card->state.notifications.size() == 1);  // the failure goes back to the SM-DP+
  CHECK(f.card->state.notifications[0].notification == pir);
}

TEST_CASE("a ProfileHeader ICCID that is not StoreMetadata's: installFailedDueToDataMismatch") {
  CardFixture f;
  CHECK(failure_of(download(f, minimal_profile_package("8944000000000000029"))) == std::pair<int, int>{5, 13});
  CHECK(f.card->state.profiles.empty());
}

TEST_CASE("a profile with a USIM the card can run installs, with MILENAGE or the test algorithm") {
  CardFixture f;
  AkaElement aka;
  SECTION("MILENAGE") { aka.algorithm = 1; }
  SECTION("the TS 34.108 test algorithm") { aka.algorithm = 3; }
  Bytes upp = usim_package(kIccid, {}, aka);
  CHECK(failure_of(download(f, upp)).first == -1);
  REQUIRE(f.card->state.profiles.size() == 1);
  CHECK(f.card->store.read_profile_package(kIccid).value() == upp);
}

TEST_CASE("a profile package left without state by a kill is removed on the next start") {
  CardFixture f;
  REQUIRE(f.card->store.write_profile_package(kIccid, minimal_profile_package(kIccid)));
  f.reopen();
  CHECK_FALSE(f.card->store.read_profile_package(kIccid));
}

TEST_CASE("the same ICCID cannot be installed twice") {
  CardFixture f;
  TestSmdp smdp(f.pki, crypto::Curve::nist_p256);
  for (int round = 0; round < 2; ++round) {
    Download d{f, smdp};
    d.authenticate();
    d.prepare();
    Bytes pir =
        d.load(smdp.bound_profile_package(d.euicc_otpk, f.card->eid_bytes, store_metadata(kIccid, "T", "n.example.org"),
                                          minimal_profile_package(kIccid)));
    if (round == 0)
      CHECK(failure_of(pir).first == -1);
    else
      CHECK(failure_of(pir) == std::pair<int, int>{2, 9});
  }
  CHECK(f.card->state.profiles.size() == 1);
}

TEST_CASE("CancelSession signs the cancellation and ends the session") {
  CardFixture f;
  TestSmdp smdp(f.pki, crypto::Curve::nist_p256);
  Download d{f, smdp};
  d.authenticate();
  Bytes r = f.call(encode(0xBF41, rsp::concat({encode(0x80, smdp.transaction_id), encode(0x81, Bytes{0x01})})));
  auto ok = f.child(r, 0xA0);
  auto signed_part = find(ok.value, 0x30).value();
  auto euicc_cert = rsp::pki::load_certificate(f.pki, crypto::Curve::nist_p256, crypto::Role::euicc).value();
  CHECK(crypto::verify(euicc_cert.public_key().value(), signed_part.whole, find(ok.value, 0x5F37)->value));
  CHECK(Bytes(find(signed_part.value, 0x81)->value.begin(), find(signed_part.value, 0x81)->value.end()) ==
        smdp.auth.registered_id_der().value());
  // The session is over: PrepareDownload now has no context, and a second cancel names no transaction.
  CHECK(error_code(f.call(smdp.prepare_download(d.euicc_signature1_tlv))) == 4);
  Bytes again = f.call(encode(0xBF41, rsp::concat({encode(0x80, smdp.transaction_id), encode(0x81, Bytes{0x01})})));
  CHECK(find(rsp::tlv::read(again)->value, 0x81)->value[0] == 5);
}

TEST_CASE("conformance faults: a bad MAC accepted, a wrong status word, and none without asking") {
  {
    CardFixture f;
    f.card->faults.insert("skip-mac-check");
    TestSmdp smdp(f.pki, crypto::Curve::nist_p256);
    Download d{f, smdp};
    d.authenticate();
    d.prepare();
    Bytes bpp = smdp.bound_profile_package(
        d.euicc_otpk, f.card->eid_bytes, store_metadata(kIccid, "T", "n.example.org"), minimal_profile_package(kIccid));
    bpp.back() ^= 0x01;                          // last byte of the last segment's MAC
    CHECK(failure_of(d.load(bpp)).first == -1);  // the faulty card installs what a real one refuses
  }
  {
    CardFixture f;
    f.card->faults.insert("wrong-status-word");
    CHECK(f.call_status_word(encode(0xBF3E, encode(0x5C, Bytes{0x5A}))) == rsp::apdu::sw::kNoPreciseDiagnosis);
  }
  rsp::test::TempDir dir;
  Options options;
  options.state_dir = dir.path();
  options.faults = {"skip-mac-check"};
  CHECK_FALSE(open_card_context(options));  // refused in a normal run
  options.allow_faults = true;
  CHECK(open_card_context(options));
  options.faults = {"no-such-fault"};
  CHECK_FALSE(open_card_context(options));
}

// Profiles at rest (issue 13, finding 10): the installed package is sealed with the card's profile
// key, so no file of the state directory holds the Ki or OPc.
TEST_CASE(
    "profile packages at rest: sealed in the state directory, clear ones sealed at the next start, another key refused") {
  const Bytes ki = {0x4B, 0x69, 0x5A, 0x13, 0x37, 0xC0, 0xDE, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09};
  const Bytes opc = {0x0F, 0x0C, 0x5A, 0x13, 0x37, 0xC0, 0xDE, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19};
  CardFixture f;
  const std::filesystem::path state_dir = f.dir.path() / "card";
  rsp::ProfileSpec spec;
  spec.iccid = kIccid;
  spec.imsi = "001010000000011";
  spec.ki = ki;
  spec.opc = opc;
  const Bytes upp = rsp::make_profile_package(spec).value();
  REQUIRE(failure_of(download(f, upp)).first == -1);

  // Every file under the state directory, byte for byte, as a copy or a backup would hold it.
  auto state_shows = [&](const Bytes& secret) {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(state_dir)) {
      if (!entry.is_regular_file()) continue;
      const Bytes contents = rsp::files::read(entry.path()).value();
      if (std::search(contents.begin(), contents.end(), secret.begin(), secret.end()) != contents.end()) return true;
    }
    return false;
  };
  auto state_files = [&] {
    std::map<std::string, Bytes> files;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(state_dir))
      if (entry.is_regular_file()) files[entry.path().string()] = rsp::files::read(entry.path()).value();
    return files;
  };
  CHECK_FALSE(state_shows(ki));
  CHECK_FALSE(state_shows(opc));
  CHECK(rsp::crypto::is_sealed(rsp::files::read(state_dir / "profiles" / (kIccid + ".upp")).value()));
  CHECK(f.card->store.read_profile_package(kIccid).value() == upp);
  CHECK((std::filesystem::status(state_dir / "profile-key").permissions() & std::filesystem::perms::all) ==
        (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
  const std::string key_id = f.card->state.profile_key_id;
  CHECK(key_id.size() == 8);
  f.reopen();
  CHECK(f.card->store.read_profile_package(kIccid).value() == upp);

  SECTION("a state written in clear (before sealing) is sealed at the next start") {
    REQUIRE(CardStore(state_dir).write_profile_package(kIccid, upp));
    CardState clear = f.card->state;
    clear.profile_key_id.clear();
    REQUIRE(CardStore(state_dir).save_state(clear));
    REQUIRE(state_shows(ki));
    f.reopen();
    CHECK_FALSE(state_shows(ki));
    CHECK_FALSE(state_shows(opc));
    CHECK(f.card->state.profile_key_id == key_id);
    CHECK(f.card->store.read_profile_package(kIccid).value() == upp);
  }
  SECTION("another key, or none, is refused and nothing changes") {
    f.card.reset();
    const auto before = state_files();
    Options options;
    options.state_dir = state_dir;
    const std::string other = rsp::crypto::SealingKey::generate().to_key_file_text();
    ::setenv("EUICC_SIM_PROFILE_KEY", other.c_str(), 1);
    auto from_variable = open_card_context(options);
    ::unsetenv("EUICC_SIM_PROFILE_KEY");
    REQUIRE_FALSE(from_variable);
    CHECK_THAT(from_variable.error().message,
               Catch::Contains("sealed with key id " + key_id) && Catch::Contains("$EUICC_SIM_PROFILE_KEY"));
    CHECK_THAT(from_variable.error().message, !Catch::Contains(other.substr(0, 64)));

    std::filesystem::rename(state_dir / "profile-key", f.dir.path() / "kept-key");
    auto missing = open_card_context(options);
    REQUIRE_FALSE(missing);
    CHECK_THAT(missing.error().message, Catch::Contains("is missing") && Catch::Contains(key_id));
    CHECK_FALSE(std::filesystem::exists(state_dir / "profile-key"));  // no new key made over the sealed packages
    auto before_without_key = before;
    before_without_key.erase((state_dir / "profile-key").string());
    CHECK(state_files() == before_without_key);

    options.profile_key = f.dir.path() / "kept-key";  // the key named where it was moved: opens
    auto named = open_card_context(options);
    REQUIRE(named);
    CHECK((*named)->store.read_profile_package(kIccid).value() == upp);
  }
}
