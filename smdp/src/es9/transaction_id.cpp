#include "transaction_id.hpp"

#include <algorithm>

#include "rsp/crypto/hmac.hpp"

namespace smdp {

namespace {

constexpr size_t kNonce = 5, kBody = kNonce + 4 + 2 + 2, kMac = TransactionIds::kSize - kBody;

}  // namespace

TransactionIds::TransactionIds(rsp::ByteView secret) : secret_(secret.begin(), secret.end()) {}

TransactionIds::~TransactionIds() { rsp::wipe(secret_); }

rsp::Bytes TransactionIds::mac(rsp::ByteView body) const {
  rsp::Bytes full = rsp::crypto::hmac_sha256(secret_, rsp::concat({rsp::to_bytes("transactionId"), body}));
  full.resize(kMac);
  return full;
}

rsp::Bytes TransactionIds::issue(const IssuedTransaction& what) const {
  rsp::Bytes id = rsp::random_bytes(kNonce);
  const auto expires = static_cast<uint32_t>(what.expires);
  for (int shift = 24; shift >= 0; shift -= 8) id.push_back(static_cast<uint8_t>(expires >> shift));
  id.insert(id.end(), what.server_ci.begin(), what.server_ci.end());
  id.insert(id.end(), what.euicc_ci.begin(), what.euicc_ci.end());
  rsp::Bytes tag = mac(id);
  id.insert(id.end(), tag.begin(), tag.end());
  return id;
}

std::optional<IssuedTransaction> TransactionIds::open(rsp::ByteView transaction_id) const {
  if (transaction_id.size() != kSize) return std::nullopt;
  auto body = transaction_id.first(kBody);
  if (!rsp::crypto::equal_in_constant_time(mac(body), transaction_id.subspan(kBody))) return std::nullopt;
  IssuedTransaction what;
  uint32_t expires = 0;
  for (size_t i = kNonce; i < kNonce + 4; ++i) expires = (expires << 8) | body[i];
  what.expires = expires;
  std::copy_n(body.begin() + kNonce + 4, 2, what.server_ci.begin());
  std::copy_n(body.begin() + kNonce + 6, 2, what.euicc_ci.begin());
  return what;
}

rsp::Bytes TransactionIds::server_challenge(rsp::ByteView transaction_id) const {
  rsp::Bytes challenge =
      rsp::crypto::hmac_sha256(secret_, rsp::concat({rsp::to_bytes("serverChallenge"), transaction_id}));
  challenge.resize(kChallengeSize);
  return challenge;
}

}  // namespace smdp
