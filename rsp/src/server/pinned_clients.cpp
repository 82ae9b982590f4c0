#include "rsp/server/pinned_clients.hpp"

#include "rsp/confirmation_code.hpp"  // sha256
#include "rsp/http/tls_identity.hpp"

namespace rsp::server {

Status<> PinnedClients::add(const std::string& name, const std::filesystem::path& certificate_file) {
  auto certificates = http::read_certificates(certificate_file);
  if (!certificates) return fail(name + ": " + certificates.error().message);
  if (certificates->empty()) return fail(name + ": no certificate in " + certificate_file.string());
  add(name, certificates->front());
  return Ok{};
}

void PinnedClients::add(const std::string& name, const crypto::Certificate& certificate) {
  Pin pin{name, sha256(certificate.der())};
  std::lock_guard lock(mutex_);
  pins_.push_back(std::move(pin));
}

bool PinnedClients::empty() const {
  std::lock_guard lock(mutex_);
  return pins_.empty();
}

void PinnedClients::replace_with(PinnedClients& other) {
  std::scoped_lock lock(mutex_, other.mutex_);
  pins_ = std::move(other.pins_);
  other.pins_.clear();
}

std::string PinnedClients::name_of(const crypto::Certificate& certificate, time_t now) const {
  if (certificate.not_before() > now || certificate.not_after() < now) return {};
  Bytes fingerprint = sha256(certificate.der());
  std::lock_guard lock(mutex_);
  for (const auto& p : pins_)
    if (p.fingerprint == fingerprint) return p.name;
  return {};
}

}  // namespace rsp::server
