#pragma once
// The Bound Profile Package (SGP.22 v2.5 §2.5.5, §5.5 ES8+): built by the SM-DP+ for one eUICC's
// one-time key, and cut by the LPA/IPA into the STORE DATA commands of LoadBoundProfilePackage.
#include <optional>
#include <vector>

#include "rsp/bytes.hpp"
#include "rsp/crypto/keys.hpp"
#include "rsp/expected.hpp"

namespace rsp::bpp {

// Profile protection keys, sent in ReplaceSessionKeys (A2) to protect the profile elements.
struct ProfileProtectionKeys {
  Bytes ppk_enc;
  Bytes ppk_mac;
  Bytes initial_mcv;
};

struct BindingInput {
  Bytes transaction_id;
  Bytes host_id;                                  // 1..16 bytes, part of the KDF's SharedInfo
  Bytes eid;                                      // 16 bytes
  const crypto::PrivateKey* dp_pb_key = nullptr;  // signs InitialiseSecureChannel (smdpSign)
  const crypto::PublicKey* euicc_otpk = nullptr;  // otPK.EUICC from PrepareDownload
  Bytes configure_isdp;                           // BF24 ConfigureISDPRequest
  Bytes store_metadata;                           // BF25 StoreMetadataRequest
  Bytes profile_package;                          // the unprotected profile package (ProfileElement stream)
  std::optional<ProfileProtectionKeys> protection;
  // otSK.DP to bind with instead of a fresh one: only the SM-DP+'s conformance-harness fault
  // reuse-otpk (a one-time key used twice); null in service.
  const crypto::PrivateKey* smdp_otsk = nullptr;
};

// Largest plaintext per segment: a full 86 segment is then 1036 bytes, as deployed SM-DP+s send.
constexpr size_t kMaxSegmentPlaintext = 1008;

// BF36 { BF23, A0 {87}, A1 {88..}, [A2 {87}], A3 {86..} } with a fresh otSK.DP (returned via
// `smdp_otpk_out` if given, for logs and tests; the secret never leaves this function).
Expected<Bytes> build(const BindingInput& input, Bytes* smdp_otpk_out = nullptr);

// The STORE DATA commands (before block chaining) that carry `bpp`: BF36 header + BF23, A0 whole,
// A1 header, each 88, A2 whole, A3 header, each 86 (SGP.22 v2.5 §2.5.5; as lpac sends them).
Expected<std::vector<Bytes>> split_for_loading(ByteView bpp);

// The fewest STORE DATA APDUs that can carry `bpp` with at most `block_size` bytes each (255 at
// most in short APDUs): each part SGP.22 v2.5 §2.5.5 has sent as an ES10 command of its own (the
// BF36 header with BF23, A0, the A1 header, each 88, A2, the A3 header, each 86) takes
// ceil(size / block_size) blocks, and no block carries two parts. Read from the TLV sizes alone.
Expected<size_t> minimum_store_data_apdus(ByteView bpp, size_t block_size);

}  // namespace rsp::bpp
