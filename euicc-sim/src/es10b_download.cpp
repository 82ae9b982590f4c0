#include "es10b_download.hpp"

#include <AuthenticateServerRequest.h>
#include <CancelSessionRequest.h>
#include <PrepareDownloadRequest.h>
#include <openssl/rand.h>

#include "bound_profile_package_loader.hpp"
#include "es10b_info.hpp"
#include "rsp/asn1/codec.hpp"
#include "rsp/crypto/certificate_cache.hpp"
#include "rsp/crypto/certificate_chain.hpp"
#include "rsp/crypto/ecdsa.hpp"

namespace euicc {
namespace {

using rsp::crypto::Certificate;
using rsp::crypto::ChainError;
using rsp::crypto::Role;
using rsp::tlv::find;

namespace download_error {
// AuthenticateErrorCode and DownloadErrorCode share these values.
enum ErrorCode : int {
  kInvalidCertificate = 1,
  kInvalidSignature = 2,
  kUnsupportedCurve = 3,
  kNoSessionContext = 4,
  kEuiccChallengeMismatch = 6,
  kCiPkUnknown = 7,
  kInvalidTransactionId = 5,  // DownloadErrorCode
  kUndefinedError = 127,
};
}  // namespace download_error

// A server certificate whose chain verified before is not parsed again (OpenSSL 3 parses a
// certificate's key through its provider decoders, dearer than a signature check).
rsp::Expected<Certificate> server_certificate(ByteView der) {
  if (auto known = rsp::crypto::remembered_certificate(der)) return std::move(*known);
  return Certificate::from_der(der);
}

// BF38 / BF21 error: { A1 { 80 transactionId, 02 code } }.
Bytes error_response(rsp::tlv::Tag tag, ByteView transaction_id, int code) {
  return tlv(tag, tlv(0xA1, {tlv(0x80, transaction_id), tlv_integer(0x02, code)}));
}

int chain_error_code(const rsp::crypto::ChainFailure& f) {
  return f.error == ChainError::curve_mismatch ? download_error::kUnsupportedCurve
                                               : download_error::kInvalidCertificate;
}

}  // namespace

struct DownloadSession::State {
  enum class Step { idle, challenged, authenticated, prepared, loading };
  Step step = Step::idle;
  Bytes euicc_challenge;
  Bytes transaction_id;
  std::string server_address;
  const Credentials* credentials = nullptr;  // the card's chain it signs with
  const Certificate* server_ci = nullptr;    // the CI the server's certificates chain to
  std::optional<Certificate> dp_auth;        // CERT.DPauth, or CERT.DSauth for ES11
  bool event_retrieval = false;              // authenticated an SM-DS (ES11): no download follows
  Bytes euicc_signature1;                    // the 5F37 TLV: smdpSignature2 is computed over it
  std::unique_ptr<BoundProfilePackageLoader> loader;
  std::optional<BindingContext> binding;
  // The one-time key of the last PrepareDownload, kept (in memory only) for a retry that names
  // it in bppEuiccOtpk (SGP.22 v2.5 §3.1.3.3, re-use of otPK.EUICC).
  std::optional<rsp::crypto::PrivateKey> previous_otsk;
};

DownloadSession::DownloadSession(CardContext& card) : card_(card), state_(std::make_unique<State>()) {}
DownloadSession::~DownloadSession() = default;

bool DownloadSession::loading() const { return state_->step == State::Step::loading && state_->loader; }

void DownloadSession::abandon() {
  if (loading() && !state_->loader->finished()) state_->loader->interrupt();
  auto previous = std::move(state_->previous_otsk);
  *state_ = State{};
  state_->previous_otsk = std::move(previous);
}

// SGP.22 v2.5 §5.7.7 ES10b.GetEUICCChallenge: a new challenge starts a new session.
Es10Result DownloadSession::get_euicc_challenge(const Tlv&) {
  abandon();
  Bytes challenge(16);
  RAND_bytes(challenge.data(), static_cast<int>(challenge.size()));
  state_->euicc_challenge = challenge;
  state_->step = State::Step::challenged;
  return tlv(0xBF2E, tlv(0x80, challenge));
}

// SGP.22 v2.5 §5.7.13 ES10b.AuthenticateServer
Es10Result DownloadSession::authenticate_server(const Tlv& request) {
  if (!rsp::asn1::decode(asn_DEF_AuthenticateServerRequest, request.whole))
    return rsp::Unexpected{rsp::apdu::sw::kIncorrectData};
  auto parts = rsp::tlv::read_all(request.value).value();  // shape checked by the decoder above
  const Tlv& server_signed1 = parts[0];
  ByteView server_signature1 = parts[1].value;
  ByteView ci_ski = parts[2].value;
  ByteView certificate = parts[3].whole;
  ByteView ctx_params1 = parts[4].whole;
  Bytes transaction_id = bytes_of(find(server_signed1.value, 0x80)->value);
  auto refuse = [&](int code) -> Es10Result {
    abandon();
    return error_response(0xBF38, transaction_id, code);
  };
  // Conformance fault skip-session-checks: an AuthenticateServer after another one (a replay) goes on.
  if (state_->step != State::Step::challenged &&
      !(card_.fault("skip-session-checks") && state_->step == State::Step::authenticated))
    return refuse(download_error::kNoSessionContext);

  // Both readings of SGP.22 v2.5 §5.7.13 are accepted: the server certificate is verified under the
  // CI its authorityKeyIdentifier names (one of euiccCiPKIdListForVerification), and the card signs
  // under euiccCiPKIdToBeUsed when it has credentials there, else under the server certificate's CI.
  // A euiccCiPKIdToBeUsed in neither list is unknown in both readings.
  if (!card_.credentials_for(ci_ski) && !card_.trusted_ci(ci_ski)) return refuse(download_error::kCiPkUnknown);
  auto server = server_certificate(certificate);
  if (!server) return refuse(download_error::kInvalidCertificate);
  // CERT.DPauth for ES9+ (§3.1.3), CERT.DSauth for ES11 (§3.1.2, §5.8).
  Role role = server->role() == Role::ds_auth ? Role::ds_auth : Role::dp_auth;
  auto aki = server->authority_key_id();
  const Certificate* ci = aki ? card_.trusted_ci(*aki) : nullptr;
  if (!ci) return refuse(download_error::kInvalidCertificate);  // it verifies under no CI the card trusts
  const Credentials* credentials = card_.credentials_for(ci_ski);
  if (!credentials) credentials = card_.credentials_for(*aki);
  if (!credentials) return refuse(download_error::kCiPkUnknown);
  rsp::crypto::TrustedCis cis;
  cis.add(*ci);
  // Conformance fault skip-certificate-check: the server certificate's chain (signature, validity,
  // role) goes unchecked; the CI it names must still be one the card trusts.
  auto server_chain = rsp::crypto::verify_chain(*server, role, {}, cis, card_.now());
  if (!server_chain && !card_.fault("skip-certificate-check")) return refuse(chain_error_code(server_chain.error()));
  if (server_chain) rsp::crypto::remember_certificate(certificate, *server);
  auto key = server->public_key();
  bool check_signature = !card_.fault("skip-signature-check");
  if (!key || (check_signature && !rsp::crypto::verify(*key, server_signed1.whole, server_signature1)))
    return refuse(download_error::kInvalidSignature);
  if (!card_.fault("accept-any-challenge") &&
      !std::equal(state_->euicc_challenge.begin(), state_->euicc_challenge.end(),
                  find(server_signed1.value, 0x81)->value.begin(), find(server_signed1.value, 0x81)->value.end()))
    return refuse(download_error::kEuiccChallengeMismatch);

  ByteView address = find(server_signed1.value, 0x83)->value;
  Bytes euicc_signed1 =
      tlv(0x30, {tlv(0x80, transaction_id), tlv(0x83, address), tlv(0x84, find(server_signed1.value, 0x84)->value),
                 euicc_info2(card_), ctx_params1});
  Bytes signature = card_.sign(*credentials, euicc_signed1);
  state_->euicc_signature1 = tlv(0x5F37, signature);
  state_->transaction_id = transaction_id;
  state_->server_address.assign(address.begin(), address.end());
  state_->credentials = credentials;
  state_->server_ci = ci;
  state_->event_retrieval = role == Role::ds_auth;
  state_->dp_auth = std::move(*server);
  state_->step = State::Step::authenticated;
  return tlv(0xBF38,
             tlv(0xA0, {euicc_signed1, state_->euicc_signature1, credentials->euicc.der(), credentials->eum.der()}));
}

// SGP.22 v2.5 §5.7.5 ES10b.PrepareDownload
Es10Result DownloadSession::prepare_download(const Tlv& request) {
  if (!rsp::asn1::decode(asn_DEF_PrepareDownloadRequest, request.whole))
    return rsp::Unexpected{rsp::apdu::sw::kIncorrectData};
  auto smdp_signed2 = find(request.value, 0x30).value();
  auto smdp_signature2 = find(request.value, 0x5F37).value();
  auto hash_cc = find(request.value, 0x04);
  ByteView certificate;
  for (const auto& part : rsp::tlv::read_all(request.value).value())
    if (part.tag == 0x30 && part.whole.data() != smdp_signed2.whole.data()) certificate = part.whole;
  Bytes transaction_id = bytes_of(find(smdp_signed2.value, 0x80)->value);
  auto refuse = [&](int code) -> Es10Result {
    abandon();
    return error_response(0xBF21, transaction_id, code);
  };
  // An SM-DS session (ES11, SGP.22 v2.5 §5.8) retrieves events; it has no download to prepare.
  if (state_->step != State::Step::authenticated || state_->event_retrieval)
    return refuse(download_error::kNoSessionContext);
  if (transaction_id != state_->transaction_id && !card_.fault("skip-session-checks"))
    return refuse(download_error::kInvalidTransactionId);

  auto dp_pb = server_certificate(certificate);
  if (!dp_pb) return refuse(download_error::kInvalidCertificate);
  rsp::crypto::TrustedCis cis;
  cis.add(*state_->server_ci);
  auto dp_pb_chain = rsp::crypto::verify_chain(*dp_pb, Role::dp_pb, {}, cis, card_.now());
  if (!dp_pb_chain && !card_.fault("skip-certificate-check")) return refuse(chain_error_code(dp_pb_chain.error()));
  if (dp_pb_chain) rsp::crypto::remember_certificate(certificate, *dp_pb);
  auto key = dp_pb->public_key();
  if (!key ||
      (!card_.fault("skip-signature-check") &&
       !rsp::crypto::verify(*key, rsp::concat({smdp_signed2.whole, state_->euicc_signature1}), smdp_signature2.value)))
    return refuse(download_error::kInvalidSignature);
  auto cc_required = find(smdp_signed2.value, 0x01);
  if (cc_required && !cc_required->value.empty() && cc_required->value[0] != 0 && !hash_cc)
    return refuse(download_error::kUndefinedError);

  // otPK.EUICC: the one named for re-use if the card still holds it, else a fresh one.
  std::optional<rsp::crypto::PrivateKey> otsk;
  if (auto reuse = find(smdp_signed2.value, 0x5F49);
      reuse && state_->previous_otsk && state_->previous_otsk->point() == bytes_of(reuse->value))
    otsk = std::move(state_->previous_otsk);
  else
    otsk = rsp::crypto::PrivateKey::generate(key->curve());
  state_->previous_otsk.reset();
  Bytes euicc_signed2 =
      tlv(0x30, {tlv(0x80, transaction_id), tlv(0x5F49, otsk->point()), hash_cc ? hash_cc->whole : ByteView{}});
  Bytes signature = card_.sign(*state_->credentials, rsp::concat({euicc_signed2, smdp_signature2.whole}));

  BindingContext binding{transaction_id, state_->server_address, state_->credentials, std::move(*dp_pb),
                         std::move(otsk)};
  state_->binding = std::move(binding);
  state_->step = State::Step::prepared;
  return tlv(0xBF21, tlv(0xA0, {euicc_signed2, tlv(0x5F37, signature)}));
}

// SGP.22 v2.5 §5.7.14 ES10b.CancelSession
Es10Result DownloadSession::cancel_session(const Tlv& request) {
  if (!rsp::asn1::decode(asn_DEF_CancelSessionRequest, request.whole))
    return rsp::Unexpected{rsp::apdu::sw::kIncorrectData};
  ByteView transaction_id = find(request.value, 0x80)->value;
  ByteView reason = find(request.value, 0x81)->value;
  bool in_session = state_->step != State::Step::idle && state_->step != State::Step::challenged;
  if (!in_session || !std::equal(transaction_id.begin(), transaction_id.end(), state_->transaction_id.begin(),
                                 state_->transaction_id.end()))
    return tlv(0xBF41, tlv_integer(0x81, download_error::kInvalidTransactionId));
  auto oid = state_->dp_auth->registered_id_der();
  if (!oid) return tlv(0xBF41, tlv_integer(0x81, download_error::kUndefinedError));
  Bytes signed_part = tlv(0x30, {tlv(0x80, transaction_id), tlv(0x81, *oid), tlv(0x82, reason)});
  Bytes signature = card_.sign(*state_->credentials, signed_part);
  // Keep the one-time key: the SM-DP+ may offer the same binding again (a retried download).
  std::optional<rsp::crypto::PrivateKey> otsk;
  if (state_->binding) otsk = std::move(state_->binding->euicc_otsk);
  state_->loader.reset();  // a cancelled package installs nothing
  *state_ = State{};
  state_->previous_otsk = std::move(otsk);
  return tlv(0xBF41, tlv(0xA0, {signed_part, tlv(0x5F37, signature)}));
}

// SGP.22 v2.5 §5.7.6 ES10b.LoadBoundProfilePackage
Es10Result DownloadSession::load_bound_profile_package(ByteView command) {
  bool starts = command.size() >= 2 && command[0] == 0xBF && command[1] == 0x36;
  if (starts) {
    if (state_->step != State::Step::prepared || !state_->binding) {
      // No PrepareDownload before: SGP.22 answers with a result naming the first step.
      abandon();
      return rsp::Unexpected{rsp::apdu::sw::kConditionsNotSatisfied};
    }
    state_->loader = std::make_unique<BoundProfilePackageLoader>(card_, std::move(*state_->binding));
    state_->binding.reset();
    state_->step = State::Step::loading;
  }
  if (!loading()) return rsp::Unexpected{rsp::apdu::sw::kConditionsNotSatisfied};
  Bytes response = state_->loader->feed(command);
  if (state_->loader->finished()) *state_ = State{};
  return response;
}

}  // namespace euicc
