#include "replay.hpp"

#include <fnmatch.h>

#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "harness_http.hpp"
#include "ipa/transport.hpp"
#include "rsp/http/client.hpp"
#include "rsp/pki/pki_layout.hpp"
#include "session_record.hpp"

namespace conformance {
namespace {

enum class Match { same, same_status, differs };
const char* match_name(Match m) {
  return m == Match::same ? "same" : m == Match::same_status ? "same status" : "differs";
}

struct Replayed {
  Match match;
  std::string detail;  // differs: recorded vs. now
};

std::string status_word(const rsp::Bytes& response) {
  return response.size() < 2 ? std::string("none") : rsp::to_hex(rsp::ByteView(response).last(2));
}

Replayed replay_apdu(ipa::Transport& card, const Exchange& recorded) {
  auto answer = card.transmit(recorded.sent);
  if (!answer)
    return {Match::differs,
            "recorded SW " + status_word(recorded.received) + ", now no answer: " + answer.error().message};
  if (*answer == recorded.received) return {Match::same, {}};
  if (status_word(*answer) == status_word(recorded.received)) return {Match::same_status, "SW " + status_word(*answer)};
  return {Match::differs, "recorded SW " + status_word(recorded.received) + ", now " + status_word(*answer)};
}

Replayed replay_http(const rsp::http::Client& http, const std::string& base, const Exchange& recorded) {
  auto space = recorded.label.find(' ');
  rsp::http::ClientRequest request;
  request.method = recorded.label.substr(0, space);
  request.url = base + (space == std::string::npos ? std::string("/") : recorded.label.substr(space + 1));
  for (const auto& [name, value] : recorded.headers) request.headers.add(name, value);
  request.body.assign(recorded.sent.begin(), recorded.sent.end());
  auto answer = http.send(request);
  std::string was = recorded.status ? "HTTP " + std::to_string(recorded.status) : "no answer";
  if (!answer)
    return {recorded.status ? Match::differs : Match::same_status,
            "recorded " + was + ", now no answer: " + answer.error().message};
  rsp::Bytes body(answer->body.begin(), answer->body.end());
  if (answer->status == recorded.status && body == recorded.received) return {Match::same, {}};
  if (answer->status == recorded.status) return {Match::same_status, "HTTP " + std::to_string(answer->status)};
  return {Match::differs, "recorded " + was + ", now HTTP " + std::to_string(answer->status)};
}

}  // namespace

int replay(const ReplayOptions& options) {
  auto recording = read_record(options.dir);
  if (!recording) {
    std::cerr << "rsp-conformance: replay " << options.dir << ": " << recording.error().message << "\n";
    return 2;
  }
  std::vector<const RecordedCase*> chosen;
  bool apdus = false, http = false;
  for (const auto& c : recording->cases) {
    if (!options.pattern.empty() && fnmatch(options.pattern.c_str(), c.id.c_str(), 0) != 0) continue;
    chosen.push_back(&c);
    for (const auto& e : c.exchanges) (e.kind == "apdu" ? apdus : http) = true;
  }
  if (chosen.empty()) {
    std::cerr << "rsp-conformance: replay: no recorded case matches\n";
    return 2;
  }

  std::unique_ptr<ipa::Transport> card;
  if (apdus) {
    if (options.euicc.empty()) {
      std::cerr
          << "rsp-conformance: replay: the recording holds APDUs: give the card with --euicc tcp:HOST:PORT|pcsc:READER\n";
      return 2;
    }
    auto opened = ipa::open_transport(options.euicc);
    if (!opened) {
      std::cerr << "rsp-conformance: cannot open the eUICC at " << options.euicc << ": " << opened.error().message
                << "\n";
      return 1;
    }
    card = std::move(*opened);
    if (auto atr = card->connect(); !atr) {
      std::cerr << "rsp-conformance: cannot reach the eUICC at " << options.euicc << ": " << atr.error().message
                << "\n";
      return 1;
    }
  }
  std::optional<rsp::http::Client> client;
  std::string base = options.url.empty() ? recording->info.target : options.url;
  if (http) {
    if (!base.starts_with("https://")) {
      std::cerr
          << "rsp-conformance: replay: the recording holds HTTP exchanges: give the server with --url https://HOST[:PORT]\n";
      return 2;
    }
    if (options.pki.empty() || rsp::pki::curves_present(options.pki).empty()) {
      std::cerr << "rsp-conformance: replay: give --pki DIR, whose CI the server's TLS certificate chains to\n";
      return 2;
    }
    if (base.back() == '/') base.pop_back();
    rsp::http::ClientOptions http_options;
    http_options.connect_timeout = std::chrono::seconds(5);
    trust_pki_cis(http_options, options.pki);
    auto made = rsp::http::Client::create(http_options);
    if (!made) {
      std::cerr << "rsp-conformance: " << made.error().message << "\n";
      return 2;
    }
    client = std::move(*made);
  }

  std::ostream& progress = options.json ? std::cerr : std::cout;
  size_t counts[3] = {0, 0, 0};
  for (const RecordedCase* c : chosen) {
    progress << c->id << " (recorded: " << c->verdict << ")\n";
    for (size_t i = 0; i < c->exchanges.size(); ++i) {
      const Exchange& e = c->exchanges[i];
      Replayed r = e.kind == "apdu" ? replay_apdu(*card, e) : replay_http(*client, base, e);
      ++counts[static_cast<int>(r.match)];
      std::string what =
          e.kind == "apdu" ? rsp::to_hex(rsp::ByteView(e.sent).first(std::min<size_t>(e.sent.size(), 5))) : e.label;
      progress << "  " << i + 1 << " " << e.kind << " " << what << ": " << match_name(r.match)
               << (r.detail.empty() ? "" : " (" + r.detail + ")") << "\n";
      if (options.json)
        std::cout << nlohmann::json{{"case", c->id},
                                    {"exchange", i + 1},
                                    {"kind", e.kind},
                                    {"what", what},
                                    {"match", match_name(r.match)},
                                    {"detail", r.detail}}
                         .dump()
                  << std::endl;
    }
  }
  progress << "\nreplay: " << counts[0] + counts[1] + counts[2] << " exchanges, " << counts[0] << " same, " << counts[1]
           << " same status with other data, " << counts[2] << " differ\n";
  return counts[2] == 0 ? 0 : 1;
}

}  // namespace conformance
