#include <asn_application.h>

#include "rsp/asn1/types.hpp"

extern "C" {
extern struct asn_TYPE_descriptor_s* asn_pdu_collection[];  // generated with -pdu=all
}

namespace rsp::asn1 {

std::vector<const Type*> all_types() {
  std::vector<const Type*> out;
  for (auto** t = asn_pdu_collection; *t; ++t) out.push_back(*t);
  return out;
}

const Type* find_type(std::string_view name) {
  for (auto** t = asn_pdu_collection; *t; ++t)
    if ((*t)->name && name == (*t)->name) return *t;
  return nullptr;
}

}  // namespace rsp::asn1
