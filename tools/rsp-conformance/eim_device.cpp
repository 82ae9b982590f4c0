#include "eim_device.hpp"

#include <atomic>
#include <chrono>
#include <nlohmann/json.hpp>

#include "ipa/sgp32_es10b.hpp"
#include "rsp/eid.hpp"
#include "rsp/pki/pki_layout.hpp"
#include "rsp/tlv.hpp"

namespace conformance {

using nlohmann::json;
using rsp::Bytes;

std::string fresh_eid() {
  static std::atomic<unsigned> serial{0};
  auto now = static_cast<unsigned long long>(std::chrono::system_clock::now().time_since_epoch().count());
  return rsp::eid::complete("89049032999900" +
                            std::to_string(1000000000000000ULL + (now + ++serial) % 9000000000000000ULL))
      .value();
}

rsp::Expected<rsp::crypto::Certificate> eim_certificate(const EimTarget& t) {
  auto curves = rsp::pki::curves_present(t.pki);
  if (curves.empty()) return rsp::fail("--pki has no curve");
  auto cert = rsp::pki::load_certificate(t.pki, curves.front(), rsp::crypto::Role::eim);
  if (!cert) return rsp::fail("--pki has no eim certificate (the eIM under test's): " + cert.error().message);
  return cert;
}

std::variant<RegisteredEuicc, Outcome> register_harness_euicc(const EimTarget& t,
                                                              const rsp::crypto::PrivateKey* eim_key) {
  if (!t.owner)
    return not_applicable(
        "needs --owner-url, --owner-cert and --owner-key to register the harness's eUICC and queue a PSMO");
  SmdpTarget maker;
  maker.pki = t.pki;
  maker.work_dir = t.work_dir;
  auto euicc = maker.new_euicc();
  if (!euicc) return not_applicable(euicc.error().message);
  RegisteredEuicc r{std::move(*euicc), {}, std::nullopt};
  r.eid = r.euicc->eid();
  // eimPublicKeyData A5 { A0 eimPublicKey | A1 eimCertificate }, each the SEQUENCE's contents (IMPLICIT).
  Bytes key_data;
  if (eim_key) {
    Bytes spki = eim_key->public_key().spki_der();
    auto sequence = rsp::tlv::read(spki);
    key_data = rsp::tlv::encode(0xA0, Bytes(sequence->value.begin(), sequence->value.end()));
  } else {
    auto cert = eim_certificate(t);
    if (!cert) return not_applicable(cert.error().message);
    Bytes der = cert->der();
    auto sequence = rsp::tlv::read(der);
    key_data = rsp::tlv::encode(0xA1, Bytes(sequence->value.begin(), sequence->value.end()));
  }
  Bytes members = rsp::tlv::encode(0x80, rsp::to_bytes(t.eim_id));
  Bytes key = rsp::tlv::encode(0xA5, key_data);
  members.insert(members.end(), key.begin(), key.end());
  auto initial = ipa::sgp32::add_initial_eim(r.euicc->channel(), {rsp::tlv::encode(0x30, members)});
  if (!initial) return fail("the harness eUICC refused AddInitialEim: " + initial.error().message);
  if (!initial->empty()) r.association_token = initial->front();
  auto certs = ipa::sgp32::get_certs(r.euicc->channel());
  if (!certs) return fail("the harness eUICC's GetCerts: " + certs.error().message);
  json device{{"eid", r.eid},
              {"eimId", t.eim_id},
              {"euiccCertificate", rsp::to_base64(certs->euicc_certificate)},
              {"eumCertificate", rsp::to_base64(certs->eum_certificate)}};
  auto added = t.owner_call("/eim/v1/devices/add", device.dump());
  if (!added && added.error().message.find("HTTP 409") == std::string::npos)  // 409: registered by an earlier run
    return not_applicable("the owner API did not register " + r.eid + ": " + added.error().message);
  return r;
}

std::optional<Outcome> queue_get_rat(const EimTarget& t, const std::string& eid) {
  auto queued = t.owner_call(
      "/eim/v1/psmo",
      json{{"target", {{"eid", eid}}}, {"operations", json::array({{{"getRAT", json::object()}}})}}.dump());
  if (!queued) return not_applicable("the owner API did not queue a getRAT PSMO: " + queued.error().message);
  return std::nullopt;
}

std::variant<Bytes, Outcome> fetch_euicc_package(const EimTarget& t, const std::string& eid) {
  for (int round = 0; round < 5; ++round) {
    auto answer = t.get_eim_package(rsp::eid::to_bytes(eid).value());
    if (!answer) return fail("expected the queued euiccPackageRequest, got " + answer.error().message);
    auto package = ipa::esipa::read_get_eim_package_response(*answer);
    if (!package) return fail("expected a GetEimPackageResponse, got " + package.error().message);
    if (package->kind == ipa::esipa::EimPackage::Kind::euicc_package_request) return package->tlv;
    if (package->kind == ipa::esipa::EimPackage::Kind::eim_package_error)
      return fail("expected the queued euiccPackageRequest, got " +
                  ipa::esipa::eim_package_error_name(package->eim_package_error));
  }
  return fail("expected the queued euiccPackageRequest within 5 packages");
}

rsp::Expected<ipa::esipa::ProvideEimPackageResultAnswer> provide_result(const EimTarget& t, const std::string& eid,
                                                                        const Bytes& result) {
  auto message = ipa::esipa::provide_eim_package_result(rsp::eid::to_bytes(eid).value(), result);
  if (!message) return rsp::fail(message.error().message);
  auto answer = t.call(*message);
  if (!answer) return rsp::fail(answer.error().message);
  return ipa::esipa::read_provide_eim_package_result_response(*answer);
}

rsp::Expected<int> executed_packages(const EimTarget& t, const std::string& eid) {
  auto status = t.owner_call("/eim/v1/status", json{{"target", {{"eid", eid}}}}.dump());
  if (!status) return rsp::fail(status.error().message);
  int n = 0;
  json answer = json::parse(*status, nullptr, false);
  if (answer.is_discarded() || !answer.contains("devices") || answer["devices"].empty())
    return rsp::fail("owner API status: not the device list");
  for (const auto& p : answer["devices"][0]["packages"])
    if (p.value("state", "") == "executed") ++n;
  return n;
}

}  // namespace conformance
