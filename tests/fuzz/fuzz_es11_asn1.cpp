// ES11 request bodies in the ASN.1 binding (SGP.22 v2.5 §6.6: A2 { BF39 | BF3B } on /gsma/rsp2/asn1)
// as the SM-DS's HTTP layer hands them over: smds::es11_asn1(es11, body).
#include "fuzz_target.hpp"
#include "smds/es11_bindings.hpp"
#include "smds_under_fuzz.hpp"

namespace es11_asn1_target {

using Server = rsp::fuzz::SmdsUnderFuzz;

void run(const uint8_t* data, size_t size) {
  auto& server = rsp::fuzz::the<Server>();
  (void)smds::es11_asn1(*server.es11, rsp::fuzz::bytes(data, size));
  server.reset();
}

}  // namespace es11_asn1_target

RSP_FUZZ_TARGET(es11_asn1, rsp::fuzz::make<es11_asn1_target::Server>, es11_asn1_target::run);
