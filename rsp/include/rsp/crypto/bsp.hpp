#pragma once
// Bound profile package protection, SGP.22 v2.5 §2.6.4 and Annex G: ECKA with one-time keys,
// the X9.63 KDF that yields the session keys, and SCP03t protection of BPP segments.
#include "rsp/bytes.hpp"
#include "rsp/crypto/keys.hpp"
#include "rsp/expected.hpp"
#include "rsp/tlv.hpp"

namespace rsp::crypto {

// ECKA-EG/ECDH shared secret Z: x-coordinate of own_secret * peer_public (32 bytes).
Expected<Bytes> ecka(const PrivateKey& own_secret, const PublicKey& peer_public);

// CRT values of InitialiseSecureChannel: keyType '88' (AES), keyLength '10' (16 bytes).
constexpr uint8_t kKeyTypeAes = 0x88;
constexpr uint8_t kKeyLength128 = 0x10;

struct SessionKeys {
  Bytes initial_mcv;  // initial MAC chaining value
  Bytes s_enc;
  Bytes s_mac;
  SessionKeys() = default;
  SessionKeys(SessionKeys&&) = default;
  SessionKeys& operator=(SessionKeys&&) = default;
  ~SessionKeys();
};

// SharedInfo = keyType || keyLength || len(hostId) || hostId || len(EID) || EID.
Bytes bsp_shared_info(uint8_t key_type, uint8_t key_length, ByteView host_id, ByteView eid);
// X9.63 KDF (SHA-256) over Z and SharedInfo, 48 bytes split as MCV || S-ENC || S-MAC.
SessionKeys derive_session_keys(ByteView shared_secret, ByteView shared_info);

// SCP03t segment protection. One instance per direction and session: it carries the MAC
// chaining value and the block counter from segment to segment.
class Scp03t {
 public:
  Scp03t(const SessionKeys& keys);
  Scp03t(const Scp03t&) = delete;
  Scp03t& operator=(const Scp03t&) = delete;
  ~Scp03t();

  // '86'/'87': encrypt then MAC; '88': MAC only. Returns the complete segment TLV.
  Bytes protect(tlv::Tag tag, ByteView plaintext);
  // Verifies the MAC (and decrypts '86'/'87'); returns the plaintext. On failure the state is
  // unchanged and nothing of the segment is returned. MacCheck::skip exists only for the
  // conformance harness's "skip-mac-check" fault card, which must accept a bad MAC.
  enum class MacCheck { verify, skip };
  Expected<Bytes> unprotect(ByteView segment, MacCheck check = MacCheck::verify);

  // ReplaceSessionKeys (BF26): profile protection keys take over, counter restarts at 1.
  void replace_keys(ByteView ppk_enc, ByteView ppk_mac, ByteView initial_mcv);

 private:
  Bytes mac(tlv::Tag tag, ByteView payload, size_t value_length) const;
  Bytes iv() const;
  Bytes s_enc_, s_mac_, mcv_;
  uint64_t counter_ = 1;
};

}  // namespace rsp::crypto
