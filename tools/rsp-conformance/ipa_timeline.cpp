// The IPA role's timeline reading (ipa_timeline.hpp).
#include "ipa_timeline.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "rsp/esipa/esipa.hpp"

namespace conformance {

using rsp::Bytes;
using rsp::ByteView;
namespace tlv = rsp::tlv;

tlv::Tag top_tag(ByteView der) {
  auto header = tlv::read_header(der);
  return header ? header->tag : 0;
}

// The ES10 functions and BPP parts by their tag, for the sequence a failure shows.
std::string step_name(const Exchange& e) {
  if (e.kind == "http") {
    if (std::string es9 = es9_function(e); !es9.empty()) return es9;
    auto der = esipa_request(e);
    auto esipa = der ? rsp::esipa::request_function(*der) : std::nullopt;
    return esipa ? std::string(rsp::esipa::function_name(*esipa)) : e.label;
  }
  switch (top_tag(e.sent)) {
    case 0xBF20: return "GetEUICCInfo1";
    case 0xBF22: return "GetEUICCInfo2";
    case 0xBF2E: return "GetEUICCChallenge";
    case 0xBF38: return "AuthenticateServer";
    case 0xBF21: return "PrepareDownload";
    case 0xBF36:
    case 0xA0:
    case 0xA1:
    case 0xA2:
    case 0xA3:
    case 0x86:
    case 0x87:
    case 0x88: return "LoadBoundProfilePackage";
    case 0xBF41: return "CancelSession";
    case 0xBF30: return "RemoveNotificationFromList";
    case 0xBF28: return "ListNotification";
    case 0xBF2B: return "RetrieveNotificationsList";
    case 0xBF3E: return "GetEID";
    case 0xBF51: return "LoadEuiccPackage";
    case 0xBF55: return "GetEimConfigurationData";
    default: return "ES10 " + rsp::to_hex(tlv::encode_tag(top_tag(e.sent)));
  }
}

// "GetEUICCInfo1, GetEUICCChallenge, initiateAuthentication, ..., LoadBoundProfilePackage x9, ..."
std::string steps(const Timeline& t) {
  std::string out, last;
  int repeated = 0;
  auto flush = [&] {
    if (last.empty()) return;
    out += (out.empty() ? "" : ", ") + last + (repeated > 1 ? " x" + std::to_string(repeated) : "");
  };
  for (const Exchange& e : t) {
    if (e.kind == "apdu") continue;
    std::string name = step_name(e);
    if (name == last) {
      ++repeated;
      continue;
    }
    flush();
    last = name;
    repeated = 1;
  }
  flush();
  return out.empty() ? "nothing" : out;
}

bool is_es10(const Exchange& e, tlv::Tag tag) { return e.kind == "es10" && top_tag(e.sent) == tag; }
bool is_http(const Exchange& e, const std::string& function) { return e.kind == "http" && step_name(e) == function; }

std::optional<size_t> first_es10(const Timeline& t, tlv::Tag tag, size_t from) {
  return first(
      t, [tag](const Exchange& e) { return is_es10(e, tag); }, from);
}
std::optional<size_t> first_http(const Timeline& t, const std::string& function, size_t from) {
  return first(
      t, [&function](const Exchange& e) { return is_http(e, function); }, from);
}

namespace {

bool member_carries(const nlohmann::json& j, ByteView value) {
  if (j.is_string()) {
    auto decoded = rsp::from_base64(j.get<std::string>());
    return decoded && std::equal(decoded->begin(), decoded->end(), value.begin(), value.end());
  }
  if (j.is_object() || j.is_array())
    for (const auto& member : j)
      if (member_carries(member, value)) return true;
  return false;
}

}  // namespace

bool carries(ByteView body, ByteView value) {
  if (value.empty()) return false;
  if (!body.empty() && body.front() == '{') {
    auto j = nlohmann::json::parse(body.begin(), body.end(), nullptr, false);
    return !j.is_discarded() && member_carries(j, value);
  }
  if (std::search(body.begin(), body.end(), value.begin(), value.end()) != body.end()) return true;
  auto whole = tlv::read(value);
  if (!whole || whole->value.empty()) return false;
  for (auto at = std::search(body.begin(), body.end(), whole->value.begin(), whole->value.end()); at != body.end();
       at = std::search(at + 1, body.end(), whole->value.begin(), whole->value.end())) {
    size_t offset = static_cast<size_t>(at - body.begin());
    for (size_t header = 2; header <= 6 && header <= offset; ++header) {
      auto read = tlv::read_header(body.subspan(offset - header));
      if (read && read->header_size == header && read->length == whole->value.size()) return true;
    }
  }
  return false;
}

long integer(ByteView contents) {
  long n = 0;
  for (uint8_t b : contents) n = n * 256 + b;
  return n;
}

// The seqNumber a RemoveNotificationFromList (BF30 { 80 }) names.
std::optional<long> removed_sequence_number(const Exchange& e) {
  if (!is_es10(e, 0xBF30)) return std::nullopt;
  auto top = tlv::read(e.sent);
  auto number = top ? tlv::find(top->value, 0x80) : std::nullopt;
  if (!number) return std::nullopt;
  return integer(number->value);
}

// The IPA's exit status and its last line of output.
std::string ending(const IpaRun& run) {
  std::string text = run.output;
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  std::string last = text.substr(text.find_last_of('\n') == std::string::npos ? 0 : text.find_last_of('\n') + 1);
  if (last.size() > 300) last = last.substr(0, 300) + "...";
  return "; the IPA exited " + std::to_string(run.exit_status) + (last.empty() ? "" : " saying: " + last);
}

// A relay: each of `values` (what one side produced) carried unchanged by `body` (what reached the other side).
Outcome relayed(const std::vector<Bytes>& values, ByteView body, const std::string& from, const std::string& to) {
  if (values.empty()) return fail("nothing from " + from + " to compare");
  for (const Bytes& v : values)
    if (!carries(body, v))
      return fail("expected " + to + " to carry " + from + "'s " + rsp::to_hex(tlv::encode_tag(top_tag(v))) + " TLV (" +
                  std::to_string(v.size()) + " bytes) unchanged; it does not");
  return pass();
}

Case ipa_case(std::string id, std::string section, std::string sends, std::string expects,
              std::function<Outcome(IpaTarget&)> run) {
  Case c{std::move(id), "ipa", std::move(section), std::move(sends), std::move(expects), {}};
  c.run_ipa = std::move(run);
  return c;
}

}  // namespace conformance
