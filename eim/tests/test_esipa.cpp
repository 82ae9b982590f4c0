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

#include "download_fixture.hpp"
#include "eim/esipa.hpp"
#include "eim/euicc_package.hpp"
#include "eim/store.hpp"
#include "rsp/asn1/codec.hpp"
#include "rsp/eid.hpp"
#include "rsp/tlv.hpp"
#include "support/sql_backends.hpp"

namespace {

using eim::Esipa;
using eim::EsipaReply;
using eim::PackageState;
using rsp::Bytes;
using rsp::ByteView;
using rsp::crypto::Curve;
using rsp::crypto::Role;
using rsp::test::hex;
namespace crypto = rsp::crypto;
namespace psmo = eim::psmo;
namespace eco = eim::eco;

const std::string kEimId = "eim.example.org";
const std::string kIccid1 = "8949449999999990049";
const std::string kIccid2 = "89000123456789012341";
const std::string kOtherEid = *rsp::eid::complete("890490320000000000000000000002");

Bytes tlv(rsp::tlv::Tag tag, std::initializer_list<ByteView> parts) { return rsp::tlv::encode(tag, rsp::concat(parts)); }
Bytes tlv(rsp::tlv::Tag tag, ByteView value) { return rsp::tlv::encode(tag, value); }
Bytes contents(ByteView der) {
  auto t = rsp::tlv::read(der).value();
  return Bytes(t.value.begin(), t.value.end());
}
int64_t integer_of(ByteView v) {
  int64_t x = (v[0] & 0x80) ? -1 : 0;
  for (uint8_t b : v) x = static_cast<int64_t>((static_cast<uint64_t>(x) << 8) | b);
  return x;
}

// EimConfigurationData of the PKI's eIM (its certificate), asking for an association token.
Bytes configuration(const crypto::Certificate& cert) {
  return tlv(0x30, {tlv(0x80, rsp::to_bytes(kEimId)), tlv(0x81, rsp::to_bytes(kEimId)), tlv(0x82, Bytes{2}),
                    tlv(0x83, Bytes{0}), tlv(0x84, Bytes{0}), tlv(0xA5, tlv(0xA1, contents(cert.der()))),
                    tlv(0x87, Bytes{0x07, 0x80})});
}

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

struct Fixture : euicc::test::CardFixture {
  crypto::PrivateKey eim_key = rsp::pki::load_key(pki, Curve::nist_p256, Role::eim).value();
  std::string url = "sqlite:" + (dir.path() / "eim.db").string();
  std::unique_ptr<eim::EimStore> store;
  int64_t now = 1'800'000'000;
  std::unique_ptr<Esipa> esipa;
  std::string eid;
  std::optional<int64_t> token;
  int transactions = 0;

  explicit Fixture(std::optional<std::string> database = std::nullopt) {
    if (database) url = *database;
    store = eim::open_eim_store(url).value();
    esipa = make_esipa(*store);
    eid = rsp::eid::from_bytes(card->eid_bytes).value();
    // Factory: AddInitialEim, BF57 { A0 { 84 associationToken } }.
    auto eim_cert = rsp::pki::load_certificate(pki, Curve::nist_p256, Role::eim).value();
    Bytes response = call(tlv(0xBF57, tlv(0xA0, configuration(eim_cert))));
    auto ok = rsp::tlv::read(rsp::tlv::read(response)->value).value();
    REQUIRE(ok.tag == 0xA0);
    token = integer_of(rsp::tlv::read(ok.value)->value);
    install(kIccid1, 0x10);
    install(kIccid2, 0x11);
    add_device(eid, true);
  }

  std::unique_ptr<Esipa> make_esipa(eim::EimStore& s) {
    eim::EsipaSettings settings;
    settings.eim_id = kEimId;
    settings.cis.add(rsp::pki::load_certificate(pki, Curve::nist_p256, Role::ci).value());
    settings.clock = [this] { return now; };
    return std::make_unique<Esipa>(s, std::move(settings));
  }

