#pragma once
// A software eUICC driven in-process through its APDU layer, which has the PKI's eIM by
// AddInitialEim and two disabled profiles, and the eIM's store with it as a device; packages are
// queued as the owner side queues them (reserve_counter, build_euicc_package_request, enqueue).
#include <catch2/catch.hpp>

#include <ctime>

#include "download_fixture.hpp"
#include "eim/euicc_package.hpp"
#include "eim/store.hpp"
#include "rsp/eid.hpp"
#include "rsp/tlv.hpp"

namespace eim::test {

using rsp::Bytes;
using rsp::ByteView;
using rsp::crypto::Curve;
using rsp::crypto::Role;
using rsp::test::hex;
namespace crypto = rsp::crypto;

inline const std::string kEimId = "eim.example.org";
inline const std::string kIccid1 = "8949449999999990049";
inline const std::string kIccid2 = "89000123456789012341";
inline const std::string kOtherEid = *rsp::eid::complete("890490320000000000000000000002");

inline Bytes tlv(rsp::tlv::Tag tag, std::initializer_list<ByteView> parts) {
  return rsp::tlv::encode(tag, rsp::concat(parts));
}
inline Bytes tlv(rsp::tlv::Tag tag, ByteView value) { return rsp::tlv::encode(tag, value); }
inline Bytes contents(ByteView der) {
  auto t = rsp::tlv::read(der).value();
  return Bytes(t.value.begin(), t.value.end());
}
inline int64_t integer_of(ByteView v) {
  int64_t x = (v[0] & 0x80) ? -1 : 0;
  for (uint8_t b : v) x = static_cast<int64_t>((static_cast<uint64_t>(x) << 8) | b);
  return x;
}

// EimConfigurationData for an eIM known by its certificate (or bare key), asking for a token.
inline Bytes configuration(const std::string& id, const crypto::PrivateKey& key,
                           const std::optional<crypto::Certificate>& cert) {
  Bytes key_data = cert ? tlv(0xA1, contents(cert->der())) : tlv(0xA0, contents(key.public_key().spki_der()));
  return tlv(0x30, {tlv(0x80, rsp::to_bytes(id)), tlv(0x81, rsp::to_bytes(id)), tlv(0x82, Bytes{2}),
                    tlv(0x83, Bytes{0}), tlv(0x84, Bytes{0}), tlv(0xA5, key_data), tlv(0x87, Bytes{0x07, 0x80})});
}

// A software eUICC out of the factory with the PKI's eIM (AddInitialEim) and two disabled profiles.
struct CardWithEim : euicc::test::CardFixture {
  crypto::PrivateKey eim_key = rsp::pki::load_key(pki, Curve::nist_p256, Role::eim).value();
  crypto::Certificate eim_cert = rsp::pki::load_certificate(pki, Curve::nist_p256, Role::eim).value();
  std::optional<int64_t> token;

  CardWithEim() {
    // Factory: AddInitialEim, BF57 { A0 { 84 associationToken } }.
    Bytes response = call(tlv(0xBF57, tlv(0xA0, configuration(kEimId, eim_key, eim_cert))));
    auto ok = rsp::tlv::read(rsp::tlv::read(response)->value).value();
    REQUIRE(ok.tag == 0xA0);
    auto first = rsp::tlv::read(ok.value).value();
    REQUIRE(first.tag == 0x84);
    token = integer_of(first.value);
    install(kIccid1, 0x10);
    install(kIccid2, 0x11);
  }

  // A profile as a download leaves it, disabled.
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
    p.store_metadata =
        tlv(0xBF25, {tlv(0x5A, rsp::iccid::to_bytes(iccid).value()), tlv(0x91, rsp::to_bytes(p.service_provider_name)),
                     tlv(0x92, rsp::to_bytes(p.profile_name))});
    card->state.profiles.push_back(p);
    REQUIRE(card->store.write_profile_package(iccid, hex("A0 03 80 01 02")));
    REQUIRE(card->commit());
  }
};

// The card and the eIM's store with it as a device; packages queued as the owner side queues
// them (reserve_counter, build_euicc_package_request, enqueue).
struct EimCard : CardWithEim {
  std::string url = "sqlite:" + (dir.path() / "eim.db").string();
  std::unique_ptr<eim::EimStore> store;
  int64_t now = static_cast<int64_t>(time(nullptr));
  std::string eid;
  int transactions = 0;

  explicit EimCard(std::optional<std::string> database = std::nullopt) {
    if (database) url = *database;
    store = eim::open_eim_store(url).value();
    eid = rsp::eid::from_bytes(card->eid_bytes).value();
    add_device(eid, true);
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
  eim::PackageRecord stored(int64_t id) { return store->package(id).value().value(); }
  euicc::ProfileState state_of(const std::string& iccid) { return card->state.find_profile(iccid)->state; }
};

}  // namespace eim::test
