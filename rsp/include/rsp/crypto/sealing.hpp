#pragma once
// Data at rest sealed with AES-256-GCM (issue 13, finding 10): profile packages and their keys in
// the SM-DP+'s database and in the software eUICC's state, so that a copied database, a dump or a
// backup holds no Ki or OPc. The key lives apart from the data (a 0600 key file, or the
// environment), never beside what it seals.
//
// A sealed value: 00 'S' 'L' 01 | key id (4) | nonce (12, random) | ciphertext | tag (16).
// The leading 00 is never the first byte of DER, so data written in clear before is told apart.
// The associated data binds a value to its place (e.g. the profile's ICCID and the column), so a
// sealed value copied into another row does not open there.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "rsp/bytes.hpp"
#include "rsp/expected.hpp"

namespace rsp::crypto {

class SealingKey {
 public:
  static constexpr size_t kSize = 32;  // AES-256
  static constexpr size_t kIdSize = 4;
  static constexpr size_t kOverhead = 4 + kIdSize + 12 + 16;

  // Exactly 32 bytes.
  static Expected<SealingKey> from_bytes(ByteView key);
  // 64 hex digits (surrounding white space ignored).
  static Expected<SealingKey> from_hex(std::string_view text);
  static SealingKey generate();

  SealingKey(const SealingKey& other) = default;
  SealingKey(SealingKey&& other) = default;
  SealingKey& operator=(const SealingKey& other) = default;
  SealingKey& operator=(SealingKey&& other) = default;
  ~SealingKey();

  // Names the key without revealing it: the first 4 bytes of SHA-256("rsp sealing key id" | key).
  const Bytes& id() const { return id_; }
  std::string id_hex() const { return to_hex(id_); }
  // The key as 64 hex digits and a newline: a key file's contents.
  std::string to_key_file_text() const;

  Bytes seal(ByteView plain, ByteView associated) const;
  // The plaintext, or an error that says whether the value was sealed with another key (by id) or
  // is not authentic (altered, or moved from another place). Never echoes the data.
  Expected<Bytes> open(ByteView sealed, ByteView associated) const;

 private:
  explicit SealingKey(Bytes key);
  Bytes key_;
  Bytes id_;
};

// Whether `data` has the sealed form (the marker and room for the nonce and tag).
bool is_sealed(ByteView data);
// The id of the key a sealed value was sealed with; nullopt for data that is not sealed.
std::optional<Bytes> sealed_key_id(ByteView data);

// Key files: the key as 64 hex digits, mode 0600. Reading refuses a file others may read or write
// (mode & 077), one that is missing (the message says so), and contents that are not a key.
Expected<SealingKey> read_sealing_key_file(const std::filesystem::path& file);
// A new random key written to `file`, which must not exist yet (O_EXCL, 0600, synced).
Expected<SealingKey> create_sealing_key_file(const std::filesystem::path& file);

// Where a component's key came from, for its start-up line (never the key itself).
struct ResolvedSealingKey {
  SealingKey key;
  std::string origin;  // "FILE" or "$VARIABLE"
  bool created = false;
};
// The key from environment variable `variable` (64 hex digits) when it is set, else from `file`.
// `named`: the configuration names `file` (then it must exist; naming one and setting the variable
// is refused as ambiguous). nullopt: no variable, and the default file (not named) does not exist
// yet; the caller decides whether a new key may be made (create_sealing_key_file).
Expected<std::optional<ResolvedSealingKey>> resolve_sealing_key(std::string_view variable,
                                                                const std::filesystem::path& file, bool named);

}  // namespace rsp::crypto
