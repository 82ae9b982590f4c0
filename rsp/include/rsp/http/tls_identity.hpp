#pragma once
// A TLS identity: a certificate chain and its private key, as a server listener presents it or
// a client shows it for mutual TLS (ES2+). Copies share the key; nothing here prints key material.
#include <filesystem>
#include <memory>
#include <vector>

#include "rsp/crypto/certificate.hpp"
#include "rsp/crypto/keys.hpp"
#include "rsp/expected.hpp"
#include "rsp/pki/pki_layout.hpp"

namespace rsp::http {

struct TlsIdentity {
  std::vector<crypto::Certificate> chain;  // leaf first, then intermediates (not the root)
  std::shared_ptr<const crypto::PrivateKey> key;

  // Checks that the chain is not empty and that the key belongs to the leaf.
  static Expected<TlsIdentity> make(std::vector<crypto::Certificate> chain, crypto::PrivateKey key);
  // A PEM file with the leaf (and optionally intermediates) and a PEM key file.
  static Expected<TlsIdentity> from_pem_files(const std::filesystem::path& chain_pem,
                                              const std::filesystem::path& key_pem);
  // A test PKI's <curve>/<role>.pem and <role>.key.pem, e.g. the SM-DP+'s dp-tls.
  static Expected<TlsIdentity> from_pki(const std::filesystem::path& dir, crypto::Curve curve,
                                        crypto::Role role = crypto::Role::dp_tls);
};

// Every certificate in a PEM text (or the one certificate of a DER file), in order.
Expected<std::vector<crypto::Certificate>> read_certificates(const std::filesystem::path& file);

}  // namespace rsp::http