  // The device as the owner registered it; with the PKI's CERT.EUICC/CERT.EUM when `certificates`.
  void add_device(const std::string& device_eid, bool certificates) {
    eim::DeviceRecord d;
    d.eid = device_eid;
    d.owner = "owner-a";
    d.eim_id = kEimId;
    d.association_token = token;
    if (certificates) {
      d.euicc_certificate = rsp::pki::load_certificate(pki, Curve::nist_p256, Role::euicc)->der();
      d.eum_certificate = rsp::pki::load_certificate(pki, Curve::nist_p256, Role::eum)->der();
    }
    REQUIRE(store->add_device(d).value());
  }

  void install(const std::string& iccid, uint8_t aid) {
    euicc::Profile p;
    p.iccid = iccid;
    p.isdp_aid = hex("A0000005591010FFFFFFFF890000");
    p.isdp_aid.push_back(aid);
    p.isdp_aid.push_back(0x00);
    p.state = euicc::ProfileState::disabled;
    p.profile_class = euicc::ProfileClass::operational;
    p.service_provider_name = "Operator";
    p.profile_name = "Profile " + iccid;
    p.ci_ski = card->credentials.front().ci_ski;
    p.smdp_oid = hex("8737");
    p.store_metadata = tlv(0xBF25, {tlv(0x5A, rsp::iccid::to_bytes(iccid).value()),
                                    tlv(0x91, rsp::to_bytes(p.service_provider_name)), tlv(0x92, rsp::to_bytes(p.profile_name))});
    card->state.profiles.push_back(p);
    REQUIRE(card->store.write_profile_package(iccid, hex("A0 03 80 01 02")));
    REQUIRE(card->commit());
  }

  Bytes next_transaction_id() { return Bytes{0x7E, static_cast<uint8_t>(++transactions)}; }

  // What the owner side does: a counter, the signed package, queued for `lifetime` seconds.
  eim::PackageRecord queue(std::vector<eim::Operation> operations, int64_t lifetime = 3600, bool tamper = false) {
    int64_t counter = store->reserve_counter(eid).value().value();
    eim::PackageRequest r;
    r.eim_id = kEimId;
    r.eid = card->eid_bytes;
    r.counter_value = static_cast<uint64_t>(counter);
    r.eim_transaction_id = next_transaction_id();
    r.operations = std::move(operations);
    r.association_token = token;
    Bytes signed_request = eim::build_euicc_package_request(r, eim_key).value();
    if (tamper) signed_request[signed_request.size() - 5] ^= 0x01;
    return queue_request(eid, counter, *r.eim_transaction_id, signed_request, lifetime);
  }
  eim::PackageRecord queue_request(const std::string& device_eid, int64_t counter, const Bytes& transaction_id,
                                   const Bytes& request, int64_t lifetime = 3600) {
    eim::PackageRecord p;
    p.eid = device_eid;
    p.counter_value = counter;
    p.eim_transaction_id = transaction_id;
    p.request = request;
    p.created = now;
    p.expires = now + lifetime;
    REQUIRE(store->enqueue(p));
    return p;
  }

  Bytes get_request(const std::string& device_eid) { return tlv(0xBF4F, tlv(0x5A, rsp::eid::to_bytes(device_eid).value())); }
  Fetched fetch(Esipa* e = nullptr) { return {(e ? e : esipa.get())->handle(get_request(eid))}; }
  // The IPA: the package to the eUICC (ES10b LoadEuiccPackage), its answer as is.
  Bytes run_on_card(const Fetched& f) { return call(f.package()); }
  EsipaReply provide(ByteView result, const std::string& device_eid) {
    return esipa->handle(tlv(0xBF50, {tlv(0x5A, rsp::eid::to_bytes(device_eid).value()), result}));
  }
  EsipaReply provide(ByteView result) { return provide(result, eid); }

