#pragma once
// ES2+.HandleDownloadProgressInfo (SM-DP+ -> operator), SGP.22 v2.5 §5.3.5 / §6.5.2.5: what the
// SM-DP+ tells the operator at each notification point of a download. The services call
// report() at those points; it only queues the call in the store's outbox (CallbackSender
// delivers it), so a slow or absent operator server never holds up a download.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "smdp/clock.hpp"
#include "smdp/function_status.hpp"
#include "smdp/operator.hpp"
#include "smdp/store.hpp"

namespace smdp {

struct DownloadProgressInfo {
  std::string operator_id;  // the profile's owner: the callback goes to this operator
  std::optional<std::string> eid;
  std::string iccid;
  std::string profile_type;
  // SGP.22 v2.5 §5.3.5: 1 eligibility and retry limit check, 2 confirmation failure, 3 BPP
  // download, 4 BPP installation, 5 profile deleted (smdp::NotificationPoint in es9plus.hpp).
  int notification_point_id = 0;
  FunctionStatus notification_point_status;
  std::optional<rsp::Bytes> result_data;  // e.g. the DER ProfileInstallationResult (BF37)
};

// "YYYY-MM-DDThh:mm:ssZ" (W3C, UTC) for unix seconds.
std::string w3c_timestamp(int64_t unix_seconds);

// The request body of §6.5.2.5: header (functionRequesterIdentifier, functionCallIdentifier), eid
// when known, iccid, profileType, timestamp, notificationPointId, notificationPointStatus,
// resultData (base64) when given.
nlohmann::json download_progress_info_json(const DownloadProgressInfo& info, int64_t timestamp,
                                           const std::string& function_requester_identifier,
                                           const std::string& function_call_identifier);

class DownloadProgressReporter {
 public:
  // `requester_identifier` is the SM-DP+'s name in the callback header (its address, typically).
  DownloadProgressReporter(Store& store, std::vector<Operator> operators, std::string requester_identifier,
                           Clock clock = system_clock_seconds);

  // SGP.22 v2.5 §5.3.5 ES2+.HandleDownloadProgressInfo: queues the call for the operator's
  // callback URL. Returns true when queued, false when the operator has no callback URL (or is
  // not configured); a store failure comes back as an error and must not fail the download.
  StoreResult<bool> report(const DownloadProgressInfo& info);
  // The same for a profile of the store (its owner, EID, ICCID, type); empty result_data: none.
  // The shape of Es9Settings::progress, so the SM-DP+ wires one to the other.
  StoreResult<bool> report(const ProfileRecord& profile, int notification_point_id, const FunctionStatus& status,
                           rsp::ByteView result_data = {});

 private:
  Store& store_;
  std::vector<Operator> operators_;
  std::string requester_identifier_;
  Clock clock_;
};

}  // namespace smdp
