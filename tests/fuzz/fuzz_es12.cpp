// ES12 request bodies (SGP.22 v2.5 §5.9, JSON) from an SM-DP+, as the SM-DS's HTTP layer hands them
// over after the TLS client certificate named smdp-a: smds::Es12::dispatch(function, smdp, body).
// Input: the function name, a line feed, the body.
#include "fuzz_target.hpp"
#include "smds_under_fuzz.hpp"

namespace es12_target {

using Server = rsp::fuzz::SmdsUnderFuzz;

void run(const uint8_t* data, size_t size) {
  auto& server = rsp::fuzz::the<Server>();
  auto [function, body] = rsp::fuzz::split_named_body(data, size);
  (void)server.es12->dispatch(function, "smdp-a", body);
  server.reset();
}

}  // namespace es12_target

RSP_FUZZ_TARGET(es12, rsp::fuzz::make<es12_target::Server>, es12_target::run);
