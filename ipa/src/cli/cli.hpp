#pragma once
// The ipa command line: its global options, the eUICC every command talks to, and output as
// readable text or as lpac-shaped JSON lines ({"type":"progress"|"lpa","payload":{code,message,data}}).
// Exit codes: 0 success, 1 refused or failed, 2 usage.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <string_view>

#include "ipa/es10_channel.hpp"
#include "ipa/transport.hpp"

namespace ipa::cli {

using json = nlohmann::ordered_json;

constexpr int kSuccess = 0;
constexpr int kFailed = 1;
constexpr int kUsage = 2;

struct GlobalOptions {
  std::string euicc;  // tcp:HOST:PORT | pcsc:READER | at:DEV; empty: $IPA_EUICC, else pcsc:0
  bool json = false;
  std::string isdr_aid;  // hex; empty: SGP.22's
  size_t segment_size = Es10Channel::kMaxSegmentSize;
  bool trace = false;  // each APDU on stderr
  // --card-timeout, --command-timeout: the longest APDU exchange (TCP, AT) and ES10 command.
  std::chrono::milliseconds card_timeout = TransportOptions{}.timeout;
  std::chrono::milliseconds command_timeout = ChannelOptions{}.command_timeout;
  // --conformance-harness --fault NAME: the misbehaviours rsp-conformance's IPA role proves its
  // cases with (kIpaFaults); never in normal runs.
  std::set<std::string> faults;
};

// oversize-segment (Es10Channel), alter-relay, skip-cancel-session, remove-notification-early
// (DownloadOptions::faults), wrong-eid (ipa poll/run).
inline const std::set<std::string> kIpaFaults = {"oversize-segment", "alter-relay", "skip-cancel-session",
                                                 "remove-notification-early", "wrong-eid"};

class Output {
 public:
  explicit Output(bool as_json);
  bool is_json() const { return json_; }
  // One phase of a long command: "[  0.12 s] es9p_initiate_authentication ..." or a progress object.
  void progress(std::string_view phase);
  // A line of readable output on stdout; nothing in JSON mode (the facts go into the result's data).
  void text(std::string_view line);
  // A line on stderr in both modes (warnings the user must see).
  void warning(std::string_view line);
  // The end of a command that did what it was asked:
  // {"type":"lpa","payload":{"code":0,"message":"success","data":...}}.
  int success(json data = nullptr);
  // The end of a command that failed: its one line (stderr), or code -1 with the line as message.
  int failure(std::string_view message, json data = nullptr);
  // A command line that makes no sense: the line on stderr in both modes.
  int usage(std::string_view message);

 private:
  void lpa(int code, std::string_view message, json data);
  bool json_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

// What a command works with: the options, the output, and the eUICC once it asks for it.
class Context {
 public:
  explicit Context(GlobalOptions options);
  ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  const GlobalOptions& options() const { return options_; }
  Output& out() { return out_; }
  // The transport named by --euicc, connected (with the APDU trace on stderr under --trace).
  rsp::Expected<Transport*> transport();
  // The ES10 channel to the ISD-R over that transport (opened by its first call).
  rsp::Expected<Es10Channel*> channel();
  // The same, or nullptr once the failure line is printed (the command then returns kFailed).
  Es10Channel* card();

 private:
  GlobalOptions options_;
  Output out_;
  std::unique_ptr<Transport> transport_;
  std::unique_ptr<Es10Channel> channel_;
};

using Action = std::function<int(Context&)>;

// Each group adds its subcommands to `app`; the one given on the command line leaves its work in `action`.
void add_chip_commands(CLI::App& app, Action& action);          // eid, info, memory-reset
void add_profile_commands(CLI::App& app, Action& action);       // profile list|enable|disable|delete|nickname
void add_download_command(CLI::App& app, Action& action);       // download
void add_discover_command(CLI::App& app, Action& action);       // discover
void add_address_commands(CLI::App& app, Action& action);       // addresses, set-default-smdp
void add_notification_commands(CLI::App& app, Action& action);  // notification list|process|remove
void add_usim_commands(CLI::App& app, Action& action);          // usim authenticate
void add_eim_commands(CLI::App& app, Action& action);           // eim add-initial|list
void add_poll_commands(CLI::App& app, Action& action);          // poll, run (the IPAd, ESipa)

}  // namespace ipa::cli
