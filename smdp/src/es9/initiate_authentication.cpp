// SGP.22 v2.5 §5.6.1 ES9+.InitiateAuthentication: the SM-DP+ checks the address it was called
// by, picks a CI both sides share, opens a session and signs serverSigned1 with CERT.DPauth.
#include <algorithm>

#include <EUICCInfo1.h>

#include "es9_message.hpp"
#include "es9_status_codes.hpp"
#include "rsp/crypto/ecdsa.hpp"
#include "rsp/tlv.hpp"
#include "smdp/es9plus.hpp"

namespace smdp {

namespace {

using rsp::tlv::encode;

// SGP.22 v2 servers speak to v2 eUICCs (SVN major 2); v3 adds functions we do not serve.
constexpr uint8_t kSupportedSvnMajor = 2;

std::vector<ByteView> ci_list(ByteView euicc_info1, rsp::tlv::Tag tag) {
  std::vector<ByteView> out;
  auto list = rsp::tlv::find(euicc_info1, tag);
  if (!list) return out;
  auto items = rsp::tlv::read_all(list->value);
  if (items)
    for (const auto& item : *items) out.push_back(item.value);
  return out;
}

}  // namespace

Es9Result<InitiateAuthenticationResponse> Es9Plus::initiate_authentication(const InitiateAuthenticationRequest& request) {
  if (request.smdp_address != settings_.smdp_address)
    return rsp::Unexpected{es9_status::invalid_smdp_address("this SM-DP+ is " + settings_.smdp_address)};
  if (request.euicc_challenge.size() != 16)
    return rsp::Unexpected{es9_status::malformed("8.1", "euiccChallenge must be 16 bytes")};
  if (auto malformed = es9_message::malformed(asn_DEF_EUICCInfo1, request.euicc_info1, "euiccInfo1"))
    return rsp::Unexpected{*malformed};
  ByteView info = rsp::tlv::read(request.euicc_info1)->value;  // DER-like: checked above

  auto svn = rsp::tlv::find(info, 0x82);
  if (!svn || svn->value.size() != 3 || svn->value[0] != kSupportedSvnMajor)
    return rsp::Unexpected{es9_status::svn_not_supported("the eUICC's SGP.22 version is not 2.x")};

  // A CI the eUICC verifies with (DPauth under it) and signs with (its chain under it).
  auto verification = ci_list(info, 0xA9);
  auto signing = ci_list(info, 0xAA);
  auto shared = [&](ByteView ski) {
    for (auto s : signing)
      if (std::ranges::equal(s, ski)) return true;
    return false;
  };
  const DpCredentials* credentials = nullptr;
  bool ci_known = false;
  for (auto ski : verification) {
    if (!identity_.ci(ski) || !shared(ski)) continue;
    ci_known = true;
    if ((credentials = identity_.for_ci(ski))) break;
  }
  if (!ci_known) return rsp::Unexpected{es9_status::no_supported_ci("none of the eUICC's CI key identifiers is supported")};
  if (!credentials) return rsp::Unexpected{es9_status::no_dp_auth_for_ci("no CERT.DPauth under a CI the eUICC supports")};

  SessionRecord session;
  session.transaction_id = rsp::to_hex(rsp::random_bytes(16));
  session.smdp_address = settings_.smdp_address;
  session.euicc_challenge = request.euicc_challenge;
  session.server_challenge = rsp::random_bytes(16);
  session.ci_pkid = credentials->ci_ski;
  session.created = now();
  session.expires = session.created + settings_.session_lifetime;
  if (auto added = store_.add_session(session); !added)
    return rsp::Unexpected{es9_status::execution_error("session store: " + added.error().message)};

  Bytes transaction_id = rsp::from_hex(session.transaction_id).value();
  InitiateAuthenticationResponse response;
  response.transaction_id = session.transaction_id;
  response.server_signed1 = encode(0x30, rsp::concat({encode(0x80, transaction_id), encode(0x81, request.euicc_challenge),
                                                      encode(0x83, rsp::to_bytes(settings_.smdp_address)),
                                                      encode(0x84, session.server_challenge)}));
  response.server_signature1 = encode(0x5F37, rsp::crypto::sign(credentials->dp_auth_key, response.server_signed1));
  response.euicc_ci_pkid_to_be_used = encode(0x04, credentials->ci_ski);
  response.server_certificate = credentials->dp_auth.der();
  return response;
}

}  // namespace smdp
