#include "rsp/crypto/bsp.hpp"

#include "rsp/crypto/hmac.hpp"

#include <openssl/core_names.h>

#include <stdexcept>

namespace rsp::crypto {
namespace {

constexpr size_t kBlock = 16;
constexpr size_t kMacSize = 8;

Bytes aes128(const char* mode, bool encrypt, ByteView key, ByteView iv, ByteView data) {
  CipherPtr cipher(EVP_CIPHER_fetch(nullptr, mode, nullptr));
  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (!cipher || !ctx || key.size() != kBlock ||
      EVP_CipherInit_ex2(ctx.get(), cipher.get(), key.data(), iv.empty() ? nullptr : iv.data(), encrypt ? 1 : 0,
                         nullptr) <= 0)
    throw std::runtime_error("AES setup failed: " + openssl_error());
  EVP_CIPHER_CTX_set_padding(ctx.get(), 0);
  Bytes out(data.size() + kBlock);
  int n = 0, tail = 0;
  if (EVP_CipherUpdate(ctx.get(), out.data(), &n, data.data(), static_cast<int>(data.size())) <= 0 ||
      EVP_CipherFinal_ex(ctx.get(), out.data() + n, &tail) <= 0)
    throw std::runtime_error("AES failed: " + openssl_error());
  out.resize(static_cast<size_t>(n + tail));
  return out;
}

Bytes cmac(ByteView key, ByteView data) {
  MacPtr mac(EVP_MAC_fetch(nullptr, "CMAC", nullptr));
  MacCtxPtr ctx(mac ? EVP_MAC_CTX_new(mac.get()) : nullptr);
  char cipher[] = "AES-128-CBC";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER, cipher, 0),
                         OSSL_PARAM_construct_end()};
  Bytes out(kBlock);
  size_t len = 0;
  if (!ctx || EVP_MAC_init(ctx.get(), key.data(), key.size(), params) <= 0 ||
      EVP_MAC_update(ctx.get(), data.data(), data.size()) <= 0 ||
      EVP_MAC_final(ctx.get(), out.data(), &len, out.size()) <= 0)
    throw std::runtime_error("AES-CMAC failed: " + openssl_error());
  return out;
}

}  // namespace

Expected<Bytes> ecka(const PrivateKey& own_secret, const PublicKey& peer_public) {
  if (own_secret.curve() != peer_public.curve()) return fail("ECKA: keys are on different curves");
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, own_secret.get(), nullptr));
  size_t len = 0;
  // Not validated again: every PublicKey was checked on its curve when it was made (from_point,
  // or the certificate decoder's point check) and the curves have cofactor 1.
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) <= 0 ||
      EVP_PKEY_derive_set_peer_ex(ctx.get(), peer_public.get(), 0) <= 0 ||
      EVP_PKEY_derive(ctx.get(), nullptr, &len) <= 0)
    return fail("ECKA failed: " + openssl_error());
  Bytes z(len);
  if (EVP_PKEY_derive(ctx.get(), z.data(), &len) <= 0) return fail("ECKA failed: " + openssl_error());
  z.resize(len);
  return z;
}

SessionKeys::~SessionKeys() {
  wipe(initial_mcv);
  wipe(s_enc);
  wipe(s_mac);
}

Bytes bsp_shared_info(uint8_t key_type, uint8_t key_length, ByteView host_id, ByteView eid) {
  Bytes info{key_type, key_length, static_cast<uint8_t>(host_id.size())};
  info.insert(info.end(), host_id.begin(), host_id.end());
  info.push_back(static_cast<uint8_t>(eid.size()));
  info.insert(info.end(), eid.begin(), eid.end());
  return info;
}

SessionKeys derive_session_keys(ByteView shared_secret, ByteView shared_info) {
  KdfPtr kdf(EVP_KDF_fetch(nullptr, "X963KDF", nullptr));
  KdfCtxPtr ctx(kdf ? EVP_KDF_CTX_new(kdf.get()) : nullptr);
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
                         OSSL_PARAM_construct_octet_string(
                             OSSL_KDF_PARAM_KEY, const_cast<uint8_t*>(shared_secret.data()), shared_secret.size()),
                         OSSL_PARAM_construct_octet_string(
                             OSSL_KDF_PARAM_INFO, const_cast<uint8_t*>(shared_info.data()), shared_info.size()),
                         OSSL_PARAM_construct_end()};
  Bytes out(3 * kBlock);
  if (!ctx || EVP_KDF_derive(ctx.get(), out.data(), out.size(), params) <= 0)
    throw std::runtime_error("X9.63 KDF failed: " + openssl_error());
  SessionKeys keys;
  keys.initial_mcv.assign(out.begin(), out.begin() + kBlock);
  keys.s_enc.assign(out.begin() + kBlock, out.begin() + 2 * kBlock);
  keys.s_mac.assign(out.begin() + 2 * kBlock, out.end());
  wipe(out);
  return keys;
}

