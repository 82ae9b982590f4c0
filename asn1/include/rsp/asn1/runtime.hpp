#pragma once
// asn1c 0.9.28's run-time writes into type descriptors, made once at start-up (asn1/src/codec.cpp)
// so that decoding and encoding need no lock. Exposed for the tests that prove it.
#include <vector>

#include "rsp/asn1/codec.hpp"

namespace rsp::asn1 {

// The fields of a descriptor that the generated code of a derived type (<T>_inherit_TYPE_descriptor,
// <T>_constraint) rewrites on its first use: its functions and what they read.
struct DescriptorState {
  asn_struct_free_f* free_struct;
  asn_struct_print_f* print_struct;
  asn_constr_check_f* check_constraints;
  ber_type_decoder_f* ber_decoder;
  der_type_encoder_f* der_encoder;
  xer_type_decoder_f* xer_decoder;
  xer_type_encoder_f* xer_encoder;
  per_type_decoder_f* uper_decoder;
  per_type_encoder_f* uper_encoder;
  const void* elements;
  int elements_count;
  const void* specifics;
  const void* per_constraints;
  // Each member's checker: SEQUENCE, CHOICE and SET OF's constraint checks fill an empty one with the
  // member type's check_constraints on first use (as addresses: the type's printf attribute would
  // be dropped in a template argument).
  std::vector<const void*> member_constraints;
  bool operator==(const DescriptorState&) const = default;
};
DescriptorState descriptor_state(const Type& type);

// Every descriptor reachable from the PDU collection: the types and their members' own types.
std::vector<Type*> reachable_types();

// Makes every such write (idempotent; runs before main and before the first codec call).
void settle_descriptors();

}  // namespace rsp::asn1
