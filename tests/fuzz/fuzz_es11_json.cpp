// ES11 request bodies in the JSON binding (SGP.22 v2.5 §5.8, §6.5) as the SM-DS's HTTP layer hands
// them over: smds::es11_json(es11, function, body). Input: the function name, a line feed, the body.
#include "fuzz_target.hpp"
#include "smds/es11_bindings.hpp"
#include "smds_under_fuzz.hpp"

namespace es11_json_target {

using Server = rsp::fuzz::SmdsUnderFuzz;

void run(const uint8_t* data, size_t size) {
  auto& server = rsp::fuzz::the<Server>();
  auto [function, body] = rsp::fuzz::split_named_body(data, size);
  (void)smds::es11_json(*server.es11, function, body);
  server.reset();
}

}  // namespace es11_json_target

RSP_FUZZ_TARGET(es11_json, rsp::fuzz::make<es11_json_target::Server>, es11_json_target::run);
