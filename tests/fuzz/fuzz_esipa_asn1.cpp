// ESipa requests in the ASN.1 binding (SGP.32 v1.2 §6.3: a DER EsipaMessageFromIpaToEim on
// /gsma/rsp2/asn1) as the eIM's HTTP layer hands them over: eim::Esipa::handle(body).
#include "eim_under_fuzz.hpp"
#include "fuzz_target.hpp"

namespace esipa_asn1_target {

using Server = rsp::fuzz::EimUnderFuzz;

void run(const uint8_t* data, size_t size) {
  auto& server = rsp::fuzz::the<Server>();
  (void)server.esipa->handle(rsp::fuzz::bytes(data, size));
}

}  // namespace esipa_asn1_target

RSP_FUZZ_TARGET(esipa_asn1, rsp::fuzz::make<esipa_asn1_target::Server>, esipa_asn1_target::run);
