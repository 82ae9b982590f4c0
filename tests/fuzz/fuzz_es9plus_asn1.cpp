// ES9+ request bodies in the ASN.1 binding (SGP.22 v2.5 §6.6: a DER RemoteProfileProvisioningRequest
// on /gsma/rsp2/asn1) as the SM-DP+'s HTTP layer hands them over: smdp::es9plus_asn1(es9, body).
#include "fuzz_target.hpp"
#include "smdp/es9plus_asn1.hpp"
#include "smdp_under_fuzz.hpp"

namespace es9plus_asn1_target {

using Server = rsp::fuzz::SmdpUnderFuzz;

void run(const uint8_t* data, size_t size) {
  auto& server = rsp::fuzz::the<Server>();
  (void)smdp::es9plus_asn1(*server.es9, rsp::fuzz::bytes(data, size));
  server.reset();
}

}  // namespace es9plus_asn1_target

RSP_FUZZ_TARGET(es9plus_asn1, rsp::fuzz::make<es9plus_asn1_target::Server>, es9plus_asn1_target::run);
