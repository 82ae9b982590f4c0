#pragma once
// The two bindings of ES11 (SGP.22 v2.5 §5.8) as the client uses them. The requests are ES9+'s
// (the same members, FACTS §7.1/§7.2), so each wire wraps the ES9+ wire of its binding; the
// answers differ: authenticateClient returns Event Records, and the ASN.1 error values mean
// SM-DS codes (8.9.x).
#include <memory>
#include <string>

#include "es9plus_wire.hpp"
#include "ipa/es11_client.hpp"

namespace ipa {

class Es11Wire {
 public:
  virtual ~Es11Wire() = default;
  virtual const Es9Wire& requests() const = 0;
  virtual Es9Result<InitiateAuthenticationResponse> initiate_authentication_answer(const std::string& body) const = 0;
  virtual Es9Result<AuthenticateClientResponseEs11> authenticate_client_answer(const std::string& body) const = 0;
};

std::shared_ptr<const Es11Wire> es11_json_wire();
std::shared_ptr<const Es11Wire> es11_asn1_wire();

// An EventEntries member within the bounds (kMaxEventFieldLength, not empty, printable UTF-8 without
// controls); the problem otherwise.
std::optional<std::string> event_field_problem(const std::string& name, const std::string& value);

}  // namespace ipa
