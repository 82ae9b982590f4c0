#pragma once
// SGP.22 v2.5 §5.6.1 transactionId (OCTET STRING SIZE(1..16)) and serverChallenge, issued by
// initiateAuthentication without storing anything, so that a flood of unauthenticated calls costs
// no memory or disk (issue 13, finding 3). What authenticateClient needs of the first call travels
// inside the transactionId under a MAC; the serverChallenge is derived from it:
//
//   transactionId   = nonce (5) | expires (4, unix seconds, big-endian) | server CI (2) | eUICC CI (2) | MAC (3)
//   MAC             = HMAC-SHA-256(secret, "transactionId" | the first 13 bytes), first 3 bytes
//   serverChallenge = HMAC-SHA-256(secret, "serverChallenge" | transactionId), first 16 bytes
//
// Each CI is named by the first two bytes of its SubjectKeyIdentifier, which every instance with
// the same CIs reads alike whatever order it loaded them in. The MAC makes authenticateClient
// refuse a forged or altered identifier before any signature is verified, and keeps cancelSession
// from acknowledging one; what binds a session to its eUICC is the eUICC's signature over the
// transactionId and serverChallenge, given only for a serverSigned1 verified under CERT.DPauth (a
// changed byte changes the serverChallenge too). The nonce keeps identifiers of one second apart:
// at 500 calls/s, 40 bits make two alike within one second about 10^-7 (32 bits showed one pair in
// 10,000 calls under ASan); two alike would only make the second authenticateClient fail as a
// replay, and the device retry. A forged MAC (2^-24) buys nothing but the signature checks, as the
// eUICC signs only a transactionId it read inside a serverSigned1 it verified.
// The secret is kept in the store (Store::shared_secret), one for every instance on a database.
#include <array>
#include <cstdint>
#include <optional>

#include "rsp/bytes.hpp"

namespace smdp {

struct IssuedTransaction {
  using CiPrefix = std::array<uint8_t, 2>;  // the first bytes of the CI's SubjectKeyIdentifier
  int64_t expires = 0;                      // unix seconds
  CiPrefix server_ci{};                     // the SM-DP+'s credentials chain to it
  CiPrefix euicc_ci{};                      // the eUICC's chain must end at it (euiccCiPKIdToBeUsed)
};

class TransactionIds {
 public:
  static constexpr size_t kSize = 16;
  static constexpr size_t kChallengeSize = 16;

  explicit TransactionIds(rsp::ByteView secret);
  ~TransactionIds();
  TransactionIds(const TransactionIds&) = delete;
  TransactionIds& operator=(const TransactionIds&) = delete;

  // A fresh transactionId; `expires` within 0..2^32-1.
  rsp::Bytes issue(const IssuedTransaction& what) const;
  // What an identifier this secret issued carries; nothing for any other bytes (another length,
  // another secret, one bit changed).
  std::optional<IssuedTransaction> open(rsp::ByteView transaction_id) const;
  rsp::Bytes server_challenge(rsp::ByteView transaction_id) const;

 private:
  rsp::Bytes mac(rsp::ByteView body) const;
  rsp::Bytes secret_;
};

}  // namespace smdp
