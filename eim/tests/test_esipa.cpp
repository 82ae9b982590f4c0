// The eIM's ESipa service in-process, driven the way an IPA drives it: packages queued in the
// store (reserve_counter, build_euicc_package_request, enqueue), fetched with GetEimPackage, run on
// the software eUICC through its APDU layer (ES10b LoadEuiccPackage), and the eUICC's results given
// back with ProvideEimPackageResult / HandleNotification; each refusal path of the spec.
#include <catch2/catch.hpp>

#include <EsipaMessageFromEimToIpa.h>

#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "eim/esipa.hpp"
#include "eim_card_fixture.hpp"
#include "rsp/asn1/codec.hpp"
#include "support/sql_backends.hpp"

namespace {

using namespace eim::test;
using eim::Esipa;
using eim::EsipaReply;
using eim::PackageState;
namespace psmo = eim::psmo;
namespace eco = eim::eco;

// The GetEimPackageResponse's choice: the package as sent, or the eimPackageError value.
struct Fetched {
  EsipaReply reply;
  std::optional<rsp::tlv::Tlv> inner() const {
    auto outer = rsp::tlv::read(reply.der_response);
    if (!outer || outer->tag != 0xBF4F) return std::nullopt;
    auto t = rsp::tlv::read(outer->value);
    return t ? std::optional(*t) : std::nullopt;
  }
  Bytes package() const {
    auto t = inner();
    REQUIRE(t);
    REQUIRE(t->tag != 0x02);
    return Bytes(t->whole.begin(), t->whole.end());
  }
  std::optional<int64_t> error() const {
    auto t = inner();
    if (!t || t->tag != 0x02) return std::nullopt;
    return integer_of(t->value);
  }
};

// A ProvideEimPackageResultResponse's acknowledged seqNumbers; nullopt unless it is BF50 { BF53 | 30 00 }.
std::optional<std::vector<int64_t>> acknowledged(const EsipaReply& reply) {
  auto outer = rsp::tlv::read(reply.der_response);
  if (!outer || outer->tag != 0xBF50) return std::nullopt;
  auto choice = rsp::tlv::read(outer->value);
  if (!choice) return std::nullopt;
  if (choice->tag == 0x30) return std::vector<int64_t>{};
  if (choice->tag != 0xBF53) return std::nullopt;
  std::vector<int64_t> seqs;
  for (const auto& s : rsp::tlv::read_all(choice->value).value()) seqs.push_back(integer_of(s.value));
  return seqs;
}
std::optional<int64_t> result_error(const EsipaReply& reply) {
  auto outer = rsp::tlv::read(reply.der_response);
  auto choice = outer ? rsp::tlv::read(outer->value) : rsp::Expected<rsp::tlv::Tlv>(rsp::fail(""));
  if (!choice || choice->tag != 0x02) return std::nullopt;
  return integer_of(choice->value);
}

struct Fixture : eim::test::EimCard {
  std::unique_ptr<Esipa> esipa;

  explicit Fixture(std::optional<std::string> database = std::nullopt) : EimCard(database) {
    now = 1'800'000'000;
    esipa = make_esipa(*store);
  }

  std::unique_ptr<Esipa> make_esipa(eim::EimStore& s) {
    eim::EsipaSettings settings;
    settings.eim_id = kEimId;
    settings.cis.add(rsp::pki::load_certificate(pki, Curve::nist_p256, Role::ci).value());
    settings.clock = [this] { return now; };
    return std::make_unique<Esipa>(s, std::move(settings));
  }

  Bytes get_request(const std::string& device_eid) {
    return tlv(0xBF4F, tlv(0x5A, rsp::eid::to_bytes(device_eid).value()));
  }
  Fetched fetch(Esipa* e = nullptr) { return {(e ? e : esipa.get())->handle(get_request(eid))}; }
  // The IPA: the package to the eUICC (ES10b LoadEuiccPackage), its answer as is.
  Bytes run_on_card(const Fetched& f) { return call(f.package()); }
  EsipaReply provide(ByteView result, const std::string& device_eid) {
    return esipa->handle(tlv(0xBF50, {tlv(0x5A, rsp::eid::to_bytes(device_eid).value()), result}));
  }
  EsipaReply provide(ByteView result) { return provide(result, eid); }
};

// The answer is a valid EsipaMessageFromEimToIpa.
void check_schema(const EsipaReply& r) {
  INFO(r.message);
  CHECK(rsp::asn1::decode(asn_DEF_EsipaMessageFromEimToIpa, r.der_response));
}

}  // namespace

