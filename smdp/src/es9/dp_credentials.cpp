#include "smdp/dp_credentials.hpp"

#include <algorithm>

#include "rsp/pki/pki_layout.hpp"

namespace smdp {

const DpCredentials* DpIdentity::for_ci(rsp::ByteView ci_ski) const {
  for (const auto& c : credentials)
    if (std::ranges::equal(c.ci_ski, ci_ski)) return &c;
  return nullptr;
}

const rsp::crypto::Certificate* DpIdentity::ci(rsp::ByteView ci_ski) const {
  for (const auto& c : cis.all())
    if (auto ski = c.subject_key_id(); ski && std::ranges::equal(*ski, ci_ski)) return &c;
  return nullptr;
}

rsp::Expected<DpIdentity> load_dp_identity(const std::filesystem::path& pki_dir) {
  using rsp::crypto::Role;
  DpIdentity identity;
  std::string missing;
  for (auto curve : rsp::pki::curves_present(pki_dir)) {
    auto ci = rsp::pki::load_certificate(pki_dir, curve, Role::ci);
    auto auth = rsp::pki::load_certificate(pki_dir, curve, Role::dp_auth);
    auto auth_key = rsp::pki::load_key(pki_dir, curve, Role::dp_auth);
    auto pb = rsp::pki::load_certificate(pki_dir, curve, Role::dp_pb);
    auto pb_key = rsp::pki::load_key(pki_dir, curve, Role::dp_pb);
    if (!ci || !auth || !auth_key || !pb || !pb_key || !ci->subject_key_id()) {
      missing += " " + std::string(rsp::crypto::short_name(curve));
      continue;
    }
    if (identity.smdp_oid.empty()) identity.smdp_oid = auth->registered_id().value_or("");
    identity.cis.add(*ci);
    rsp::Bytes ski = *ci->subject_key_id();
    identity.credentials.push_back(DpCredentials{std::move(*ci), std::move(ski), std::move(*auth), std::move(*auth_key),
                                                 std::move(*pb), std::move(*pb_key)});
  }
  if (identity.credentials.empty())
    return rsp::fail(pki_dir.string() + ": no curve folder with ci, dp-auth and dp-pb certificates and keys" +
                     (missing.empty() ? std::string() : " (incomplete:" + missing + ")"));
  return identity;
}

}  // namespace smdp
