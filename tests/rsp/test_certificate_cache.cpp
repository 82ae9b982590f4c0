// The remembered certificate work (rsp/crypto/certificate_cache.hpp): a remembered answer is the
// answer for exactly those bytes and that key, a failure is never remembered, and the memory stays
// bounded.
#include <catch2/catch.hpp>

#include "rsp/crypto/certificate_cache.hpp"
#include "rsp/lru_cache.hpp"
#include "rsp/pki/certificate_issuer.hpp"

using namespace rsp;
using namespace rsp::crypto;

namespace {

struct SignedPair {
  PrivateKey ci_key = PrivateKey::generate(Curve::nist_p256);
  Certificate ci;
  Certificate leaf;
  SignedPair() : ci(issue_ci()), leaf(issue_leaf()) {}

  pki::CertificateRequest request(Role role, const char* name) const {
    pki::CertificateRequest r;
    r.role = role;
    r.subject = {{"CN", name}};
    r.not_before = time(nullptr) - 60;
    r.not_after = time(nullptr) + 3600;
    return r;
  }
  Certificate issue_ci() { return pki::issue(request(Role::ci, "CI"), ci_key, nullptr, ci_key).value(); }
  Certificate issue_leaf() {
    return pki::issue(request(Role::dp_auth, "leaf"), PrivateKey::generate(Curve::nist_p256), &ci, ci_key).value();
  }
};

}  // namespace

TEST_CASE("LruCache keeps the most recently used entries up to its capacity") {
  LruCache<int, std::string> cache(2);
  cache.put(1, "one");
  cache.put(2, "two");
  CHECK(cache.find(1) == "one");  // 1 is now the most recent
  cache.put(3, "three");          // so 2 goes
  CHECK_FALSE(cache.find(2));
  CHECK(cache.find(1) == "one");
  CHECK(cache.find(3) == "three");
  cache.put(3, "drei");
  CHECK(cache.find(3) == "drei");
  CHECK(cache.size() == 2);
}

TEST_CASE("signature_verifies remembers a success for that certificate and key only") {
  SignedPair pair;
  auto ci_public = pair.ci_key.public_key();
  auto other = PrivateKey::generate(Curve::nist_p256).public_key();
  CHECK_FALSE(signature_verifies(pair.leaf, other));
  CHECK(signature_verifies(pair.leaf, ci_public));
  CHECK(signature_verifies(pair.leaf, ci_public));  // from memory
  CHECK_FALSE(signature_verifies(pair.leaf, other));
  // The same certificate with one bit of its signature changed is another certificate.
  Bytes der = pair.leaf.der();
  der[der.size() - 5] ^= 0x01;
  auto tampered = Certificate::from_der(der);
  REQUIRE(tampered);
  CHECK_FALSE(signature_verifies(*tampered, ci_public));
}

TEST_CASE("certificate_from_der: exact DER only, and a remembered parse for exactly those bytes") {
  SignedPair pair;
  Bytes der = pair.leaf.der();
  auto parsed = certificate_from_der(der);
  REQUIRE(parsed);
  CHECK(parsed->der() == der);
  // Trailing bytes, or a length in long form where DER has the short one, are not DER.
  Bytes trailing = der;
  trailing.push_back(0x00);
  CHECK_FALSE(certificate_from_der(trailing));
  REQUIRE(der[1] == 0x82);  // a certificate of 256 bytes or more
  Bytes long_form{0x30, 0x83, 0x00, der[2], der[3]};
  long_form.insert(long_form.end(), der.begin() + 4, der.end());
  CHECK_FALSE(certificate_from_der(long_form));
  CHECK_FALSE(remembered_certificate(der));  // nothing is remembered by parsing alone
  remember_certificate(der, pair.leaf);
  auto known = remembered_certificate(der);
  REQUIRE(known);
  CHECK(known->get() == pair.leaf.get());  // the same parsed certificate, shared
  CHECK(certificate_from_der(der)->subject() == pair.leaf.subject());
  CHECK_FALSE(remembered_certificate(trailing));
}
