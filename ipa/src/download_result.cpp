// The words of a download's progress and its result line.
#include "ipa/download.hpp"

namespace ipa {

const char* download_phase_name(DownloadPhase phase) {
  switch (phase) {
    case DownloadPhase::get_euicc_info: return "es10b_get_euicc_challenge_and_info";
    case DownloadPhase::initiate_authentication: return "es9p_initiate_authentication";
    case DownloadPhase::authenticate_server: return "es10b_authenticate_server";
    case DownloadPhase::authenticate_client: return "es9p_authenticate_client";
    case DownloadPhase::prepare_download: return "es10b_prepare_download";
    case DownloadPhase::get_bound_profile_package: return "es9p_get_bound_profile_package";
    case DownloadPhase::load_bound_profile_package: return "es10b_load_bound_profile_package";
    case DownloadPhase::handle_notification: return "es9p_handle_notification";
    case DownloadPhase::cancel_session: return "es10b_cancel_session";
    case DownloadPhase::finished: return "finished";
  }
  return "?";
}

namespace {

const char* reason_name(es10b::CancelSessionReason reason) {
  switch (reason) {
    case es10b::CancelSessionReason::endUserRejection: return "endUserRejection";
    case es10b::CancelSessionReason::postponed: return "postponed";
    case es10b::CancelSessionReason::timeout: return "timeout";
    case es10b::CancelSessionReason::pprNotAllowed: return "pprNotAllowed";
    case es10b::CancelSessionReason::metadataMismatch: return "metadataMismatch";
    case es10b::CancelSessionReason::loadBppExecutionError: return "loadBppExecutionError";
    case es10b::CancelSessionReason::undefinedReason: return "undefinedReason";
  }
  return "?";
}

std::string traffic(const DownloadResult& r) {
  return std::to_string(r.apdus) + " APDUs, ES9+ " + std::to_string(r.es9.bytes_sent) + " bytes out / " +
         std::to_string(r.es9.bytes_received) + " in";
}

}  // namespace

std::string DownloadResult::line() const {
  if (success) {
    std::string out = "installed " + iccid + " (transactionId " + transaction_id + ", " + traffic(*this) + ")";
    if (!notification_sent) out += "; the installation result stays on the card to be sent later";
    return out;
  }
  std::string out = std::string("failed at ") + download_phase_name(failed_phase) + ": " + message;
  if (cancel_reason)
    out += std::string(session_cancelled ? "; session cancelled (" : "; session cancellation failed (") +
           reason_name(*cancel_reason) + ")";
  return out;
}

}  // namespace ipa