TEST_CASE("esipa: enable, disable, delete and listEim fetched, run, verified, recorded and acknowledged",
          "[eim][esipa]") {
  Fixture f;
  struct Step {
    eim::Operation operation;
    std::string summary_part;
  };
  std::vector<Step> steps{
      {psmo::enable(kIccid1), R"({"code":"ok","operation":"enable"})"},
      {psmo::disable(kIccid1), R"({"code":"ok","operation":"disable"})"},
      {psmo::remove(kIccid2), R"({"code":"ok","operation":"delete"})"},
      {eco::list_eim(), R"({"operation":"listEim"})"},
      // A second eIM asking for a token: the token the card issued is in the summary.
      {eco::add_eim(configuration("eim2.example.org", crypto::PrivateKey::generate(Curve::nist_p256), std::nullopt)),
       R"({"associationToken":2,"code":"ok","operation":"addEim"})"}};
  std::set<int64_t> seqs;
  for (auto& step : steps) {
    auto p = f.queue({step.operation});
    auto fetched = f.fetch();
    INFO(fetched.reply.message);
    REQUIRE(fetched.reply.http_status == 200);
    CHECK(fetched.reply.function == "GetEimPackage");
    CHECK(fetched.reply.eid == f.eid);
    CHECK(fetched.reply.outcome == "delivered");
    check_schema(fetched.reply);
    CHECK(fetched.package() == p.request);
    CHECK(f.stored(p.id).state == PackageState::delivered);

    Bytes result = f.run_on_card(fetched);
    auto provided = f.provide(result);
    INFO(provided.message);
    CHECK(provided.http_status == 200);
    CHECK(provided.outcome == "executed");
    CHECK(provided.results_verified == 1);
    check_schema(provided);
    auto acks = acknowledged(provided);
    REQUIRE(acks);
    REQUIRE(acks->size() == 1);
    CHECK(seqs.insert(acks->front()).second);  // each result its own seqNumber
    auto record = f.stored(p.id);
    CHECK(record.state == PackageState::executed);
    CHECK(record.result == result);
    REQUIRE(record.result_summary);
    CHECK(record.result_summary->find(step.summary_part) != std::string::npos);
  }
  CHECK(f.state_of(kIccid1) == euicc::ProfileState::disabled);
  CHECK(f.card->state.find_profile(kIccid2) == nullptr);
  // Nothing left: noEimPackageAvailable.
  CHECK(f.fetch().error() == 1);
}

TEST_CASE("esipa: a result sent again is acknowledged again and not recorded twice", "[eim][esipa]") {
  Fixture f;
  auto p = f.queue({psmo::enable(kIccid1)});
  Bytes result = f.run_on_card(f.fetch());
  auto first = f.provide(result);
  REQUIRE(first.outcome == "executed");
  auto recorded = f.stored(p.id);
  f.now += 60;
  // The answer was lost; the IPA reports again, this time as HandleNotification.
  auto again = f.esipa->handle(tlv(0xBF3D, tlv(0xBF50, {tlv(0x5A, f.card->eid_bytes), result})));
  INFO(again.message);
  CHECK(again.function == "HandleNotification");
  CHECK(again.http_status == 204);
  CHECK(again.der_response.empty());
  CHECK(again.outcome == "repeated");
  CHECK(f.stored(p.id) == recorded);  // finished time and version unchanged
  auto third = f.provide(result);
  CHECK(third.outcome == "repeated");
  CHECK(acknowledged(third) == acknowledged(first));
}

TEST_CASE("esipa: a result with profile notifications beside it (ePRAndNotifications) counts as the result alone",
          "[eim][esipa]") {
  Fixture f;
  auto p = f.queue({psmo::enable(kIccid1)});
  Bytes result = f.run_on_card(f.fetch());
  auto provided = f.provide(tlv(0x30, {result, tlv(0xA0, Bytes{})}));
  INFO(provided.message);
  CHECK(provided.outcome == "executed");
  CHECK(provided.message.find("0 profile notifications") != std::string::npos);
  REQUIRE(acknowledged(provided));
  CHECK(acknowledged(provided)->size() == 1);
  CHECK(f.stored(p.id).state == PackageState::executed);
}

