#include "crypto_floor.hpp"

#include <stdexcept>

#include "measurement.hpp"
#include "rsp/crypto/bsp.hpp"
#include "rsp/crypto/ecdsa.hpp"

namespace smdp_bench {

CryptoFloor measure_crypto_floor(rsp::crypto::Curve curve, int rounds) {
  auto signer = rsp::crypto::PrivateKey::generate(curve);
  auto signer_public = signer.public_key();
  auto peer_public = rsp::crypto::PrivateKey::generate(curve).public_key();
  rsp::Bytes message(200, 0xA5);  // about the size of serverSigned1 / smdpSigned2
  rsp::Bytes signature = rsp::crypto::sign(signer, message);

  CryptoFloor floor;
  {
    Stopwatch watch;
    for (int i = 0; i < rounds; ++i) signature = rsp::crypto::sign(signer, message);
    floor.sign_ms = watch.cpu_ms() / rounds;
  }
  {
    Stopwatch watch;
    int good = 0;
    for (int i = 0; i < rounds; ++i) good += rsp::crypto::verify(signer_public, message, signature) ? 1 : 0;
    floor.verify_ms = watch.cpu_ms() / rounds;
    if (good != rounds) throw std::logic_error("a signature made here does not verify");
  }
  {
    Stopwatch watch;
    for (int i = 0; i < rounds; ++i) {
      auto one_time = rsp::crypto::PrivateKey::generate(curve);
      if (!rsp::crypto::ecka(one_time, peer_public)) throw std::logic_error("ECKA failed");
    }
    floor.key_agreement_ms = watch.cpu_ms() / rounds;
  }
  return floor;
}

}  // namespace smdp_bench
