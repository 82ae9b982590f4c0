#pragma once
// Every ASN.1 type of our modules, by name (asn1c's PDU collection), for tools that take a
// type name from the user.
#include <string_view>
#include <vector>

#include "rsp/asn1/codec.hpp"

namespace rsp::asn1 {

const Type* find_type(std::string_view name);
std::vector<const Type*> all_types();

}  // namespace rsp::asn1
