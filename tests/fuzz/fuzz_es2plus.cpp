// ES2+ request bodies (SGP.22 v2.5 §5.3, JSON binding §6.5.2) from an operator, as the SM-DP+'s
// HTTP layer hands them over after the TLS client certificate named operator-a:
// smdp::Es2Plus::dispatch(function, operator, body). Input: the function name, a line feed, the body.
#include "fuzz_target.hpp"
#include "smdp_under_fuzz.hpp"

namespace es2plus_target {

using Server = rsp::fuzz::SmdpUnderFuzz;

void run(const uint8_t* data, size_t size) {
  auto& server = rsp::fuzz::the<Server>();
  auto [function, body] = rsp::fuzz::split_named_body(data, size);
  (void)server.es2->dispatch(function, "operator-a", body);
  server.reset();
}

}  // namespace es2plus_target

RSP_FUZZ_TARGET(es2plus, rsp::fuzz::make<es2plus_target::Server>, es2plus_target::run);
