#pragma once
// The activation code (SGP.22 v2.5 §4.1): "1$<SM-DP+ address>$<AC token>[$<SM-DP+ OID>[$<CC required flag>]]",
// shown in a QR code with the prefix "LPA:".
#include <optional>
#include <string>
#include <string_view>

#include "rsp/expected.hpp"

namespace rsp {

struct ActivationCode {
  std::string smdp_address;             // FQDN of the SM-DP+
  std::string matching_id;              // AC token; may be empty
  std::optional<std::string> smdp_oid;  // dotted OID, when given
  bool confirmation_code_required = false;

  // Accepts the text with or without "LPA:".
  static Expected<ActivationCode> parse(std::string_view text);
  // Without "LPA:"; trailing optional fields are left out, inner empty ones keep their '$'.
  std::string to_string() const;
  std::string to_qr_text() const { return "LPA:" + to_string(); }
};

}  // namespace rsp
