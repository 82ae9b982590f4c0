// 3GPP TS 35.206 §4.1 MILENAGE: OPc, f1, f1*, f2, f3, f4, f5, f5*.
#include "rsp/crypto/milenage.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <stdexcept>
#include <string>

#include "require_length.hpp"
#include "rsp/crypto/openssl.hpp"

namespace rsp::crypto {
namespace {

constexpr size_t kBlock128 = std::tuple_size_v<Block128>;

void cleanse(Block128& b) { OPENSSL_cleanse(b.data(), b.size()); }

Block128 to_block(ByteView v) {
  Block128 b{};
  std::copy(v.begin(), v.end(), b.begin());
  return b;
}

Block128 xor_blocks(const Block128& a, const Block128& b) {
  Block128 out;
  for (size_t i = 0; i < kBlock128; ++i) out[i] = static_cast<uint8_t>(a[i] ^ b[i]);
  return out;
}

// rot(x, r): x cyclically rotated by r bit positions towards the most significant bit (TS 35.206 §4.1),
// i.e. y[i] = x[(i + r) mod 128] with bit 0 the most significant bit of byte 0.
Block128 rotate(const Block128& x, unsigned r) {
  r %= 128;
  const unsigned bytes = r / 8, bits = r % 8;
  Block128 y;
  for (size_t i = 0; i < kBlock128; ++i) {
    uint8_t hi = x[(i + bytes) % kBlock128];
    uint8_t lo = x[(i + bytes + 1) % kBlock128];
    y[i] = bits == 0 ? hi : static_cast<uint8_t>((hi << bits) | (lo >> (8 - bits)));
  }
  return y;
}

// E_K: AES-128 of single blocks, one context per MILENAGE evaluation (no shared mutable state).
class Rijndael {
 public:
  explicit Rijndael(const Block128& key)
      : cipher_(EVP_CIPHER_fetch(nullptr, "AES-128-ECB", nullptr)), ctx_(EVP_CIPHER_CTX_new()) {
    if (!cipher_ || !ctx_ || EVP_EncryptInit_ex2(ctx_.get(), cipher_.get(), key.data(), nullptr, nullptr) <= 0)
      throw std::runtime_error("AES-128 setup failed: " + openssl_error());
    EVP_CIPHER_CTX_set_padding(ctx_.get(), 0);
  }

  Block128 encrypt(const Block128& in) {
    Block128 out;
    int n = 0;
    if (EVP_EncryptUpdate(ctx_.get(), out.data(), &n, in.data(), static_cast<int>(in.size())) <= 0 ||
        n != static_cast<int>(kBlock128))
      throw std::runtime_error("AES-128 failed: " + openssl_error());
    return out;
  }

