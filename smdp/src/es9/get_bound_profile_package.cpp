// SGP.22 v2.5 §5.6.3 ES9+.GetBoundProfilePackage: euiccSignature2 (over euiccSigned2 ||
// smdpSignature2), the confirmation code, then the profile bound to otPK.EUICC. The same otPK
// again (the device lost the answer) gets the same package; a new otPK gets a new binding.
#include <algorithm>

#include <PrepareDownloadResponse.h>

#include "es9_message.hpp"
#include "es9_status_codes.hpp"
#include "rsp/bound_profile_package.hpp"
#include "rsp/confirmation_code.hpp"
#include "rsp/crypto/ecdsa.hpp"
#include "rsp/sql/group_commit.hpp"
#include "rsp/tlv.hpp"
#include "smdp/es9plus.hpp"

namespace smdp {

namespace {

using rsp::tlv::encode;
using rsp::tlv::find;

}  // namespace

Es9Result<GetBoundProfilePackageResponse> Es9Plus::get_bound_profile_package(
    const GetBoundProfilePackageRequest& request) {
  const rsp::sql::DeferredSync one_sync;  // this call's commits share one sync, awaited before it answers
  auto found = live_session(request.transaction_id);
  if (!found) return rsp::Unexpected{found.error()};
  SessionRecord session = std::move(*found);
  if (session.state != SessionState::authenticated && session.state != SessionState::bpp_sent)
    return rsp::Unexpected{es9_status::unknown_transaction("the session is not authenticated")};

  if (auto malformed = es9_message::malformed(asn_DEF_PrepareDownloadResponse, request.prepare_download_response,
                                              "prepareDownloadResponse"))
    return rsp::Unexpected{*malformed};
  auto outer = rsp::tlv::read(request.prepare_download_response).value();  // DER-like: checked above
  auto choice = rsp::tlv::read(outer.value).value();
  if (choice.tag != 0xA0)
    return rsp::Unexpected{es9_status::euicc_signature_invalid("the eUICC refused PrepareDownload")};
  auto ok = es9_message::members(choice.value, {0x30, 0x5F37}, "downloadResponseOk");
  if (!ok) return rsp::Unexpected{ok.error()};
  const auto& euicc_signed2 = (*ok)[0];
  const auto& euicc_signature2 = (*ok)[1];
  auto signed2 = es9_message::members(euicc_signed2.value, {0x80, 0x5F49}, "euiccSigned2");
  if (!signed2) return rsp::Unexpected{signed2.error()};

  if (!settings_.fault("skip-signature-check") &&
      !es9_message::signed_by_euicc(session, rsp::concat({euicc_signed2.whole, session.smdp_signature2}),
                                    euicc_signature2.value))
    return rsp::Unexpected{es9_status::euicc_signature_invalid("euiccSignature2 does not verify")};
  Bytes transaction_id = rsp::from_hex(session.transaction_id).value();
  if (!std::ranges::equal((*signed2)[0].value, transaction_id))
    return rsp::Unexpected{es9_status::unknown_transaction("euiccSigned2 carries another transactionId")};
  Bytes otpk((*signed2)[1].value.begin(), (*signed2)[1].value.end());

  auto lookup = store_.profile(session.iccid);
  if (!lookup) return rsp::Unexpected{es9_status::execution_error("profile store: " + lookup.error().message)};
  if (!*lookup || (*lookup)->transaction_id != session.transaction_id || (*lookup)->eid != session.eid)
    return rsp::Unexpected{es9_status::bpp_not_available("the order is no longer held by this session")};
  ProfileRecord profile = std::move(**lookup);

  if (session.cc_required) {
    auto hash_cc = find(euicc_signed2.value, 0x04);
    if (!hash_cc) return rsp::Unexpected{es9_status::confirmation_code_missing("a confirmation code is required")};
    Bytes expected = rsp::sha256(rsp::concat({profile.confirmation_code_hash, transaction_id}));
    if (!std::ranges::equal(hash_cc->value, expected)) {
      profile.confirmation_attempts_left -= 1;
      bool exhausted = profile.confirmation_attempts_left <= 0;
      if (exhausted) profile.state = ProfileState::error;  // the order ends (SGP.22 v2.5 §3.1.3.3)
      auto updated = store_.update_profile(profile);
      if (!updated || !*updated) return rsp::Unexpected{es9_status::execution_error("the order changed concurrently")};
      auto status = exhausted ? es9_status::confirmation_code_retries_exceeded("no confirmation code attempts left")
                              : es9_status::confirmation_code_refused("wrong confirmation code");
      report(profile, NotificationPoint::confirmation_failure, status);
      return rsp::Unexpected{status};
    }
  }

  GetBoundProfilePackageResponse response;
  response.transaction_id = session.transaction_id;
  if (session.state == SessionState::bpp_sent && session.euicc_otpk == otpk && !session.bound_profile_package.empty()) {
    response.bound_profile_package = session.bound_profile_package;  // a retry: the same binding
    return response;
  }

  const DpCredentials* credentials = identity_.for_ci(session.ci_pkid);
  if (!credentials) return rsp::Unexpected{es9_status::execution_error("the session's credentials are gone")};
  auto euicc_otpk = rsp::crypto::PublicKey::from_point(credentials->dp_pb_key.curve(), otpk);
  if (!euicc_otpk)
    return rsp::Unexpected{es9_status::euicc_signature_invalid("euiccOtpk is not a point on the DPpb curve")};
  rsp::bpp::BindingInput input;
  input.transaction_id = transaction_id;
  input.host_id = settings_.host_id;
  input.eid = rsp::from_hex(session.eid).value_or(Bytes{});
  input.dp_pb_key = &credentials->dp_pb_key;
  input.euicc_otpk = &*euicc_otpk;
  input.configure_isdp = encode(0xBF24, Bytes{});
  input.store_metadata = profile.metadata;
  input.profile_package = profile.package;
  if (!profile.ppk_enc.empty())
    input.protection = rsp::bpp::ProfileProtectionKeys{profile.ppk_enc, profile.ppk_mac, profile.ppk_initial_mcv};
  std::unique_lock<std::mutex> reusing;
  if (settings_.fault("reuse-otpk")) {
    reusing = std::unique_lock(reused_otsk_mutex_);
    auto curve = euicc_otpk->curve();
    input.smdp_otsk = &reused_otsk_.try_emplace(curve, rsp::crypto::PrivateKey::generate(curve)).first->second;
  }
  auto bpp = rsp::bpp::build(input);
  if (reusing) reusing.unlock();
  if (input.protection) {
    rsp::wipe(input.protection->ppk_enc);
    rsp::wipe(input.protection->ppk_mac);
  }
  if (!bpp) return rsp::Unexpected{es9_status::execution_error("building the BPP: " + bpp.error().message)};

  profile.state = ProfileState::downloaded;
  auto updated = store_.update_profile(profile);
  if (!updated) return rsp::Unexpected{es9_status::execution_error("profile store: " + updated.error().message)};
  if (!*updated) return rsp::Unexpected{es9_status::bpp_not_available("the order changed concurrently")};
  session.state = SessionState::bpp_sent;
  session.euicc_otpk = otpk;
  session.bound_profile_package = *bpp;
  auto saved = store_.update_session(session);
  if (!saved || !*saved) return rsp::Unexpected{es9_status::execution_error("the session changed concurrently")};
  report(profile, NotificationPoint::bpp_download, FunctionStatus::success());
  response.bound_profile_package = std::move(*bpp);
  return response;
}

}  // namespace smdp
