#pragma once
// What every ES10 function of the card works with: identity, configuration, state and its store.
#include <ctime>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "euicc/card_config.hpp"
#include "euicc/card_state.hpp"
#include "euicc/card_store.hpp"
#include "rsp/crypto/certificate.hpp"
#include "rsp/crypto/keys.hpp"

namespace euicc {

using rsp::ByteView;

// One eUICC certificate chain (CI -> EUM -> eUICC) and the eUICC's key on one curve.
struct Credentials {
  rsp::crypto::Curve curve;
  rsp::crypto::PrivateKey key;
  rsp::crypto::Certificate euicc;
  rsp::crypto::Certificate eum;
  rsp::crypto::Certificate ci;
  Bytes ci_ski;  // SubjectKeyIdentifier of the CI: euiccCiPKIdListForSigning entry
};

struct CardContext {
  explicit CardContext(CardStore s) : store(std::move(s)) {}
  CardStore store;
  CardConfig config;
  CardState state;
  std::string eid;
  Bytes eid_bytes;  // 16 bytes, tag 5A form
  std::vector<Credentials> credentials;
  std::vector<rsp::crypto::Certificate> trusted_cis;  // euiccCiPKIdListForVerification
  std::set<std::string> faults;
  bool created = false;  // this start created the card

  bool fault(const std::string& name) const { return faults.count(name) != 0; }
  time_t now() const { return time(nullptr); }
  // The chain under the CI with this key identifier, if the card has one.
  const Credentials* credentials_for(ByteView ci_ski) const;
  const rsp::crypto::Certificate* trusted_ci(ByteView ski) const;
  std::vector<Bytes> verification_skis() const;
  std::vector<Bytes> signing_skis() const;
  // Signs with the eUICC key of `c` (plain r||s); the fault "wrong-signature" corrupts it.
  Bytes sign(const Credentials& c, ByteView data) const;
  // Persists `state`. A failure leaves the previous state on disk.
  rsp::Status<> commit() const { return store.save_state(state); }
};

struct Options;
// Opens (or on first start creates) the card in options.state_dir; Euicc::open wraps this.
rsp::Expected<std::unique_ptr<CardContext>> open_card_context(const Options& options);

}  // namespace euicc
