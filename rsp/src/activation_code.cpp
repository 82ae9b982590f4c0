#include "rsp/activation_code.hpp"

#include <algorithm>
#include <vector>

namespace rsp {
namespace {

bool valid_oid(std::string_view oid) {
  if (oid.empty() || oid.front() == '.' || oid.back() == '.') return false;
  bool last_dot = false;
  for (char c : oid) {
    if (c == '.') {
      if (last_dot) return false;
      last_dot = true;
    } else if (c < '0' || c > '9') {
      return false;
    } else {
      last_dot = false;
    }
  }
  return true;
}

}  // namespace

Expected<ActivationCode> ActivationCode::parse(std::string_view text) {
  if (text.rfind("LPA:", 0) == 0) text.remove_prefix(4);
  std::vector<std::string> fields;
  size_t start = 0;
  for (;;) {
    size_t end = text.find('$', start);
    fields.emplace_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  if (fields.size() < 3) return fail("activation code needs at least format, SM-DP+ address and AC token");
  if (fields.size() > 5) return fail("activation code has more than 5 fields");
  if (fields[0] != "1") return fail("activation code format '" + fields[0] + "' is not supported (expected 1)");
  ActivationCode ac;
  ac.smdp_address = fields[1];
  if (ac.smdp_address.empty()) return fail("activation code has no SM-DP+ address");
  if (std::any_of(ac.smdp_address.begin(), ac.smdp_address.end(), [](char c) { return c <= ' ' || c == '/'; }))
    return fail("activation code SM-DP+ address is not a host name");
  ac.matching_id = fields[2];
  if (fields.size() > 3 && !fields[3].empty()) {
    if (!valid_oid(fields[3])) return fail("activation code SM-DP+ OID '" + fields[3] + "' is not an OID");
    ac.smdp_oid = fields[3];
  }
  if (fields.size() > 4) {
    if (fields[4] == "1")
      ac.confirmation_code_required = true;
    else if (!fields[4].empty() && fields[4] != "0")
      return fail("activation code confirmation-code flag must be 1 or absent");
  }
  return ac;
}

std::string ActivationCode::to_string() const {
  std::string s = "1$" + smdp_address + "$" + matching_id;
  if (smdp_oid || confirmation_code_required) s += "$" + smdp_oid.value_or("");
  if (confirmation_code_required) s += "$1";
  return s;
}

}  // namespace rsp
