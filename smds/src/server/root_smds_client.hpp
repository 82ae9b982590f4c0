#pragma once
// The cascade's client: ES12 calls of this (alternative) SM-DS to the root SM-DS, over mutual TLS
// with this SM-DS's ds-tls as client certificate.
#include <string>

#include "rsp/http/client.hpp"
#include "smds/es12.hpp"

namespace smds {

// RegisterEvent at the root with this SM-DS as rspServerAddress (forwardingIndicator false: the
// root is the end of the cascade).
ForwardEvent forward_register_to_root(rsp::http::Client client, std::string own_address);
ForwardEvent forward_delete_to_root(rsp::http::Client client, std::string own_address);

}  // namespace smds