TEST_CASE("esipa: the IPA's eimPackageResultResponseError ends its own packages, not an eUICC Package",
          "[eim][esipa]") {
  Fixture f;
  auto package = f.queue({psmo::enable(kIccid1)});
  f.fetch();
  auto ipa_error = [&](const Bytes& transaction_id) { return tlv(0xA0, {tlv(0x80, transaction_id), hex("020101")}); };
  auto eid_package = f.provide(ipa_error(*package.eim_transaction_id));
  INFO(eid_package.message);
  CHECK(eid_package.outcome == "ipa-error");
  CHECK(f.stored(package.id).state == PackageState::delivered);  // only the eUICC's signed answer ends it

  Bytes id = f.next_transaction_id();
  auto data = f.queue_request(f.eid, f.store->reserve_counter(f.eid).value().value(), id,
                              tlv(0xBF52, {hex("5C 01 A5"), tlv(0x83, id)}));
  f.fetch();
  auto data_error = f.provide(ipa_error(id));
  CHECK(data_error.outcome == "failed");
  CHECK(f.stored(data.id).result_summary == R"({"eimPackageResultError":"invalidPackageFormat"})");
  CHECK(f.provide(ipa_error(hex("0909"))).outcome == "ipa-error");  // no such transaction: logged only
}

TEST_CASE("esipa: a verified result for a package that expired meanwhile is acknowledged, not recorded",
          "[eim][esipa]") {
  Fixture f;
  auto p = f.queue({psmo::enable(kIccid1)}, 60);
  Bytes result = f.run_on_card(f.fetch());
  f.now += 120;
  REQUIRE(f.store->expire(f.now).value() == 1);
  auto provided = f.provide(result);
  INFO(provided.message);
  CHECK(provided.outcome == "not-recorded");
  CHECK(provided.results_verified == 1);
  REQUIRE(acknowledged(provided));
  CHECK(acknowledged(provided)->size() == 1);  // the card may delete it: the eIM has seen it
  CHECK(f.stored(p.id).state == PackageState::expired);
}

TEST_CASE("esipa: a signed replayError is recorded failed, not acknowledged", "[eim][esipa]") {
  Fixture f;
  auto older = f.queue({psmo::enable(kIccid1)});
  auto newer = f.queue({psmo::enable(kIccid2)});
  auto first = f.fetch();
  auto second = f.fetch();
  CHECK(first.package() == older.request);
  // The IPA runs the newer one first: the card has then seen a higher counter and refuses the older.
  REQUIRE(f.provide(f.run_on_card(second)).outcome == "executed");
  auto replay = f.provide(f.run_on_card(first));
  INFO(replay.message);
  CHECK(replay.outcome == "failed");
  CHECK(replay.results_verified == 1);
  CHECK(acknowledged(replay) == std::vector<int64_t>{});  // signed errors carry no seqNumber
  auto record = f.stored(older.id);
  CHECK(record.state == PackageState::failed);
  CHECK(record.result_summary == R"({"error":"replayError"})");
  CHECK(f.state_of(kIccid1) == euicc::ProfileState::disabled);
}

