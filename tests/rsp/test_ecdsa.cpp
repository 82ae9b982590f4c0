#include <catch2/catch.hpp>

#include <cstdlib>

#include "rsp/crypto/ecdsa.hpp"
#include "rsp/files.hpp"
#include "support/kit.hpp"

using namespace rsp;
using namespace rsp::crypto;

namespace {

const Curve kCurves[] = {Curve::nist_p256, Curve::brainpool_p256r1};

int run(const std::string& command) { return std::system((command + " >/dev/null 2>&1").c_str()); }

}  // namespace

TEST_CASE("ECDSA signs and verifies plain r||s on both RSP curves") {
  for (Curve curve : kCurves) {
    INFO(group_name(curve));
    auto key = PrivateKey::generate(curve);
    CHECK(key.curve() == curve);
    Bytes message = to_bytes("serverSigned1 bytes");
    Bytes sig = sign(key, message);
    CHECK(sig.size() == kPlainSignatureSize);
    CHECK(verify(key.public_key(), message, sig));
    message.back() ^= 1;
    CHECK_FALSE(verify(key.public_key(), message, sig));
    message.back() ^= 1;
    sig[10] ^= 0x40;
    CHECK_FALSE(verify(key.public_key(), message, sig));
    CHECK_FALSE(verify(PrivateKey::generate(curve).public_key(), message, sign(key, message)));
    CHECK_FALSE(verify(key.public_key(), message, Bytes(63, 1)));
  }
}

TEST_CASE("DER and plain signature forms convert both ways") {
  auto key = PrivateKey::generate(Curve::nist_p256);
  Bytes plain = sign(key, to_bytes("x"));
  auto der = plain_to_der(plain);
  REQUIRE(der);
  CHECK((*der)[0] == 0x30);
  CHECK(der_to_plain(*der).value() == plain);
  // Small r and s keep their leading zero bytes in the plain form.
  auto small = der_to_plain(test::hex("3006020101020102"));
  REQUIRE(small);
  CHECK(to_hex(*small) == std::string(62, '0') + "01" + std::string(62, '0') + "02");
  CHECK_FALSE(der_to_plain(test::hex("3006020101020102FF")));  // trailing byte
  CHECK_FALSE(der_to_plain(test::hex("30060201")));
  CHECK_FALSE(plain_to_der(Bytes(65, 1)));
}

TEST_CASE("one-time public keys load from their uncompressed point, and bad points are refused") {
  for (Curve curve : kCurves) {
    auto key = PrivateKey::generate(curve);
    auto point = key.point();
    CHECK(point.size() == 65);
    auto pub = PublicKey::from_point(curve, point);
    REQUIRE(pub);
    CHECK(pub->point() == point);
    point[40] ^= 1;  // almost surely off the curve
    CHECK_FALSE(PublicKey::from_point(curve, point));
    CHECK_FALSE(PublicKey::from_point(curve, Bytes(33, 2)));
  }
}

TEST_CASE("signatures agree with the openssl command line, both directions") {
  if (run("openssl version") != 0) {
    std::printf("skipped: openssl command line not installed\n");
    std::_Exit(77);
  }
  for (Curve curve : kCurves) {
    INFO(group_name(curve));
    test::TempDir dir;
    auto key = PrivateKey::generate(curve);
    auto msg = to_bytes("the message both sides sign");
    REQUIRE(files::write_atomic(dir.path() / "msg", msg));
    REQUIRE(files::write_atomic(dir.path() / "key.pem", key.to_pem(), files::Access::secret));
    auto pub_der = key.public_key().spki_der();
    REQUIRE(files::write_atomic(dir.path() / "pub.der", pub_der));
    // Ours -> openssl verifies.
    auto der = plain_to_der(sign(key, msg)).value();
    REQUIRE(files::write_atomic(dir.path() / "ours.sig", der));
    auto d = dir.path().string();
    CHECK(run("openssl dgst -sha256 -verify " + d + "/pub.der -keyform DER -signature " + d + "/ours.sig " + d +
              "/msg") == 0);
    // openssl signs -> ours verifies.
    REQUIRE(run("openssl dgst -sha256 -sign " + d + "/key.pem -out " + d + "/theirs.sig " + d + "/msg") == 0);
    auto theirs = files::read(dir.path() / "theirs.sig").value();
    CHECK(verify(key.public_key(), msg, der_to_plain(theirs).value()));
  }
}
