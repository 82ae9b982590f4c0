// SGP.22 v2.5 §5.3.5 ES2+.HandleDownloadProgressInfo (JSON binding §6.5.2.5): the callback body,
// queued in the store's outbox for the profile's operator.
#include "smdp/download_progress_info.hpp"

#include <array>
#include <ctime>
#include <stdexcept>

#include "smdp/function_status_json.hpp"

namespace smdp {

std::string w3c_timestamp(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm utc{};
  if (!gmtime_r(&t, &utc)) throw std::invalid_argument("timestamp out of range");
  std::array<char, 32> text{};
  size_t n = std::strftime(text.data(), text.size(), "%Y-%m-%dT%H:%M:%SZ", &utc);
  return std::string(text.data(), n);
}

nlohmann::json download_progress_info_json(const DownloadProgressInfo& info, int64_t timestamp,
                                           const std::string& function_requester_identifier,
                                           const std::string& function_call_identifier) {
  nlohmann::json body = {
      {"header",
       {{"functionRequesterIdentifier", function_requester_identifier},
        {"functionCallIdentifier", function_call_identifier}}},
      {"iccid", info.iccid},
      {"profileType", info.profile_type},
      {"timestamp", w3c_timestamp(timestamp)},
      {"notificationPointId", info.notification_point_id},
      {"notificationPointStatus", function_status_json(info.notification_point_status)},
  };
  if (info.eid) body["eid"] = *info.eid;
  if (info.result_data) body["resultData"] = rsp::to_base64(*info.result_data);
  return body;
}

namespace {

// Unique enough to tell calls apart in the operator's logs: the time and 64 random bits.
std::string new_function_call_identifier(int64_t now) {
  return "FCI-" + std::to_string(now) + "-" + rsp::to_hex(rsp::random_bytes(8));
}

}  // namespace

DownloadProgressReporter::DownloadProgressReporter(Store& store, std::vector<Operator> operators,
                                                   std::string requester_identifier, Clock clock)
    : store_(store),
      operators_(std::move(operators)),
      requester_identifier_(std::move(requester_identifier)),
      clock_(std::move(clock)) {}

StoreResult<bool> DownloadProgressReporter::report(const DownloadProgressInfo& info) {
  const Operator* owner = find_operator(operators_, info.operator_id);
  if (!owner || !owner->callback_url || owner->callback_url->empty()) return false;
  const int64_t now = clock_();
  CallbackRecord record;
  record.operator_id = owner->id;
  record.url = *owner->callback_url;
  record.body = download_progress_info_json(info, now, requester_identifier_, new_function_call_identifier(now)).dump();
  record.next_attempt = now;
  auto queued = store_.enqueue_callback(record);
  if (!queued) return rsp::Unexpected<StoreError>{queued.error()};
  return true;
}

StoreResult<bool> DownloadProgressReporter::report(const ProfileRecord& profile, int notification_point_id,
                                                   const FunctionStatus& status, rsp::ByteView result_data) {
  DownloadProgressInfo info;
  info.operator_id = profile.operator_id;
  info.eid = profile.eid;
  info.iccid = profile.iccid;
  info.profile_type = profile.profile_type;
  info.notification_point_id = notification_point_id;
  info.notification_point_status = status;
  if (!result_data.empty()) info.result_data = rsp::Bytes(result_data.begin(), result_data.end());
  return report(info);
}

}  // namespace smdp