TEST_CASE("esipa: an unsigned error and a forged result never count, the package stays delivered", "[eim][esipa]") {
  Fixture f;
  SECTION("EuiccPackageErrorUnsigned (the eimSignature was tampered with)") {
    auto p = f.queue({psmo::enable(kIccid1)}, 3600, true);
    Bytes result = f.run_on_card(f.fetch());
    REQUIRE(rsp::tlv::read(rsp::tlv::read(result)->value)->tag == 0xA2);
    auto provided = f.provide(result);
    INFO(provided.message);
    CHECK(provided.outcome == "refused");
    CHECK(provided.results_refused == 1);
    CHECK(provided.results_verified == 0);
    CHECK(acknowledged(provided) == std::vector<int64_t>{});
    CHECK(f.stored(p.id).state == PackageState::delivered);
    CHECK_FALSE(f.stored(p.id).result);
  }
  SECTION("a bit flipped in euiccSignEPR, then the genuine result") {
    auto p = f.queue({psmo::enable(kIccid1)});
    Bytes result = f.run_on_card(f.fetch());
    Bytes forged = result;
    forged[forged.size() - 3] ^= 0x01;
    auto provided = f.provide(forged);
    INFO(provided.message);
    CHECK(provided.outcome == "refused");
    CHECK(provided.message.find("bad_signature") != std::string::npos);
    CHECK(acknowledged(provided) == std::vector<int64_t>{});
    CHECK(f.stored(p.id).state == PackageState::delivered);
    CHECK(f.provide(result).outcome == "executed");
  }
  SECTION("a genuine result for a counterValue no package of the device has") {
    eim::PackageRequest r;
    r.eim_id = kEimId;
    r.eid = f.card->eid_bytes;
    r.counter_value = 50;
    r.operations = {psmo::get_rat()};
    r.association_token = f.token;
    auto provided = f.provide(f.call(eim::build_euicc_package_request(r, f.eim_key).value()));
    INFO(provided.message);
    CHECK(provided.outcome == "refused");
    CHECK(provided.message.find("counterValue 50") != std::string::npos);
    CHECK(acknowledged(provided) == std::vector<int64_t>{});
  }
  SECTION("a device whose certificates the eIM does not know yet") {
    f.store = eim::open_eim_store("sqlite:" + (f.dir.path() / "other.db").string()).value();
    f.esipa = f.make_esipa(*f.store);
    f.add_device(f.eid, false);
    auto p = f.queue({psmo::enable(kIccid1)});
    auto provided = f.provide(f.run_on_card(f.fetch()));
    CHECK(provided.outcome == "refused");
    CHECK(f.stored(p.id).state == PackageState::delivered);
  }
}

TEST_CASE("esipa: eimPackageError and provideEimPackageResultError for each EID problem", "[eim][esipa]") {
  Fixture f;
  auto fetch = [&](const Bytes& request) { return Fetched{f.esipa->handle(request)}; };
  CHECK(fetch(hex("BF4F 00")).error() == 4);                          // missingEid
  CHECK(fetch(hex("BF4F 04 80008100")).error() == 4);                 // notifyStateChange, no EID
  CHECK(fetch(tlv(0xBF4F, tlv(0x5A, Bytes(8, 0x89)))).error() == 3);  // invalidEid: 8 bytes
  Bytes bad_check = rsp::eid::to_bytes(f.eid).value();
  bad_check.back() ^= 0x01;
  CHECK(fetch(tlv(0xBF4F, tlv(0x5A, bad_check))).error() == 3);  // invalidEid: check digits
  auto unknown = fetch(f.get_request(kOtherEid));
  CHECK(unknown.error() == 2);  // eidNotFound
  CHECK(unknown.reply.outcome == "eidNotFound");
  check_schema(unknown.reply);
  auto none = f.fetch();
  CHECK(none.error() == 1);  // noEimPackageAvailable
  CHECK(none.reply.outcome == "noEimPackageAvailable");
  // notifyStateChange with its cause is noted in the log.
  auto notified = fetch(tlv(0xBF4F, {tlv(0x5A, f.card->eid_bytes), hex("8000"), hex("810103")}));
  CHECK(notified.error() == 1);
  CHECK(notified.reply.message.find("stateChangeCause=local") != std::string::npos);

  // ProvideEimPackageResult: the same EID checks, as provideEimPackageResultError.
  f.queue({psmo::enable(kIccid1)});
  Bytes result = f.run_on_card(f.fetch());
  CHECK(result_error(f.esipa->handle(tlv(0xBF50, result))) == 4);
  CHECK(result_error(f.esipa->handle(tlv(0xBF50, {tlv(0x5A, bad_check), result}))) == 3);
  CHECK(result_error(f.provide(result, kOtherEid)) == 2);
  check_schema(f.provide(result, kOtherEid));
}

