// Activation codes (SGP.22 v2.5 §4.1) as a QR code, a config file or the command line gives them:
// rsp::ActivationCode::parse, and what parses must print back to text that parses the same.
#include <cstdlib>

#include "fuzz_target.hpp"
#include "rsp/activation_code.hpp"

namespace activation_code_target {

void run(const uint8_t* data, size_t size) {
  auto code = rsp::ActivationCode::parse(rsp::fuzz::text(data, size));
  if (!code) return;
  auto again = rsp::ActivationCode::parse(code->to_qr_text());
  if (!again || again->smdp_address != code->smdp_address || again->matching_id != code->matching_id ||
      again->smdp_oid != code->smdp_oid || again->confirmation_code_required != code->confirmation_code_required)
    std::abort();  // to_string() wrote something parse() reads otherwise
}

}  // namespace activation_code_target

RSP_FUZZ_TARGET(activation_code, nullptr, activation_code_target::run);