 private:
  CipherPtr cipher_;
  CipherCtxPtr ctx_;  // EVP_CIPHER_CTX_free cleanses the key schedule
};

Bytes head(const Block128& b, size_t from, size_t length) {
  return Bytes(b.begin() + static_cast<std::ptrdiff_t>(from), b.begin() + static_cast<std::ptrdiff_t>(from + length));
}

}  // namespace

Expected<MilenageConstants> MilenageConstants::from_saip(ByteView rotation_constants, ByteView xoring_constants) {
  if (rotation_constants.size() != 5) return fail("MILENAGE rotationConstants must be 5 bytes");
  if (xoring_constants.size() != 5 * kBlock128) return fail("MILENAGE xoringConstants must be 80 bytes");
  MilenageConstants out;
  for (size_t i = 0; i < 5; ++i) {
    if (rotation_constants[i] > 127) return fail("MILENAGE rotation constant r" + std::to_string(i + 1) + " above 127");
    out.r[i] = rotation_constants[i];
    out.c[i] = to_block(xoring_constants.subspan(i * kBlock128, kBlock128));
  }
  return out;
}

Bytes MilenageConstants::rotation_constants() const { return Bytes(r.begin(), r.end()); }

Bytes MilenageConstants::xoring_constants() const {
  Bytes out;
  for (const auto& ci : c) out.insert(out.end(), ci.begin(), ci.end());
  return out;
}

Expected<Bytes> compute_opc(ByteView k, ByteView op) {
  if (k.size() != kBlock128) return fail("MILENAGE: K must be 16 bytes");
  if (op.size() != kBlock128) return fail("MILENAGE: OP must be 16 bytes");
  Block128 key = to_block(k), op_block = to_block(op);
  Block128 opc = xor_blocks(Rijndael(key).encrypt(op_block), op_block);
  Bytes out(opc.begin(), opc.end());
  cleanse(key);
  cleanse(opc);
  return out;
}

Expected<Milenage> Milenage::create(ByteView k, ByteView opc, const MilenageConstants& constants) {
  if (k.size() != kBlock128) return fail("MILENAGE: K must be 16 bytes");
  if (opc.size() != kBlock128) return fail("MILENAGE: OPc must be 16 bytes");
  for (auto r : constants.r)
    if (r > 127) return fail("MILENAGE: rotation constants must be 0..127 bits");
  Block128 key = to_block(k), opc_block = to_block(opc);
  Milenage m(key, opc_block, constants);
  cleanse(key);
  cleanse(opc_block);
  return m;
}

Expected<Milenage> Milenage::from_op(ByteView k, ByteView op, const MilenageConstants& constants) {
  auto opc = compute_opc(k, op);
  if (!opc) return Unexpected{opc.error()};
  auto m = create(k, *opc, constants);
  wipe(*opc);
  return m;
}

Milenage::Milenage(const Block128& k, const Block128& opc, const MilenageConstants& constants)
    : k_(k), opc_(opc), constants_(constants) {}

Milenage::Milenage(Milenage&& other) noexcept : k_(other.k_), opc_(other.opc_), constants_(other.constants_) {
  cleanse(other.k_);
  cleanse(other.opc_);
}

Milenage& Milenage::operator=(Milenage&& other) noexcept {
  if (this != &other) {
    k_ = other.k_;
    opc_ = other.opc_;
    constants_ = other.constants_;
    cleanse(other.k_);
    cleanse(other.opc_);
  }
  return *this;
}

Milenage::~Milenage() {
  cleanse(k_);
  cleanse(opc_);
}

// OUT1 = E_K(TEMP xor rot(IN1 xor OPc, r1) xor c1) xor OPc, with TEMP = E_K(RAND xor OPc) and
// IN1 = SQN || AMF || SQN || AMF.
Block128 Milenage::out1(ByteView rand, ByteView sqn, ByteView amf) const {
  require_length("MILENAGE", rand, 16, "RAND");
  require_length("MILENAGE", sqn, 6, "SQN");
  require_length("MILENAGE", amf, 2, "AMF");
  Rijndael aes(k_);
  Block128 temp = aes.encrypt(xor_blocks(to_block(rand), opc_));
  Block128 in1{};
  std::copy(sqn.begin(), sqn.end(), in1.begin());
  std::copy(amf.begin(), amf.end(), in1.begin() + 6);
  std::copy(in1.begin(), in1.begin() + 8, in1.begin() + 8);
  Block128 x = xor_blocks(xor_blocks(temp, rotate(xor_blocks(in1, opc_), constants_.r[0])), constants_.c[0]);
  Block128 out = xor_blocks(aes.encrypt(x), opc_);
  cleanse(temp);
  cleanse(x);
  return out;
}

Bytes Milenage::f1(ByteView rand, ByteView sqn, ByteView amf) const {
  Block128 out = out1(rand, sqn, amf);
  Bytes mac_a = head(out, 0, 8);
  cleanse(out);
  return mac_a;
}

Bytes Milenage::f1star(ByteView rand, ByteView sqn, ByteView amf) const {
  Block128 out = out1(rand, sqn, amf);
  Bytes mac_s = head(out, 8, 8);
  cleanse(out);
  return mac_s;
}

// OUTi = E_K(rot(TEMP xor OPc, ri) xor ci) xor OPc for i = 2..5.
AkaOutputs Milenage::f2345(ByteView rand) const {
  require_length("MILENAGE", rand, 16, "RAND");
  Rijndael aes(k_);
  Block128 temp = aes.encrypt(xor_blocks(to_block(rand), opc_));
  Block128 masked = xor_blocks(temp, opc_);
  auto out = [&](size_t i) {
    return xor_blocks(aes.encrypt(xor_blocks(rotate(masked, constants_.r[i]), constants_.c[i])), opc_);
  };
  Block128 out2 = out(1), out3 = out(2), out4 = out(3);
  AkaOutputs result;
  result.ak = head(out2, 0, 6);
  result.res = head(out2, 8, 8);
  result.ck.assign(out3.begin(), out3.end());
  result.ik.assign(out4.begin(), out4.end());
  for (Block128* b : {&temp, &masked, &out2, &out3, &out4}) cleanse(*b);
  return result;
}

Bytes Milenage::f5star(ByteView rand) const {
  require_length("MILENAGE", rand, 16, "RAND");
  Rijndael aes(k_);
  Block128 temp = aes.encrypt(xor_blocks(to_block(rand), opc_));
  Block128 masked = xor_blocks(temp, opc_);
  Block128 out5 = xor_blocks(aes.encrypt(xor_blocks(rotate(masked, constants_.r[4]), constants_.c[4])), opc_);
  Bytes ak_star = head(out5, 0, 6);
  for (Block128* b : {&temp, &masked, &out5}) cleanse(*b);
  return ak_star;
}

}  // namespace rsp::crypto
