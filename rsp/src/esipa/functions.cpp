// SGP.32 v1.2 §6.1 ESipa: the functions by name and by the tag of their request message.
#include <array>

#include "rsp/esipa/esipa.hpp"
#include "rsp/tlv.hpp"

namespace rsp::esipa {

namespace {

struct Entry {
  Function function;
  std::string_view name;
  tlv::Tag request_tag;  // its EsipaMessageFromIpaToEim alternative (and the response's)
  tlv::Tag error_tag;    // the response's INTEGER error alternative
};

constexpr std::array<Entry, 7> kFunctions{{
    {Function::initiate_authentication, "initiateAuthentication", 0xBF39, 0x81},
    {Function::authenticate_client, "authenticateClient", 0xBF3B, 0x82},
    {Function::get_bound_profile_package, "getBoundProfilePackage", 0xBF3A, 0x81},
    {Function::cancel_session, "cancelSession", 0xBF41, 0x81},
    {Function::handle_notification, "handleNotification", 0xBF3D, 0},
    {Function::get_eim_package, "getEimPackage", 0xBF4F, 0x02},
    {Function::provide_eim_package_result, "provideEimPackageResult", 0xBF50, 0x02},
}};

}  // namespace

std::string_view function_name(Function f) {
  for (const auto& e : kFunctions)
    if (e.function == f) return e.name;
  return "unknown";
}

std::optional<Function> function_named(std::string_view name) {
  for (const auto& e : kFunctions)
    if (e.name == name) return e.function;
  return std::nullopt;
}

std::optional<Function> request_function(ByteView der) {
  auto header = tlv::read_header(der);
  if (!header) return std::nullopt;
  for (const auto& e : kFunctions)
    if (e.request_tag == header->tag) return e.function;
  return std::nullopt;
}

tlv::Tag message_tag(Function f) {
  for (const auto& e : kFunctions)
    if (e.function == f) return e.request_tag;
  return 0;
}

tlv::Tag error_tag(Function f) {
  for (const auto& e : kFunctions)
    if (e.function == f) return e.error_tag;
  return 0;
}

bool ipa_user_agent(std::string_view value) {
  std::string_view product = value.substr(0, value.find(';'));
  while (!product.empty() && (product.back() == ' ' || product.back() == '\t')) product.remove_suffix(1);
  while (!product.empty() && (product.front() == ' ' || product.front() == '\t')) product.remove_prefix(1);
  return product == kUserAgent || product == "gsma-rsp-ipae";
}

}  // namespace rsp::esipa
