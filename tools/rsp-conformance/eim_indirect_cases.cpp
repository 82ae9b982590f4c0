// The eIM role's indirect profile download cases (SGP.32 v1.2 §6.3.2, ESipa InitiateAuthentication
// and AuthenticateClient relayed to an SM-DP+; FACTS §5.1): the SM-DP+ role's ES9+ cases, run with
// the IPA library's ESipa binding through the eIM under test to the SM-DP+ --relay-smdp names. What
// the SM-DP+ answers must reach the harness as it would over ES9+ (the ESipa error values mapped back).
#include <chrono>

#include "eim_device.hpp"
#include "rsp/pki/pki_layout.hpp"

namespace conformance {
namespace {

// The SM-DP+ target whose ES9+ steps go as ESipa messages to the eIM under test.
SmdpTarget relay_target(const EimTarget& t) {
  SmdpTarget s;
  s.address = t.relay_smdp;
  s.pki = t.pki;
  s.work_dir = t.work_dir;
  s.options.binding = t.json ? ipa::Es9Binding::esipa_json : ipa::Es9Binding::esipa_asn1;
  s.options.relay = t.base_url.substr(t.base_url.find("://") + 3);
  s.options.transport_attempts = 1;
  s.options.http.connect_timeout = std::chrono::seconds(5);
  for (auto curve : rsp::pki::curves_present(t.pki))
    s.options.http.trusted_ca_files.push_back(rsp::pki::curve_dir(t.pki, curve) / "ci.pem");
  return s;
}

// The SM-DP+ role's case `smdp_case`, through the eIM.
Outcome relayed(EimTarget& t, const std::string& smdp_case) {
  if (t.relay_smdp.empty())
    return not_applicable("needs --relay-smdp HOST, an SM-DP+ the eIM relays the indirect profile download to");
  auto chosen = select("smdp", smdp_case);
  if (chosen.size() != 1 || !chosen.front()->run_smdp) return fail("the harness has no SM-DP+ case " + smdp_case);
  SmdpTarget target = relay_target(t);
  return chosen.front()->run_smdp(target);
}

Case indirect_case(std::string id, const std::string& smdp_case, std::string sends, std::string expects) {
  Case c{std::move(id),
         "eim",
         "SGP.32 v1.2 §6.3.2 (indirect profile download), SGP.22 v2.5 §5.6",
         std::move(sends),
         std::move(expects) + " (as " + smdp_case + "); n/a without --relay-smdp",
         nullptr};
  c.run_eim = [smdp_case](EimTarget& t) { return relayed(t, smdp_case); };
  return c;
}

}  // namespace

std::vector<Case> eim_indirect_cases() {
  return {
      indirect_case(
          "ESipa.InitiateAuthentication.Relayed", "ES9p.InitiateAuthentication.Nominal",
          "InitiateAuthenticationRequestEsipa for the --relay-smdp SM-DP+, from the harness eUICC",
          "the SM-DP+'s answer: serverSigned1 names that SM-DP+ and the transactionId; the eUICC accepts CERT.DPauth and "
          "serverSignature1"),
      indirect_case("ESipa.AuthenticateClient.RelayedAlteredEuiccSignature1",
                    "ES9p.AuthenticateClient.AlteredEuiccSignature1",
                    "AuthenticateClientRequestEsipa with euiccSignature1's last byte flipped",
                    "the SM-DP+'s refusal relayed: euiccSignatureInvalid 5 (ES9+ 8.1/6.1)"),
      indirect_case("ESipa.AuthenticateClient.RelayedUnknownMatchingId", "ES9p.AuthenticateClient.UnknownMatchingId",
                    "AuthenticateClientRequestEsipa whose ctxParams1 names a matchingId no order has",
                    "the SM-DP+'s refusal relayed: matchingIdRefused 6 (ES9+ 8.2.6/3.8)"),
  };
}

}  // namespace conformance
