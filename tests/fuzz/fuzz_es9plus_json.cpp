// ES9+ request bodies in the JSON binding (SGP.22 v2.5 §6.5.2) as the SM-DP+'s HTTP layer hands
// them over: smdp::es9plus_json(es9, function, body). Input: the function name, a line feed, the body.
#include "fuzz_target.hpp"
#include "smdp/es9plus_json.hpp"
#include "smdp_under_fuzz.hpp"

namespace es9plus_json_target {

using Server = rsp::fuzz::SmdpUnderFuzz;

void run(const uint8_t* data, size_t size) {
  auto& server = rsp::fuzz::the<Server>();
  auto [function, body] = rsp::fuzz::split_named_body(data, size);
  (void)smdp::es9plus_json(*server.es9, function, body);
  server.reset();
}

}  // namespace es9plus_json_target

RSP_FUZZ_TARGET(es9plus_json, rsp::fuzz::make<es9plus_json_target::Server>, es9plus_json_target::run);
