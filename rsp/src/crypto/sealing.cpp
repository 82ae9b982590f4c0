#include "rsp/crypto/sealing.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>

#include <algorithm>
#include <array>
#include <stdexcept>

#include "rsp/crypto/openssl.hpp"

namespace rsp::crypto {
namespace {

constexpr std::array<uint8_t, 4> kMarker{0x00, 'S', 'L', 0x01};  // the format's version is the last byte
constexpr size_t kNonceSize = 12;
constexpr size_t kTagSize = 16;
constexpr size_t kHeaderSize = kMarker.size() + SealingKey::kIdSize;

const EVP_CIPHER* aes256_gcm() {
  static const CipherPtr cipher(EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr));
  if (!cipher) throw std::runtime_error("AES-256-GCM unavailable: " + openssl_error());
  return cipher.get();
}

Bytes key_id(ByteView key) {
  static constexpr std::string_view kLabel = "rsp sealing key id";
  Bytes input = concat({ByteView(reinterpret_cast<const uint8_t*>(kLabel.data()), kLabel.size()), key});
  Bytes digest(32);
  unsigned int length = 0;
  const bool done = EVP_Digest(input.data(), input.size(), digest.data(), &length, EVP_sha256(), nullptr) > 0;
  wipe(input);
  if (!done) throw std::runtime_error("SHA-256 failed: " + openssl_error());
  digest.resize(SealingKey::kIdSize);
  return digest;
}

// The AEAD's associated data: the sealed value's header (marker and key id) and the caller's place.
void add_associated(EVP_CIPHER_CTX* ctx, ByteView header, ByteView associated) {
  int n = 0;
  if (EVP_CipherUpdate(ctx, nullptr, &n, header.data(), static_cast<int>(header.size())) <= 0 ||
      (!associated.empty() &&
       EVP_CipherUpdate(ctx, nullptr, &n, associated.data(), static_cast<int>(associated.size())) <= 0))
    throw std::runtime_error("AES-GCM failed: " + openssl_error());
}

}  // namespace

SealingKey::SealingKey(Bytes key) : key_(std::move(key)), id_(key_id(key_)) {}

SealingKey::~SealingKey() { wipe(key_); }

Expected<SealingKey> SealingKey::from_bytes(ByteView key) {
  if (key.size() != kSize)
    return fail("a sealing key is " + std::to_string(kSize) + " bytes, not " + std::to_string(key.size()));
  return SealingKey(Bytes(key.begin(), key.end()));
}

Expected<SealingKey> SealingKey::from_hex(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.remove_suffix(1);
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  const bool digits = text.size() == 2 * kSize &&
                      std::ranges::all_of(text, [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
  std::optional<Bytes> bytes = digits ? rsp::from_hex(text) : std::nullopt;
  if (!bytes) return fail("a sealing key is written as 64 hex digits");
  auto key = from_bytes(*bytes);
  wipe(*bytes);
  return key;
}

SealingKey SealingKey::generate() { return SealingKey(random_bytes(kSize)); }

std::string SealingKey::to_key_file_text() const { return to_hex(key_) + "\n"; }

Bytes SealingKey::seal(ByteView plain, ByteView associated) const {
  Bytes out(kOverhead + plain.size());
  std::copy(kMarker.begin(), kMarker.end(), out.begin());
  std::copy(id_.begin(), id_.end(), out.begin() + kMarker.size());
  const Bytes nonce = random_bytes(kNonceSize);
  std::copy(nonce.begin(), nonce.end(), out.begin() + kHeaderSize);
  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (!ctx || EVP_CipherInit_ex2(ctx.get(), aes256_gcm(), key_.data(), nonce.data(), 1, nullptr) <= 0)
    throw std::runtime_error("AES-GCM setup failed: " + openssl_error());
  add_associated(ctx.get(), ByteView(out).first(kHeaderSize), associated);
  uint8_t* body = out.data() + kHeaderSize + kNonceSize;
  int n = 0, tail = 0;
  if ((!plain.empty() && EVP_CipherUpdate(ctx.get(), body, &n, plain.data(), static_cast<int>(plain.size())) <= 0) ||
      EVP_CipherFinal_ex(ctx.get(), body + n, &tail) <= 0 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_GET_TAG, kTagSize, body + plain.size()) <= 0)
    throw std::runtime_error("AES-GCM failed: " + openssl_error());
  return out;
}

Expected<Bytes> SealingKey::open(ByteView sealed, ByteView associated) const {
  auto id = sealed_key_id(sealed);
  if (!id) return fail("not a sealed value");
  if (*id != id_) return fail("sealed with another key (key id " + to_hex(*id) + ", this key's id " + id_hex() + ")");
  const ByteView nonce = sealed.subspan(kHeaderSize, kNonceSize);
  const ByteView body = sealed.subspan(kHeaderSize + kNonceSize, sealed.size() - kOverhead);
  Bytes tag(sealed.end() - kTagSize, sealed.end());
  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (!ctx || EVP_CipherInit_ex2(ctx.get(), aes256_gcm(), key_.data(), nonce.data(), 0, nullptr) <= 0)
    throw std::runtime_error("AES-GCM setup failed: " + openssl_error());
  add_associated(ctx.get(), sealed.first(kHeaderSize), associated);
  Bytes plain(body.size());
  int n = 0, tail = 0;
  if (!body.empty() && EVP_CipherUpdate(ctx.get(), plain.data(), &n, body.data(), static_cast<int>(body.size())) <= 0)
    throw std::runtime_error("AES-GCM failed: " + openssl_error());
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_TAG, kTagSize, tag.data()) <= 0 ||
      EVP_CipherFinal_ex(ctx.get(), plain.data() + n, &tail) <= 0) {
    wipe(plain);
    openssl_error();  // clears the queue
    return fail("a sealed value is not authentic (altered, or moved from another place)");
  }
  return plain;
}

bool is_sealed(ByteView data) {
  return data.size() >= SealingKey::kOverhead && std::equal(kMarker.begin(), kMarker.end(), data.begin());
}

std::optional<Bytes> sealed_key_id(ByteView data) {
  if (!is_sealed(data)) return std::nullopt;
  return Bytes(data.begin() + kMarker.size(), data.begin() + kHeaderSize);
}

}  // namespace rsp::crypto
