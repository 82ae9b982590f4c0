#include "rsp/http/tls_identity.hpp"

#include <openssl/pem.h>

#include "rsp/files.hpp"

namespace rsp::http {
namespace {

std::string_view as_text(const Bytes& b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }

}  // namespace

Expected<std::vector<crypto::Certificate>> read_certificates(const std::filesystem::path& file) {
  auto contents = files::read(file);
  if (!contents) return fail("cannot read certificates from " + file.string() + ": " + contents.error().message);
  std::vector<crypto::Certificate> out;
  if (as_text(*contents).find("-----BEGIN") == std::string_view::npos) {
    auto cert = crypto::Certificate::from_der(*contents);
    if (!cert) return fail(file.string() + ": " + cert.error().message);
    out.push_back(std::move(*cert));
    return out;
  }
  crypto::BioPtr bio(BIO_new_mem_buf(contents->data(), static_cast<int>(contents->size())));
  while (crypto::X509Ptr cert{PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)})
    out.emplace_back(std::move(cert));
  crypto::openssl_error();  // the end of the text leaves a "no start line" error behind
  if (out.empty()) return fail(file.string() + " holds no PEM certificate");
  return out;
}

Expected<TlsIdentity> TlsIdentity::make(std::vector<crypto::Certificate> chain, crypto::PrivateKey key) {
  if (chain.empty()) return fail("the TLS certificate chain is empty");
  if (X509_check_private_key(chain.front().get(), key.get()) != 1) {
    crypto::openssl_error();
    return fail("the TLS private key does not belong to the certificate " + chain.front().subject());
  }
  return TlsIdentity{std::move(chain), std::make_shared<const crypto::PrivateKey>(std::move(key))};
}

Expected<TlsIdentity> TlsIdentity::from_pem_files(const std::filesystem::path& chain_pem,
                                                  const std::filesystem::path& key_pem) {
  auto chain = read_certificates(chain_pem);
  if (!chain) return Unexpected{chain.error()};
  auto pem = files::read(key_pem);
  if (!pem) return fail("cannot read the TLS key " + key_pem.string() + ": " + pem.error().message);
  auto key = crypto::PrivateKey::from_pem(as_text(*pem));
  wipe(*pem);
  if (!key) return fail(key_pem.string() + " is not a usable private key");  // no detail: it could echo the key
  return make(std::move(*chain), std::move(*key));
}

Expected<TlsIdentity> TlsIdentity::from_pki(const std::filesystem::path& dir, crypto::Curve curve, crypto::Role role) {
  auto cert = pki::load_certificate(dir, curve, role);
  if (!cert) return Unexpected{cert.error()};
  auto key = pki::load_key(dir, curve, role);
  if (!key) return Unexpected{key.error()};
  std::vector<crypto::Certificate> chain;
  chain.push_back(std::move(*cert));
  return make(std::move(chain), std::move(*key));
}

}  // namespace rsp::http
