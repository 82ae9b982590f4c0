// Output and the eUICC of the ipa command line.
#include "cli.hpp"

#include <cstdio>
#include <cstdlib>
#include <iostream>

namespace ipa::cli {

Output::Output(bool as_json) : json_(as_json) {}

void Output::progress(std::string_view phase) {
  if (json_) {
    std::cout << json{{"type", "progress"}, {"payload", {{"code", 0}, {"message", phase}, {"data", nullptr}}}}.dump()
              << std::endl;
    return;
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  char stamp[32];
  std::snprintf(stamp, sizeof stamp, "[%6.2f s] ", seconds);
  std::cout << stamp << phase << " ..." << std::endl;
}

void Output::text(std::string_view line) {
  if (!json_) std::cout << line << "\n";
}

void Output::warning(std::string_view line) { std::cerr << "ipa: " << line << std::endl; }

void Output::lpa(int code, std::string_view message, json data) {
  std::cout
      << json{{"type", "lpa"}, {"payload", {{"code", code}, {"message", message}, {"data", std::move(data)}}}}.dump()
      << std::endl;
}

int Output::success(json data) {
  if (json_) lpa(0, "success", std::move(data));
  std::cout << std::flush;
  return kSuccess;
}

int Output::failure(std::string_view message, json data) {
  if (json_) {
    lpa(-1, message, std::move(data));
  } else {
    std::cout << std::flush;
    std::cerr << message << std::endl;
  }
  return kFailed;
}

int Output::usage(std::string_view message) {
  std::cerr << "ipa: " << message << std::endl;
  return kUsage;
}

Context::Context(GlobalOptions options) : options_(std::move(options)), out_(options_.json) {
  if (options_.euicc.empty()) {
    const char* from_environment = std::getenv("IPA_EUICC");
    options_.euicc = from_environment && *from_environment ? from_environment : "pcsc:0";
  }
}

Context::~Context() {
  channel_.reset();  // closes its logical channel while the card is still there
  if (transport_) transport_->close();
}

rsp::Expected<Transport*> Context::transport() {
  if (transport_) return transport_.get();
  TransportOptions transport_options;
  transport_options.timeout = options_.card_timeout;
  auto opened = open_transport(options_.euicc, transport_options);
  if (!opened) return rsp::fail("cannot reach the eUICC at " + options_.euicc + ": " + opened.error().message);
  if (options_.trace) (*opened)->set_trace([](std::string_view line) { std::cerr << line << "\n"; });
  auto atr = (*opened)->connect();
  if (!atr) return rsp::fail("cannot reach the eUICC at " + options_.euicc + ": " + atr.error().message);
  transport_ = std::move(*opened);
  return transport_.get();
}

rsp::Expected<Es10Channel*> Context::channel() {
  if (channel_) return channel_.get();
  auto t = transport();
  if (!t) return rsp::Unexpected{t.error()};
  ChannelOptions channel_options;
  if (!options_.isdr_aid.empty()) channel_options.isdr_aid = rsp::from_hex(options_.isdr_aid).value_or(Bytes{});
  channel_options.segment_size = options_.segment_size;
  channel_options.command_timeout = options_.command_timeout;
  if (options_.faults.count("oversize-segment")) {
    channel_options.segment_size = 1000;  // extended APDUs; SGP.22 allows 255 at most
    channel_options.oversize_segment_fault = true;
  }
  channel_ = std::make_unique<Es10Channel>(**t, channel_options);
  return channel_.get();
}

Es10Channel* Context::card() {
  auto c = channel();
  if (c) return *c;
  out_.failure(c.error().message);
  return nullptr;
}

}  // namespace ipa::cli
