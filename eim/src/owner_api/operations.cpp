// PSMOs and eCOs from the owner's JSON (SGP.32 v1.2 §2.11.1 PSMO, §2.11.2 eCO), each checked here
// so a fleet call refuses bad input once, before any device.
#include <EimConfigurationData.h>

#include <algorithm>

#include "operations.hpp"
#include "rsp/asn1/codec.hpp"
#include "rsp/iccid.hpp"

namespace eim::owner {
namespace {

// The 19 or 20 printed digits of an ICCID.
Answer<std::string> iccid_member(const json& object) {
  auto iccid = mandatory_string(object, "iccid");
  if (!iccid) return iccid;
  bool digits = std::all_of(iccid->begin(), iccid->end(), [](char ch) { return ch >= '0' && ch <= '9'; });
  if (!digits || iccid->size() < 19 || iccid->size() > 20 || !rsp::iccid::to_bytes(*iccid))
    return bad_request("iccid: 19 or 20 digits");
  return iccid;
}

// A dotted OBJECT IDENTIFIER as its DER contents (base-128 arcs, the first two joined).
Answer<Bytes> oid_contents(const std::string& dotted) {
  std::vector<uint64_t> arcs;
  size_t start = 0;
  while (start <= dotted.size()) {
    size_t end = dotted.find('.', start);
    if (end == std::string::npos) end = dotted.size();
    std::string arc = dotted.substr(start, end - start);
    if (arc.empty() || arc.size() > 18 || arc.find_first_not_of("0123456789") != std::string::npos)
      return bad_request("smdpOid: a dotted OID such as 1.3.6.1.4.1.31746");
    arcs.push_back(std::stoull(arc));
    start = end + 1;
  }
  if (arcs.size() < 2 || arcs[0] > 2 || (arcs[0] < 2 && arcs[1] > 39)) return bad_request("smdpOid: not a valid OID");
  Bytes out;
  arcs[1] += arcs[0] * 40;
  for (size_t i = 1; i < arcs.size(); ++i) {
    Bytes arc{static_cast<uint8_t>(arcs[i] & 0x7F)};
    for (uint64_t v = arcs[i] >> 7; v; v >>= 7) arc.insert(arc.begin(), static_cast<uint8_t>(0x80 | (v & 0x7F)));
    out.insert(out.end(), arc.begin(), arc.end());
  }
  return out;
}

Answer<Operation> read_psmo(const std::string& name, const json& args) {
  if (name == "enable" || name == "disable" || name == "delete" || name == "setFallbackAttribute") {
    auto iccid = iccid_member(args);
    if (!iccid) return rsp::Unexpected{iccid.error()};
    if (name == "disable") return psmo::disable(*iccid);
    if (name == "delete") return psmo::remove(*iccid);
    if (name == "setFallbackAttribute") return psmo::set_fallback_attribute(*iccid);
    auto rollback = optional_bool(args, "rollback");
    if (!rollback) return rsp::Unexpected{rollback.error()};
    return psmo::enable(*iccid, *rollback);
  }
  if (name == "listProfileInfo") return psmo::list_profile_info();
  if (name == "getRAT") return psmo::get_rat();
  if (name == "unsetFallbackAttribute") return psmo::unset_fallback_attribute();
  if (name == "setDefaultDpAddress") {
    auto address = mandatory_string(args, "address");
    if (!address) return rsp::Unexpected{address.error()};
    return psmo::set_default_dp_address(*address);
  }
  if (name == "configureImmediateEnable") {
    auto flag = optional_bool(args, "immediateEnable");
    auto oid = optional_string(args, "smdpOid");
    auto address = optional_string(args, "smdpAddress");
    if (!flag) return rsp::Unexpected{flag.error()};
    if (!oid) return rsp::Unexpected{oid.error()};
    if (!address) return rsp::Unexpected{address.error()};
    std::optional<Bytes> contents;
    if (*oid) {
      auto c = oid_contents(**oid);
      if (!c) return rsp::Unexpected{c.error()};
      contents = std::move(*c);
    }
    return psmo::configure_immediate_enable(*flag, contents, *address);
  }
  return bad_request("unknown PSMO '" + name.substr(0, 64) + "'");
}

Answer<Operation> read_eco(const std::string& name, const json& args) {
  if (name == "addEim" || name == "updateEim") {
    auto text = mandatory_string(args, "eimConfigurationData");
    if (!text) return rsp::Unexpected{text.error()};
    auto der = rsp::from_base64(*text);
    if (!der) return bad_request("eimConfigurationData: not base64");
    auto config = rsp::asn1::decode(asn_DEF_EimConfigurationData, *der);
    if (!config) return bad_request("eimConfigurationData: not an EimConfigurationData: " + config.error().message());
    return name == "addEim" ? eco::add_eim(*der) : eco::update_eim(*der);
  }
  if (name == "deleteEim") {
    auto id = mandatory_string(args, "eimId");
    if (!id) return rsp::Unexpected{id.error()};
    if (id->empty() || id->size() > kMaxEimIdLength) return bad_request("eimId: 1 to 128 characters");
    return eco::delete_eim(*id);
  }
  if (name == "listEim") return eco::list_eim();
  return bad_request("unknown eCO '" + name.substr(0, 64) + "'");
}

}  // namespace

Answer<std::vector<Operation>> read_operations(const json& body, bool eco_list, size_t max_operations) {
  auto it = body.find("operations");
  if (it == body.end() || !it->is_array() || it->empty()) return bad_request("operations: a non-empty array");
  if (it->size() > max_operations)
    return bad_request("more than " + std::to_string(max_operations) + " operations in one package");
  std::vector<Operation> operations;
  for (const json& entry : *it) {
    if (!entry.is_object() || entry.size() != 1) return bad_request("each operation is {\"name\": {arguments}}");
    const std::string name = entry.begin().key();
    const json& args = entry.begin().value();
    if (!args.is_object()) return bad_request(name.substr(0, 64) + ": its arguments are a JSON object");
    auto op = eco_list ? read_eco(name, args) : read_psmo(name, args);
    if (!op) return rsp::Unexpected{op.error()};
    operations.push_back(std::move(*op));
  }
  return operations;
}

}  // namespace eim::owner
