// Server answers at the IPA: the bodies of an SM-DP+'s ES9+ answers (JSON §6.5 and ASN.1 §6.6, and
// relayed by an eIM over ESipa in both bindings), an SM-DS's ES11 answers (both bindings) and an
// eIM's GetEimPackage and ProvideEimPackageResult answers (ASN.1, and JSON through
// rsp::esipa::response_from_json), read by the same code the IPA's clients read them with, the
// packages an eIM hands out included. Input: one byte choosing the reader, then the body.
#include <functional>
#include <string>
#include <vector>

#include "es11_wire.hpp"
#include "es9plus_wire.hpp"
#include "fuzz_target.hpp"
#include "ipa/esipa_messages.hpp"
#include "rsp/esipa/esipa.hpp"
#include "rsp/esipa/esipa_json.hpp"

namespace ipa_answers_target {

using Reader = std::function<void(const std::string& body)>;

void read_eim_package(rsp::ByteView der) {
  auto package = ipa::esipa::read_get_eim_package_response(der);
  if (!package) return;
  using Kind = ipa::esipa::EimPackage::Kind;
  if (package->kind == Kind::euicc_package_request) (void)ipa::esipa::read_euicc_package_request(package->tlv);
  if (package->kind == Kind::ipa_euicc_data_request) (void)ipa::esipa::read_ipa_euicc_data_request(package->tlv);
  if (package->kind == Kind::profile_download_trigger_request)
    (void)ipa::esipa::read_profile_download_trigger_request(package->tlv);
}

rsp::ByteView view(const std::string& body) {
  return rsp::ByteView(reinterpret_cast<const uint8_t*>(body.data()), body.size());
}

const std::vector<Reader>& readers() {
  static const std::vector<Reader> all = [] {
    std::vector<Reader> r;
    for (auto wire :
         {ipa::es9_json_wire(), ipa::es9_asn1_wire(), ipa::es9_esipa_wire(true), ipa::es9_esipa_wire(false)}) {
      r.push_back([wire](const std::string& b) { (void)wire->initiate_authentication_answer(b); });
      r.push_back([wire](const std::string& b) { (void)wire->authenticate_client_answer(b); });
      r.push_back([wire](const std::string& b) { (void)wire->get_bound_profile_package_answer(b); });
      r.push_back([wire](const std::string& b) { (void)wire->cancel_session_answer(b); });
    }
    for (auto wire : {ipa::es11_json_wire(), ipa::es11_asn1_wire()}) {
      r.push_back([wire](const std::string& b) { (void)wire->initiate_authentication_answer(b); });
      r.push_back([wire](const std::string& b) { (void)wire->authenticate_client_answer(b); });
    }
    using rsp::esipa::Function;
    r.push_back([](const std::string& b) { read_eim_package(view(b)); });
    r.push_back([](const std::string& b) {
      if (auto der = rsp::esipa::response_from_json(Function::get_eim_package, b)) read_eim_package(*der);
    });
    r.push_back([](const std::string& b) { (void)ipa::esipa::read_provide_eim_package_result_response(view(b)); });
    r.push_back([](const std::string& b) {
      if (auto der = rsp::esipa::response_from_json(Function::provide_eim_package_result, b))
        (void)ipa::esipa::read_provide_eim_package_result_response(*der);
    });
    return r;
  }();
  return all;
}

void run(const uint8_t* data, size_t size) {
  if (size == 0) return;
  readers()[data[0] % readers().size()](std::string(reinterpret_cast<const char*>(data + 1), size - 1));
}

}  // namespace ipa_answers_target

RSP_FUZZ_TARGET(ipa_answers, nullptr, ipa_answers_target::run);