TEMPLATE_TEST_CASE("esipa: each package is delivered once to racing IPAs on two eIM instances", "[eim][esipa]",
                   rsp::test::SqliteBackend, rsp::test::PostgresBackend) {
  Fixture f(TestType::fresh_url());
  auto second_store = eim::open_eim_store(f.url).value();
  auto second = f.make_esipa(*second_store);
  constexpr int kPackages = 6;
  std::map<int64_t, Bytes> queued;
  for (int i = 0; i < kPackages; ++i) {
    auto p = f.queue({psmo::get_rat()});
    queued[p.counter_value] = p.request;
  }
  std::mutex mutex;
  std::vector<Bytes> delivered;
  int empty = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPackages; ++i) {
        auto fetched = f.fetch(t % 2 ? second.get() : f.esipa.get());
        std::lock_guard lock(mutex);
        if (fetched.reply.outcome == "delivered")
          delivered.push_back(fetched.package());
        else if (fetched.error() == 1)
          ++empty;
      }
    });
  for (auto& t : threads) t.join();
  CHECK(delivered.size() == kPackages);
  CHECK(empty == 4 * kPackages - kPackages);
  std::set<Bytes> distinct(delivered.begin(), delivered.end());
  CHECK(distinct.size() == kPackages);
  for (const auto& [counter, request] : queued) CHECK(distinct.count(request) == 1);
}

TEST_CASE("esipa: an expired package is not delivered", "[eim][esipa]") {
  Fixture f;
  auto short_lived = f.queue({psmo::enable(kIccid1)}, 10);
  auto long_lived = f.queue({psmo::enable(kIccid2)}, 3600);
  f.now += 10;
  auto fetched = f.fetch();
  CHECK(fetched.package() == long_lived.request);
  CHECK(f.stored(short_lived.id).state == PackageState::queued);
  CHECK(f.fetch().error() == 1);
}

TEST_CASE("esipa: IpaEuiccData certificates are kept only when they chain to a CI and name the device",
          "[eim][esipa]") {
  Fixture f;
  // The eUICC's certificates as the IPA collects them (GetCerts: A0 { A5 eum, A6 euicc }).
  Bytes certs = f.call(hex("BF56 00"));
  auto parts = rsp::tlv::read_all(rsp::tlv::read(rsp::tlv::read(certs)->value)->value).value();
  Bytes eum(parts[0].whole.begin(), parts[0].whole.end()), euicc(parts[1].whole.begin(), parts[1].whole.end());
  auto data_request = [&](const std::string& device_eid) {
    Bytes id = f.next_transaction_id();
    int64_t counter = f.store->reserve_counter(device_eid).value().value();
    auto p = f.queue_request(device_eid, counter, id, tlv(0xBF52, {hex("5C 02 A5A6"), tlv(0x83, id)}));
    auto fetched = Fetched{f.esipa->handle(f.get_request(device_eid))};
    REQUIRE(fetched.reply.outcome == "delivered");
    CHECK(fetched.reply.message.find("ipaEuiccDataRequest") != std::string::npos);
    return p;
  };
  auto data_response = [&](const Bytes& eum_tlv, const Bytes& euicc_tlv, const eim::PackageRecord& p) {
    return tlv(0xBF52, tlv(0xA0, {eum_tlv, euicc_tlv, tlv(0x87, *p.eim_transaction_id)}));
  };

  SECTION("a device the eIM knows without certificates learns them, then verifies results with them") {
    f.store = eim::open_eim_store("sqlite:" + (f.dir.path() / "fresh.db").string()).value();
    f.esipa = f.make_esipa(*f.store);
    f.add_device(f.eid, false);
    auto p = data_request(f.eid);
    auto provided = f.provide(data_response(eum, euicc, p));
    INFO(provided.message);
    CHECK(provided.outcome == "executed");
    CHECK(f.stored(p.id).result_summary ==
          R"({"certificates":"stored","ipaEuiccData":["eumCertificate","euiccCertificate","eimTransactionId"]})");
    auto device = f.store->device(f.eid).value().value();
    CHECK(device.euicc_certificate == rsp::tlv::encode(0x30, parts[1].value));
    auto package = f.queue({psmo::enable(kIccid1)});
    CHECK(f.provide(f.run_on_card(f.fetch())).outcome == "executed");
    CHECK(f.stored(package.id).state == PackageState::executed);
  }
  SECTION("certificates under another CI are refused") {
    auto other_pki = f.dir.path() / "other-pki";
    REQUIRE(rsp::pki::make(other_pki, {}));
    auto foreign = [&](Role role, rsp::tlv::Tag tag) {
      return tlv(tag, contents(rsp::pki::load_certificate(other_pki, Curve::nist_p256, role)->der()));
    };
    auto before = f.store->device(f.eid).value().value();
    auto p = data_request(f.eid);
    auto provided = f.provide(data_response(foreign(Role::eum, 0xA5), foreign(Role::euicc, 0xA6), p));
    INFO(provided.message);
    CHECK(provided.outcome == "failed");
    CHECK(f.stored(p.id).result_summary->find("refused: chain") != std::string::npos);
    auto after = f.store->device(f.eid).value().value();
    CHECK(after.euicc_certificate == before.euicc_certificate);
    CHECK(after.eum_certificate == before.eum_certificate);
  }
  SECTION("this eUICC's certificates for another device are refused") {
    f.add_device(kOtherEid, false);
    auto p = data_request(kOtherEid);
    auto provided = f.provide(data_response(eum, euicc, p), kOtherEid);
    INFO(provided.message);
    CHECK(provided.outcome == "failed");
    CHECK(f.stored(p.id).result_summary->find("another EID") != std::string::npos);
    CHECK_FALSE(f.store->device(kOtherEid).value()->euicc_certificate);
  }
  SECTION("an IpaEuiccDataResponseError is recorded failed; an unknown transaction is not recorded") {
    auto p = data_request(f.eid);
    auto unknown = f.provide(tlv(0xBF52, tlv(0xA1, {hex("8002 0102"), hex("020101")})));
    CHECK(unknown.outcome == "unknown-package");
    CHECK(f.stored(p.id).state == PackageState::delivered);
    auto provided = f.provide(tlv(0xBF52, tlv(0xA1, {tlv(0x80, *p.eim_transaction_id), hex("020101")})));
    CHECK(provided.outcome == "failed");
    CHECK(f.stored(p.id).result_summary == R"({"ipaEuiccDataError":"incorrectTagList"})");
  }
}

