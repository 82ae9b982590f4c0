#include "smds/ds_credentials.hpp"

#include <algorithm>

#include "rsp/pki/pki_layout.hpp"

namespace smds {

const DsCredentials* DsIdentity::for_ci(rsp::ByteView ci_ski) const {
  for (const auto& c : credentials)
    if (std::ranges::equal(c.ci_ski, ci_ski)) return &c;
  return nullptr;
}

bool DsIdentity::knows_ci(rsp::ByteView ci_ski) const {
  return std::ranges::any_of(cis.all(), [&](const rsp::crypto::Certificate& c) {
    auto ski = c.subject_key_id();
    return ski && std::ranges::equal(*ski, ci_ski);
  });
}

rsp::Expected<DsIdentity> load_ds_identity(const std::filesystem::path& pki_dir) {
  using rsp::crypto::Role;
  DsIdentity identity;
  for (auto curve : rsp::pki::curves_present(pki_dir)) {
    auto ci = rsp::pki::load_certificate(pki_dir, curve, Role::ci);
    auto auth = rsp::pki::load_certificate(pki_dir, curve, Role::ds_auth);
    auto key = rsp::pki::load_key(pki_dir, curve, Role::ds_auth);
    if (!ci || !auth || !key || !ci->subject_key_id()) continue;
    identity.cis.add(*ci);
    rsp::Bytes ski = *ci->subject_key_id();
    identity.credentials.push_back(DsCredentials{std::move(*ci), std::move(ski), std::move(*auth), std::move(*key)});
  }
  if (identity.credentials.empty())
    return rsp::fail(pki_dir.string() +
                     ": no curve folder with ci and ds-auth certificates and key (rsp-pki make writes them)");
  return identity;
}

}  // namespace smds