Scp03t::Scp03t(const SessionKeys& keys) : s_enc_(keys.s_enc), s_mac_(keys.s_mac), mcv_(keys.initial_mcv) {}

Scp03t::~Scp03t() {
  wipe(s_enc_);
  wipe(s_mac_);
  wipe(mcv_);
}

void Scp03t::replace_keys(ByteView ppk_enc, ByteView ppk_mac, ByteView initial_mcv) {
  wipe(s_enc_);
  wipe(s_mac_);
  s_enc_.assign(ppk_enc.begin(), ppk_enc.end());
  s_mac_.assign(ppk_mac.begin(), ppk_mac.end());
  mcv_.assign(initial_mcv.begin(), initial_mcv.end());
  counter_ = 1;
}

Bytes Scp03t::iv() const {
  Bytes block(kBlock, 0);
  for (size_t i = 0; i < 8; ++i) block[kBlock - 1 - i] = static_cast<uint8_t>(counter_ >> (8 * i));
  return aes128("AES-128-ECB", true, s_enc_, {}, block);
}

Bytes Scp03t::mac(tlv::Tag tag, ByteView payload, size_t value_length) const {
  return cmac(s_mac_, concat({mcv_, tlv::encode_header(tag, value_length), payload}));
}

Bytes Scp03t::protect(tlv::Tag tag, ByteView plaintext) {
  if (tag != 0x86 && tag != 0x87 && tag != 0x88) throw std::logic_error("SCP03t segment tag must be 86, 87 or 88");
  Bytes payload;
  if (tag == 0x88) {
    payload.assign(plaintext.begin(), plaintext.end());
  } else {
    Bytes padded(plaintext.begin(), plaintext.end());
    padded.push_back(0x80);
    while (padded.size() % kBlock) padded.push_back(0x00);
    payload = aes128("AES-128-CBC", true, s_enc_, iv(), padded);
    wipe(padded);
  }
  Bytes full_mac = mac(tag, payload, payload.size() + kMacSize);
  payload.insert(payload.end(), full_mac.begin(), full_mac.begin() + kMacSize);
  mcv_ = full_mac;
  counter_++;
  return tlv::encode(tag, payload);
}

Expected<Bytes> Scp03t::unprotect(ByteView segment, MacCheck check) {
  auto t = tlv::read(segment);
  if (!t) return fail("SCP03t segment: " + t.error().message);
  if (t->whole.size() != segment.size()) return fail("SCP03t segment: trailing bytes after the TLV");
  if (t->tag != 0x86 && t->tag != 0x87 && t->tag != 0x88) return fail("SCP03t segment: unexpected tag");
  if (t->value.size() < kMacSize) return fail("SCP03t segment: shorter than its MAC");
  ByteView payload = t->value.first(t->value.size() - kMacSize);
  ByteView received = t->value.last(kMacSize);
  Bytes full_mac = mac(t->tag, payload, t->value.size());
  if (check == MacCheck::verify && !equal_in_constant_time(ByteView(full_mac).first(kMacSize), received))
    return fail("SCP03t segment: MAC mismatch");
  Bytes plain;
  if (t->tag == 0x88) {
    plain.assign(payload.begin(), payload.end());
  } else {
    if (payload.empty() || payload.size() % kBlock)
      return fail("SCP03t segment: ciphertext not a whole number of blocks");
    plain = aes128("AES-128-CBC", false, s_enc_, iv(), payload);
    size_t end = plain.size();
    while (end > 0 && plain[end - 1] == 0x00) --end;
    if (end == 0 || plain[end - 1] != 0x80 || plain.size() - end >= kBlock) {
      wipe(plain);
      return fail("SCP03t segment: bad padding");
    }
    plain.resize(end - 1);
  }
  mcv_ = full_mac;
  counter_++;
  return plain;
}

}  // namespace rsp::crypto