TEST_CASE("esipa: a ProfileDownloadTriggerResult is recorded by its eimTransactionId", "[eim][esipa]") {
  Fixture f;
  Bytes id = f.next_transaction_id();
  int64_t counter = f.store->reserve_counter(f.eid).value().value();
  auto p =
      f.queue_request(f.eid, counter, id,
                      tlv(0xBF54, {tlv(0xA0, tlv(0x80, rsp::to_bytes("1$smdp.example.com$MATCH"))), tlv(0x82, id)}));
  auto fetched = f.fetch();
  CHECK(fetched.package() == p.request);
  CHECK(fetched.reply.message.find("profileDownloadTriggerRequest") != std::string::npos);
  auto provided = f.provide(tlv(0xBF54, {tlv(0x82, id), tlv(0x30, hex("800168"))}));
  INFO(provided.message);
  CHECK(provided.outcome == "failed");
  CHECK(f.stored(p.id).result_summary == R"({"profileDownloadError":"ecallActive"})");
}

TEST_CASE("esipa: malformed input is refused with 400 and changes nothing", "[eim][esipa]") {
  Fixture f;
  auto p = f.queue({psmo::enable(kIccid1)});
  Bytes result = f.run_on_card(f.fetch());
  auto before = f.stored(p.id);
  Bytes truncated(result.begin(), result.end() - 1);
  // An EuiccPackageResult alternative the schema does not have.
  Bytes wrong_choice = tlv(0xBF51, tlv(0xA3, rsp::tlv::read(contents(result))->value));
  for (const Bytes& bad :
       {hex("00"), hex("BF4F"), hex("BF50 03 5A 01 00"), tlv(0xBF50, {tlv(0x5A, f.card->eid_bytes), truncated}),
        tlv(0xBF50, {tlv(0x5A, f.card->eid_bytes), wrong_choice}), hex("BF50 00"),
        rsp::concat({tlv(0xBF4F, tlv(0x5A, f.card->eid_bytes)), Bytes{0x00}}), tlv(0xBF3D, hex("0500")), hex("30 00"),
        tlv(0xBF4E, hex("0500"))}) {
    auto reply = f.esipa->handle(bad);
    INFO(rsp::to_hex(bad) << " -> " << reply.message);
    CHECK(reply.http_status == 400);
    CHECK(reply.der_response.empty());
  }
  CHECK(f.stored(p.id) == before);
  CHECK(f.provide(result).outcome == "executed");
}
