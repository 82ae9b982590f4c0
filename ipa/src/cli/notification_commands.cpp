// ipa notification list | process | remove: the eUICC's pending notifications (SGP.22 v2.5 §5.7.9
// ES10b.ListNotification, §5.7.10 RetrieveNotificationsList, §5.7.11 RemoveNotificationFromList),
// delivered to their SM-DP+ with §5.6.4 ES9+.HandleNotification (deliver_notification, ipad.hpp).
#include <memory>
#include <string>
#include <vector>

#include "cli.hpp"
#include "es9_flags.hpp"
#include "ipa/es10b.hpp"
#include "ipa/ipad.hpp"

namespace ipa::cli {
namespace {

json metadata_json(const es10b::NotificationMetadata& m) {
  return {{"seqNumber", m.seq_number},
          {"profileManagementOperation", notification_operation_name(m.event)},
          {"notificationAddress", m.address},
          {"iccid", m.iccid.empty() ? json() : json(m.iccid)}};
}

// "7 install 8949... to localhost"
std::string describe(const es10b::NotificationMetadata& m) {
  return std::to_string(m.seq_number) + " " + notification_operation_name(m.event) +
         (m.iccid.empty() ? "" : " " + m.iccid) + " to " + m.address;
}

int list_notifications(Context& context) {
  Output& out = context.out();
  auto* channel = context.card();
  if (!channel) return kFailed;
  auto pending = es10b::list_notification(*channel);
  if (!pending) return out.failure("notification list: " + pending.error().message);
  json data = json::array();
  for (const auto& m : *pending) {
    data.push_back(metadata_json(m));
    out.text(std::to_string(m.seq_number) + "\t" + notification_operation_name(m.event) + "\t" +
             (m.iccid.empty() ? "-" : m.iccid) + "\t" + m.address);
  }
  if (pending->empty()) out.text("no notifications");
  return out.success(std::move(data));
}

struct ProcessArguments {
  std::vector<long> seq_numbers;
  Es9Flags es9;
};

int process(Context& context, const ProcessArguments& args) {
  Output& out = context.out();
  Es9ClientOptions es9 = es9_options(args.es9, out);
  auto* channel = context.card();
  if (!channel) return kFailed;

  std::vector<es10b::PendingNotification> pending;
  std::vector<std::string> failures;
  if (args.seq_numbers.empty()) {
    auto all = es10b::retrieve_notifications_list(*channel);
    if (!all) return out.failure("notification process: " + all.error().message);
    pending = std::move(*all);
  }
  for (long seq : args.seq_numbers) {
    auto one = es10b::retrieve_notifications_list(*channel, {.seq_number = seq, .event = std::nullopt});
    if (!one) return out.failure("notification process: " + one.error().message);
    if (one->empty()) failures.push_back("notification " + std::to_string(seq) + ": not on the eUICC");
    for (auto& n : *one) pending.push_back(std::move(n));
  }

  json data = json::array();
  for (const auto& n : pending) {
    json entry = metadata_json(n.metadata);
    auto delivery = deliver_notification(*channel, n, es9);
    entry["sent"] = delivery.sent;
    entry["removed"] = delivery.removed;
    if (delivery.removed) out.text("notification " + describe(n.metadata) + ": sent and removed");
    if (!delivery.error.empty()) {
      entry["error"] = delivery.error;
      failures.push_back("notification " + describe(n.metadata) + ": " + delivery.error);
    }
    data.push_back(std::move(entry));
  }
  if (pending.empty() && failures.empty()) out.text("no notifications");
  if (failures.empty()) return out.success(std::move(data));
  // Every failure but the last as a warning, the last as the command's one failure line.
  for (size_t i = 0; i + 1 < failures.size(); ++i) out.warning(failures[i]);
  return out.failure(failures.back(), std::move(data));
}

int remove(Context& context, const std::vector<long>& seq_numbers) {
  Output& out = context.out();
  auto* channel = context.card();
  if (!channel) return kFailed;
  for (long seq : seq_numbers) {
    auto removed = es10b::remove_notification_from_list(*channel, seq);
    if (!removed) return out.failure("notification remove " + std::to_string(seq) + ": " + removed.error().message);
    out.text("notification " + std::to_string(seq) + " removed");
  }
  return out.success();
}

}  // namespace

void add_notification_commands(CLI::App& app, Action& action) {
  auto* notification = app.add_subcommand("notification", "the eUICC's pending notifications");
  notification->require_subcommand(1);
  notification->add_subcommand("list", "sequence number, operation, ICCID and address per line")->callback([&action] {
    action = list_notifications;
  });

  auto process_args = std::make_shared<ProcessArguments>();
  auto* process_command = notification->add_subcommand(
      "process",
      "send notifications to their SM-DP+ (handleNotification) and remove them from the eUICC; all if no SEQ");
  process_command->add_option("SEQ", process_args->seq_numbers, "sequence numbers");
  add_es9_flags(*process_command, process_args->es9);
  process_command->callback(
      [&action, process_args] { action = [process_args](Context& c) { return process(c, *process_args); }; });

  auto seq_numbers = std::make_shared<std::vector<long>>();
  auto* remove_command =
      notification->add_subcommand("remove", "remove notifications from the eUICC without sending them");
  remove_command->add_option("SEQ", *seq_numbers, "sequence numbers")->required();
  remove_command->callback(
      [&action, seq_numbers] { action = [seq_numbers](Context& c) { return remove(c, *seq_numbers); }; });
}

}  // namespace ipa::cli
