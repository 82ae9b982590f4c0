// The counting and tracing half of every transport, and the factory that picks a driver by name.
#include "ipa/transport.hpp"

#include <cctype>
#include <cstdio>

#include "rsp/apdu.hpp"

namespace ipa {

rsp::Expected<Bytes> Transport::transmit(ByteView command_apdu) {
  if (trace_) trace_("-> " + rsp::to_hex(command_apdu));
  auto response = exchange(command_apdu);
  ++stats_.command_apdus;
  if (command_apdu.size() > 1 && command_apdu[1] == rsp::apdu::ins::kStoreData) ++stats_.store_data_apdus;
  stats_.bytes_sent += command_apdu.size();
  if (!response) {
    if (trace_) trace_("<- (" + response.error().message + ")");
    return response;
  }
  stats_.bytes_received += response->size();
  if (trace_) trace_("<- " + rsp::to_hex(*response));
  if (response->size() < 2)
    return rsp::fail(describe() + ": a response of " + std::to_string(response->size()) + " bytes has no status word");
  return response;
}

std::string seconds_text(std::chrono::milliseconds duration) {
  char text[32];
  std::snprintf(text, sizeof text, "%g s", static_cast<double>(duration.count()) / 1000);
  return text;
}

rsp::Expected<std::unique_ptr<Transport>> open_transport(std::string_view spec, const TransportOptions& options) {
  size_t colon = spec.find(':');
  std::string_view kind = spec.substr(0, colon);
  std::string_view rest = colon == std::string_view::npos ? std::string_view{} : spec.substr(colon + 1);
  if (kind == "tcp") return open_tcp_transport(rest, options);
  if (kind == "pcsc") return open_pcsc_transport(rest, options);
  if (kind == "at") return open_at_transport(rest, options);
  return rsp::fail("unknown eUICC transport '" + std::string(spec) + "' (tcp:HOST:PORT, pcsc:READER or at:DEVICE)");
}

}  // namespace ipa
