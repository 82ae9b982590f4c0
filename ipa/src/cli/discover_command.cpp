// ipa discover: SGP.22 v2.5 §3.6.3 Event Retrieval at the eUICC's root SM-DS (or --smds): the
// Event Records registered for this eUICC, each an EventID and the server to take it to. An empty
// list is an answer too (exit 0); a refusal or no answer exits 1 with the SM-DS's codes.
#include <memory>
#include <string>

#include "cli.hpp"
#include "discovery.hpp"
#include "es9_flags.hpp"

namespace ipa::cli {
namespace {

struct DiscoverArguments {
  Es9Flags es9;
  SmdsFlags smds;
};

int discover(Context& context, const DiscoverArguments& args) {
  Output& out = context.out();
  auto* channel = context.card();
  if (!channel) return kFailed;
  auto smds = smds_address(*channel, args.smds);
  if (!smds) return out.failure("discover failed: " + smds.error().message);
  es9_options(args.es9, out);  // the lab-only warning
  EventRetrievalResult events = retrieve_events_with_progress(*channel, *smds, es11_options(args.es9, args.smds), out);
  if (!events.success) return out.failure("discover " + events.line(), event_retrieval_data(events));
  for (const auto& e : events.events) out.text(e.event_id + " " + e.rsp_server_address);
  out.text(events.line());
  return out.success(event_retrieval_data(events));
}

}  // namespace

void add_discover_command(CLI::App& app, Action& action) {
  auto args = std::make_shared<DiscoverArguments>();
  auto* command =
      app.add_subcommand("discover", "ask the SM-DS for this eUICC's events (ES11): eventId and SM-DP+ address");
  add_smds_flags(*command, args->smds);
  add_es9_flags(*command, args->es9, false);
  command->callback([&action, args] { action = [args](Context& c) { return discover(c, *args); }; });
}

}  // namespace ipa::cli
