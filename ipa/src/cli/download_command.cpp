// ipa download: SGP.22 v2.5 §3.1.3 the profile download from an activation code (or an SM-DP+
// address and matchingId), with a progress line per phase and one result line with the spec's codes.
// Zero-touch, with nothing but the eUICC: --default-smdp (its default SM-DP+, no matchingId: the
// order bound to the EID) and --discover (§3.6.3 Event Retrieval at the SM-DS, then each event's
// server with the EventID as matchingId; with no event, the default SM-DP+).
#include <memory>
#include <optional>
#include <string>

#include "cli.hpp"
#include "discovery.hpp"
#include "es9_flags.hpp"
#include "ipa/download.hpp"
#include "ipa/es10a.hpp"

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
  bool default_smdp = false;
  bool discover = false;
  SmdsFlags smds;
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
               {"es9BytesReceived", r.es9.bytes_received},
               {"es9HeaderBytesSent", r.es9.header_bytes_sent},
               {"es9HeaderBytesReceived", r.es9.header_bytes_received},
               {"es9TlsBytesSent", r.es9.tls_bytes_sent},
               {"es9TlsBytesReceived", r.es9.tls_bytes_received},
               {"storeDataApdus", r.store_data_apdus},
               {"storeDataMinimum", r.store_data_minimum}};
  if (r.success) return data;
  data["failedPhase"] = download_phase_name(r.failed_phase);
  if (r.es9_error) add_server_error(data, *r.es9_error);
  if (r.es10_error) {
    data["statusWord"] = r.es10_error->status_word
                             ? json(rsp::to_hex(Bytes{static_cast<uint8_t>(r.es10_error->status_word >> 8),
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

// "nothing for this EID": the SM-DP+ has no order for this eUICC (SGP.22 v2.5 §5.6.2, 8.1.1/3.8).
bool no_order_for_eid(const DownloadResult& r) {
  return r.es9_error && r.es9_error->is_function() && r.es9_error->subject_code == "8.1.1" &&
         r.es9_error->reason_code == "3.8";
}

// The end of a download: its line and data (success), or the failure line with its codes.
int finish(Output& out, const DownloadRequest& request, const DownloadResult& result,
           const json& extra = json::object()) {
  json data = result_data(result);
  data.update(extra);
  if (!result.success) {
    if (request.activation_code.matching_id.empty() && no_order_for_eid(result))
      return out.failure(
          "nothing for this EID at " + request.activation_code.smdp_address + ": " + result.es9_error->describe(),
          data);
    return out.failure("download " + result.line(), data);
  }
  out.text(result.line());
  return out.success(data);
}

// One download with its progress; its end printed.
int run_download(Context& context, const DownloadRequest& request, const DownloadOptions& options,
                 const json& extra = json::object()) {
  auto channel = context.channel();
  if (!channel) return context.out().failure("download failed: " + channel.error().message);
  return finish(context.out(), request, download_profile(**channel, request, options), extra);
}

// The default SM-DP+ address the factory left on the eUICC (none: nullopt).
rsp::Expected<std::optional<std::string>> default_smdp(Es10Channel& channel) {
  auto addresses = es10a::get_euicc_configured_addresses(channel);
  if (!addresses) return rsp::fail("cannot read the default SM-DP+ address: " + addresses.error().message);
  return addresses->default_dp_address;
}

// The downloads of --discover, one per Event Record: the last that did not install is kept for the
// command's end line, the ones before it are warned about.
class EventDownloads {
 public:
  EventDownloads(Context& context, const DownloadArguments& args, const DownloadOptions& options, json discovered)
      : context_(context), args_(args), options_(options), discovered_(std::move(discovered)) {}

  // Each event at its server with the EventID as matchingId, until one installs. An Event Record
  // that names an alternative SM-DS (its server presents CERT.DSauth) is replaced by that SM-DS's
  // own records (SGP.22 v2.5 §3.6.3, the cascade), one level deep. True once one installed.
  bool install(const std::vector<EventEntry>& events, bool cascaded = false) {
    Output& out = context_.out();
    for (const EventEntry& event : events) {
      out.text("event " + event.event_id + " at " + event.rsp_server_address);
      DownloadRequest request;
      request.activation_code.smdp_address = event.rsp_server_address;
      request.activation_code.matching_id = event.event_id;
      request.confirmation_code = args_.confirmation_code;
      DownloadResult result = download_profile(*context_.card(), request, options_);
      if (result.server_is_smds && !cascaded) {
        out.text(event.rsp_server_address + " is an alternative SM-DS: retrieving its events");
        SmdsFlags alternative{event.rsp_server_address, std::nullopt};
        auto more = retrieve_events_with_progress(*context_.card(), event.rsp_server_address,
                                                  es11_options(args_.es9, alternative), out);
        if (more.success && install(more.events, true)) return true;
        if (!more.success) result.message = "event retrieval at the alternative SM-DS " + more.line();
      }
      json extra = discovered_;
      extra["eventId"] = event.event_id;
      keep({std::move(request), std::move(result), std::move(extra)});
      if (last_->result.success) return true;
    }
    return false;
  }

  bool tried() const { return last_.has_value(); }
  // The command's end: the install, or the last failure.
  int finish() { return ipa::cli::finish(context_.out(), last_->request, last_->result, last_->extra); }

 private:
  struct Attempt {
    DownloadRequest request;
    DownloadResult result;
    json extra;
  };
  void keep(Attempt attempt) {
    if (last_)
      context_.out().warning("event " + last_->request.activation_code.matching_id + " at " +
                             last_->request.activation_code.smdp_address + ": download " + last_->result.line() +
                             "; trying the next");
    last_ = std::move(attempt);
  }

  Context& context_;
  const DownloadArguments& args_;
  const DownloadOptions& options_;
  json discovered_;
  std::optional<Attempt> last_;
};

// --discover: the SM-DS's events first, each at its server with the EventID as matchingId until one
// installs; with none, or with no answer from the SM-DS (a headless device still has its default
// SM-DP+ to ask), the default SM-DP+.
int download_discovered(Context& context, const DownloadArguments& args, DownloadOptions options) {
  Output& out = context.out();
  auto* channel = context.card();
  if (!channel) return kFailed;
  auto smds = smds_address(*channel, args.smds);
  if (!smds) return out.failure("download failed: " + smds.error().message);
  EventRetrievalResult events = retrieve_events_with_progress(*channel, *smds, es11_options(args.es9, args.smds), out);
  json discovered = {{"eventEntries", event_retrieval_data(events)["eventEntries"]}};
  EventDownloads downloads(context, args, options, discovered);
  if (events.success) downloads.install(events.events);
  if (downloads.tried()) return downloads.finish();
  auto address = default_smdp(*channel);
  if (!address) return out.failure("download failed: " + address.error().message);
  if (!events.success) {
    if (!*address) return out.failure("download: event retrieval " + events.line(), event_retrieval_data(events));
    out.warning("download: event retrieval " + events.line() + "; asking the default SM-DP+ " + **address);
  } else if (!*address) {
    return out.failure(
        "nothing for this EID: no event at the SM-DS " + *smds + " and no default SM-DP+ address on the eUICC",
        event_retrieval_data(events));
  } else {
    out.text("no event at " + *smds + "; asking the default SM-DP+ " + **address);
  }
  DownloadRequest request;
  request.activation_code.smdp_address = **address;
  request.confirmation_code = args.confirmation_code;
  return run_download(context, request, options, discovered);
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
  } else if (!args.default_smdp && !args.discover) {
    return out.usage(
        "download: give --activation-code CODE, --smdp ADDR --matching-id ID, --default-smdp or --discover");
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
  options.faults = context.options().faults;
  options.progress = [&out](const DownloadEvent& e) {
    if (e.phase != DownloadPhase::finished) out.progress(download_phase_name(e.phase));
  };

  if (args.discover) return download_discovered(context, args, std::move(options));
  if (args.default_smdp) {
    auto* channel = context.card();
    if (!channel) return kFailed;
    auto address = default_smdp(*channel);
    if (!address) return out.failure("download failed: " + address.error().message);
    if (!*address)
      return out.failure("download: the eUICC has no default SM-DP+ address (set one with ipa set-default-smdp ADDR)");
    request.activation_code.smdp_address = **address;  // no matchingId: the order bound to this EID
  }
  return run_download(context, request, options);
}

}  // namespace

void add_download_command(CLI::App& app, Action& action) {
  auto args = std::make_shared<DownloadArguments>();
  auto* command = app.add_subcommand("download", "download and install a profile from its SM-DP+ (ES9+)");
  auto* code = command->add_option("--activation-code", args->activation_code, "LPA:1$SM-DP+ address$matchingId[...]");
  auto* smdp = command->add_option("--smdp", args->smdp, "the SM-DP+ address (instead of an activation code)");
  auto* matching_id = command->add_option("--matching-id", args->matching_id, "the matchingId, with --smdp");
  auto* by_default =
      command->add_flag("--default-smdp", args->default_smdp,
                        "no activation code: the eUICC's default SM-DP+, no matchingId (the order bound to the EID)");
  auto* discover = command->add_flag("--discover", args->discover,
                                     "no activation code: the SM-DS's events for this eUICC, else its default SM-DP+");
  code->excludes(smdp)->excludes(matching_id)->excludes(by_default)->excludes(discover);
  smdp->needs(matching_id)->excludes(by_default)->excludes(discover);
  matching_id->needs(smdp);
  by_default->excludes(discover);
  add_smds_flags(*command, args->smds);
  command->add_option("--confirmation-code", args->confirmation_code, "the confirmation code, when the order has one");
  add_es9_flags(*command, args->es9);
  add_eim_relay_flags(*command, args->es9);
  command->add_option("--tac", args->tac, "DeviceInfo TAC, 8 hex digits (default 35290611)");
  command->add_option("--imei", args->imei, "DeviceInfo IMEI, 15 or 16 digits");
  command->callback([&action, args] { action = [args](Context& c) { return download(c, *args); }; });
}

}  // namespace ipa::cli
