// ipa download: SGP.22 v2.5 §3.1.3 the profile download from an activation code (or an SM-DP+
// address and matchingId), with a progress line per phase and one result line with the spec's codes.
#include <memory>
#include <optional>
#include <string>

#include "cli.hpp"
#include "es9_flags.hpp"
#include "ipa/download.hpp"

namespace ipa::cli {
namespace {

struct DownloadArguments {
  std::string activation_code;
  std::string smdp;
  std::string matching_id;
  std::optional<std::string> confirmation_code;
  Es9Flags es9;
  std::string tac;
  std::string imei;
};

// IMEI (TS 23.003) as DeviceInfo carries it: 15 or 16 digits, BCD with the nibbles swapped, F padded.
std::optional<Bytes> imei_bytes(std::string digits) {
  if (digits.size() != 15 && digits.size() != 16) return std::nullopt;
  for (char c : digits)
    if (c < '0' || c > '9') return std::nullopt;
  if (digits.size() == 15) digits += 'F';
  Bytes out;
  for (size_t i = 0; i < digits.size(); i += 2) {
    auto nibble = [](char c) { return static_cast<uint8_t>(c == 'F' ? 0xF : c - '0'); };
    out.push_back(static_cast<uint8_t>(nibble(digits[i + 1]) << 4 | nibble(digits[i])));
  }
  return out;
}

json result_data(const DownloadResult& r) {
  json data = {{"transactionId", r.transaction_id.empty() ? json() : json(r.transaction_id)},
               {"iccid", r.iccid.empty() ? json() : json(r.iccid)},
               {"notificationSent", r.notification_sent},
               {"apdus", r.apdus},
               {"apduBytes", r.apdu_bytes},
               {"es9BytesSent", r.es9.bytes_sent},
               {"es9BytesReceived", r.es9.bytes_received}};
  if (r.success) return data;
  data["failedPhase"] = download_phase_name(r.failed_phase);
  if (r.es9_error) {
    data["function"] = es9_function_name(r.es9_error->function);
    data["status"] = r.es9_error->status.empty() ? json() : json(r.es9_error->status);
    data["subjectCode"] = r.es9_error->subject_code.empty() ? json() : json(r.es9_error->subject_code);
    data["reasonCode"] = r.es9_error->reason_code.empty() ? json() : json(r.es9_error->reason_code);
  }
  if (r.es10_error) {
    data["statusWord"] = r.es10_error->status_word ? json(rsp::to_hex(Bytes{static_cast<uint8_t>(r.es10_error->status_word >> 8),
                                                                            static_cast<uint8_t>(r.es10_error->status_word)}))
                                                   : json();
    if (r.es10_error->kind == Es10Error::Kind::result) data["resultCode"] = r.es10_error->code;
  }
  if (r.euicc_error_code) data["euiccErrorCode"] = *r.euicc_error_code;
  if (r.bpp_command_id) data["bppCommandId"] = *r.bpp_command_id;
  if (r.error_reason) data["errorReason"] = *r.error_reason;
  if (r.cancel_reason) {
    data["cancelSessionReason"] = static_cast<long>(*r.cancel_reason);  // CancelSessionReason's number
    data["sessionCancelled"] = r.session_cancelled;
  }
  return data;
}

int download(Context& context, const DownloadArguments& args) {
  Output& out = context.out();
  DownloadRequest request;
  if (!args.activation_code.empty()) {
    auto code = rsp::ActivationCode::parse(args.activation_code);
    if (!code) return out.usage("download: --activation-code: " + code.error().message);
    request.activation_code = std::move(*code);
  } else if (!args.smdp.empty()) {
    request.activation_code.smdp_address = args.smdp;
    request.activation_code.matching_id = args.matching_id;
  } else {
    return out.usage("download: give --activation-code CODE, or --smdp ADDR --matching-id ID");
  }
  request.confirmation_code = args.confirmation_code;

  DownloadOptions options;
  if (!args.tac.empty()) {
    auto tac = rsp::from_hex(args.tac);
    if (!tac || tac->size() != 4) return out.usage("download: --tac: 8 hex digits");
    options.device.tac = std::move(*tac);
  }
  if (!args.imei.empty()) {
    options.device.imei = imei_bytes(args.imei);
    if (!options.device.imei) return out.usage("download: --imei: 15 or 16 digits");
  }
  options.es9 = es9_options(args.es9, out);
  options.progress = [&out](const DownloadEvent& e) {
    if (e.phase != DownloadPhase::finished) out.progress(download_phase_name(e.phase));
  };

  auto channel = context.channel();
  if (!channel) return out.failure("download failed: " + channel.error().message);
  DownloadResult result = download_profile(**channel, request, options);
  if (!result.success) return out.failure("download " + result.line(), result_data(result));
  out.text(result.line());
  return out.success(result_data(result));
}

}  // namespace

void add_download_command(CLI::App& app, Action& action) {
  auto args = std::make_shared<DownloadArguments>();
  auto* command = app.add_subcommand("download", "download and install a profile from its SM-DP+ (ES9+)");
  auto* code = command->add_option("--activation-code", args->activation_code, "LPA:1$SM-DP+ address$matchingId[...]");
  auto* smdp = command->add_option("--smdp", args->smdp, "the SM-DP+ address (instead of an activation code)");
  auto* matching_id = command->add_option("--matching-id", args->matching_id, "the matchingId, with --smdp");
  code->excludes(smdp)->excludes(matching_id);
  smdp->needs(matching_id);
  matching_id->needs(smdp);
  command->add_option("--confirmation-code", args->confirmation_code, "the confirmation code, when the order has one");
  add_es9_flags(*command, args->es9);
  command->add_option("--tac", args->tac, "DeviceInfo TAC, 8 hex digits (default 35290611)");
  command->add_option("--imei", args->imei, "DeviceInfo IMEI, 15 or 16 digits");
  command->callback([&action, args] { action = [args](Context& c) { return download(c, *args); }; });
}

}  // namespace ipa::cli