  eim::PackageRecord stored(int64_t id) { return store->package(id).value().value(); }
  euicc::ProfileState state_of(const std::string& iccid) { return card->state.find_profile(iccid)->state; }
};

// The answer is a valid EsipaMessageFromEimToIpa.
void check_schema(const EsipaReply& r) {
  INFO(r.message);
  CHECK(rsp::asn1::decode(asn_DEF_EsipaMessageFromEimToIpa, r.der_response));
}

}  // namespace

TEST_CASE("esipa: enable, disable, delete and listEim fetched, run, verified, recorded and acknowledged", "[eim][esipa]") {
  Fixture f;
  struct Step {
    eim::Operation operation;
    std::string summary_part;
  };
  std::vector<Step> steps{{psmo::enable(kIccid1), R"({"code":"ok","operation":"enable"})"},
                          {psmo::disable(kIccid1), R"({"code":"ok","operation":"disable"})"},
                          {psmo::remove(kIccid2), R"({"code":"ok","operation":"delete"})"},
                          {eco::list_eim(), R"({"operation":"listEim"})"}};
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

TEST_CASE("esipa: an unsigned error and a forged result never count; the package stays delivered", "[eim][esipa]") {
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
  CHECK(fetch(hex("BF4F 00")).error() == 4);                                    // missingEid
  CHECK(fetch(hex("BF4F 04 80008100")).error() == 4);                           // notifyStateChange, no EID
  CHECK(fetch(tlv(0xBF4F, tlv(0x5A, Bytes(8, 0x89)))).error() == 3);           // invalidEid: 8 bytes
  Bytes bad_check = rsp::eid::to_bytes(f.eid).value();
  bad_check.back() ^= 0x01;
  CHECK(fetch(tlv(0xBF4F, tlv(0x5A, bad_check))).error() == 3);                // invalidEid: check digits
  auto unknown = fetch(f.get_request(kOtherEid));
  CHECK(unknown.error() == 2);                                                  // eidNotFound
  CHECK(unknown.reply.outcome == "eidNotFound");
  check_schema(unknown.reply);
  auto none = f.fetch();
  CHECK(none.error() == 1);                                                     // noEimPackageAvailable
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
        if (fetched.reply.outcome == "delivered") delivered.push_back(fetched.package());
        else if (fetched.error() == 1) ++empty;
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

TEST_CASE("esipa: IpaEuiccData certificates are kept only when they chain to a CI and name the device", "[eim][esipa]") {
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
  auto p = f.queue_request(f.eid, counter, id,
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
  for (const Bytes& bad : {hex("00"), hex("BF4F"), hex("BF50 03 5A 01 00"), tlv(0xBF50, {tlv(0x5A, f.card->eid_bytes), truncated}),
                           tlv(0xBF50, {tlv(0x5A, f.card->eid_bytes), wrong_choice}),
                           hex("BF50 00"), rsp::concat({tlv(0xBF4F, tlv(0x5A, f.card->eid_bytes)), Bytes{0x00}}),
                           tlv(0xBF3D, hex("0500")), hex("30 00"), tlv(0xBF4E, hex("0500"))}) {
    auto reply = f.esipa->handle(bad);
    INFO(rsp::to_hex(bad) << " -> " << reply.message);
    CHECK(reply.http_status == 400);
    CHECK(reply.der_response.empty());
  }
  CHECK(f.stored(p.id) == before);
  CHECK(f.provide(result).outcome == "executed");
}

TEST_CASE("esipa: the indirect profile download is answered undefinedError; profile notifications are logged", "[eim][esipa]") {
  Fixture f;
  auto reply = f.esipa->handle(tlv(0xBF39, tlv(0x81, Bytes(16, 0x11))));
  INFO(reply.message);
  CHECK(reply.function == "InitiateAuthentication");
  CHECK(reply.der_response == hex("BF39 03 81 01 7F"));
  CHECK(reply.message == "indirect profile download not supported");
  check_schema(reply);
}
