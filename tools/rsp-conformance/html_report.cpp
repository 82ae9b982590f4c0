#include "html_report.hpp"

#include <array>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "rsp/asn1/types.hpp"
#include "rsp/tlv.hpp"

namespace conformance {
namespace {

// asn1c keeps a tag as (number << 2) | class; this is its identifier octets, constructed bit clear.
rsp::Bytes identifier_octets(ber_tlv_tag_t tag) {
  auto cls = static_cast<uint8_t>((tag & 3) << 6);
  auto number = static_cast<uint32_t>(tag >> 2);
  if (number < 31) return {static_cast<uint8_t>(cls | number)};
  rsp::Bytes rest;
  for (; number; number >>= 7)
    rest.insert(rest.begin(), static_cast<uint8_t>((number & 0x7F) | (rest.empty() ? 0 : 0x80)));
  rest.insert(rest.begin(), static_cast<uint8_t>(cls | 0x1F));
  return rest;
}

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

std::string pre(const std::string& text, const char* css_class) {
  return std::string("<pre class=\"") + css_class + "\">" + html_escape(text) + "</pre>\n";
}

const char* kStyle =
    "body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse}"
    "td,th{border:1px solid #ccc;padding:.2em .6em;text-align:left}"
    ".pass{color:#1a7f37}.fail{color:#c62828}.na{color:#777}"
    "section{border-top:1px solid #ddd;margin-top:1.5em}pre{background:#f6f8fa;padding:.4em;overflow-x:auto}"
    "pre.hex{word-break:break-all;white-space:pre-wrap}pre.tree{font-size:90%}";

const char* verdict_class(Verdict v) { return v == Verdict::pass ? "pass" : v == Verdict::fail ? "fail" : "na"; }

// Any ASN.1 message of ours in `tlv`, request types first when `request`. Only by a tag of its own
// (not universal): a bare SEQUENCE could be any of dozens of types.
std::string decode_any(rsp::ByteView tlv, bool request) {
  if (tlv.empty() || (tlv[0] & 0xC0) == 0) return {};
  auto tree = decode_es10(tlv, request);
  return tree.empty() ? decode_es10(tlv, !request) : tree;
}

// One HTTP body: JSON indented, with each base64 member that holds an ASN.1 message of ours decoded
// under it; an ASN.1 body decoded; anything else as text.
std::string http_body_html(const rsp::Bytes& body, bool request) {
  if (body.empty()) return pre("(empty)", "hex");
  auto json = nlohmann::json::parse(body.begin(), body.end(), nullptr, false);
  if (json.is_discarded()) {
    if (auto tree = decode_any(body, request); !tree.empty()) return pre(rsp::to_hex(body), "hex") + pre(tree, "tree");
    return pre(std::string(body.begin(), body.end()), "hex");
  }
  std::string out = pre(json.dump(2), "tree");
  std::function<void(const nlohmann::json&, const std::string&)> walk = [&](const nlohmann::json& j,
                                                                            const std::string& name) {
    if (j.is_object())
      for (const auto& [key, value] : j.items()) walk(value, key);
    else if (j.is_array())
      for (const auto& value : j) walk(value, name);
    else if (j.is_string() && j.get_ref<const std::string&>().size() > 4)
      if (auto der = rsp::from_base64(j.get_ref<const std::string&>()))
        if (auto tree = decode_any(*der, request); !tree.empty())
          out += "<p>" + html_escape(name) + ":</p>\n" + pre(tree, "tree");
  };
  walk(json, "body");
  return out;
}

// The ES10 function a STORE DATA message starting with `data` carries: its request type's name
// without "Request"; a Bound Profile Package's segments after the first belong to the BPP's load.
std::string es10_function(rsp::ByteView data, const std::string& current) {
  auto element = rsp::tlv::read_header(data);
  if (!element) return "STORE DATA";
  rsp::Bytes tag = rsp::tlv::encode_tag(element->tag);
  if (tag.size() == 1 && (tag[0] & 0xC0) == 0x80) return current;  // A0..A3, 86..88: BPP segments
  if (tag == rsp::Bytes{0xBF, 0x36}) return "LoadBoundProfilePackage";
  tag[0] &= static_cast<uint8_t>(~0x20);
  for (const auto* type : rsp::asn1::all_types()) {
    if (type->tags_count == 0 || !type->name || identifier_octets(type->tags[0]) != tag ||
        !ends_with(type->name, "Request"))
      continue;
    std::string name = type->name;
    return name.substr(0, name.size() - 7);
  }
  return "STORE DATA";
}

// APDUs and bytes per ES10 function (a download's phases), when a case used more than one.
std::string phases_html(const ExchangeLog& log) {
  std::vector<std::pair<std::string, std::array<size_t, 2>>> phases;
  std::string current = "other";
  bool message_start = true;
  for (const auto& e : log) {
    if (e.kind != "apdu" || e.sent.size() < 4) continue;
    const auto& c = e.sent;
    if (c[1] == 0xE2 && c.size() > 5) {
      if (message_start) current = es10_function(rsp::ByteView(c).subspan(5), current);
      message_start = (c[2] & 0x80) != 0;
    } else if (c[1] != 0xC0) {
      current = "other";  // SELECT, MANAGE CHANNEL, ...; GET RESPONSE stays with its command
    }
    if (phases.empty() || phases.back().first != current) phases.push_back({current, {0, 0}});
    phases.back().second[0] += 1;
    phases.back().second[1] += e.sent.size() + e.received.size();
  }
  if (phases.size() < 2) return {};
  std::string out = "<tr><th>per function</th><td><table><tr><th>function</th><th>APDUs</th><th>bytes</th></tr>";
  for (const auto& [name, n] : phases)
    out += "<tr><td>" + html_escape(name) + "</td><td>" + std::to_string(n[0]) + "</td><td>" + std::to_string(n[1]) +
           "</td></tr>";
  return out + "</table></td></tr>";
}

size_t http_bytes(const ExchangeLog& log) {
  size_t n = 0;
  for (const auto& e : log)
    if (e.kind == "http") n += e.sent.size() + e.received.size();
  return n;
}

// Each APDU in hex, and under the last STORE DATA segment (or the last GET RESPONSE) the whole
// ES10 message it completes, decoded.
std::string exchange_html(const ExchangeLog& log) {
  std::ostringstream out;
  rsp::Bytes command_message, response_message;
  for (const auto& e : log) {
    if (e.kind != "apdu") {
      std::string answer = e.status ? "HTTP " + std::to_string(e.status) : "no answer: " + e.error;
      out << "<h4>" << html_escape(e.label) << "</h4>\n"
          << http_body_html(e.sent, true) << "<h4>" << html_escape(answer) << "</h4>\n"
          << http_body_html(e.received, false);
      continue;
    }
    const auto& c = e.sent;
    const auto& r = e.received;
    out << pre("-> " + rsp::to_hex(c), "hex");
    if (c.size() > 5 && c[1] == 0xE2) {
      command_message.insert(command_message.end(), c.begin() + 5, c.begin() + std::min<size_t>(c.size(), 5 + c[4]));
      if (c[2] & 0x80) {
        if (auto tree = decode_es10(command_message, true); !tree.empty()) out << pre(tree, "tree");
        command_message.clear();
      }
    }
    if (r.size() < 2) {
      out << pre("<- (no response)", "hex");
      continue;
    }
    out << pre(
        "<- " + rsp::to_hex(rsp::ByteView(r).first(r.size() - 2)) + " SW " + rsp::to_hex(rsp::ByteView(r).last(2)),
        "hex");
    if (c.size() < 2 || c[1] != 0xC0) response_message.clear();
    response_message.insert(response_message.end(), r.begin(), r.end() - 2);
    if (r[r.size() - 2] != 0x61 && !response_message.empty()) {
      if (auto tree = decode_es10(response_message, false); !tree.empty()) out << pre(tree, "tree");
      response_message.clear();
    }
  }
  return out.str();
}

}  // namespace

std::string html_escape(const std::string& text) {
  std::string out;
  for (char ch : text) {
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += ch;
    }
  }
  return out;
}

size_t apdu_bytes(const ExchangeLog& log) {
  size_t n = 0;
  for (const auto& e : log)
    if (e.kind == "apdu") n += e.sent.size() + e.received.size();
  return n;
}

std::string decode_es10(rsp::ByteView tlv, bool command) {
  auto element = rsp::tlv::read(tlv);
  if (!element || element->whole.size() != tlv.size()) return {};
  rsp::Bytes tag = rsp::tlv::encode_tag(element->tag);
  tag[0] &= static_cast<uint8_t>(~0x20);
  for (const auto* type : rsp::asn1::all_types()) {
    if (type->tags_count == 0 || !type->name || identifier_octets(type->tags[0]) != tag) continue;
    if (ends_with(type->name, "Request") != command) continue;
    if (auto value = rsp::asn1::decode(*type, tlv)) return rsp::asn1::dump(*value);
  }
  return {};
}

std::string html_report(const RunInfo& run, const std::vector<Result>& results) {
  size_t counts[3] = {0, 0, 0};
  std::map<std::string, std::array<size_t, 3>> per_role;
  for (const auto& r : results) {
    ++counts[static_cast<int>(r.outcome.verdict)];
    ++per_role[r.c->role][static_cast<int>(r.outcome.verdict)];
  }
  std::ostringstream out;
  out << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>rsp-conformance "
      << html_escape(run.role) << "</title><style>" << kStyle
      << "</style></head><body>\n<h1>rsp-conformance report</h1>\n<table>"
      << "<tr><th>target</th><td>" << html_escape(run.target) << "</td></tr><tr><th>date</th><td>"
      << html_escape(run.date) << "</td></tr><tr><th>cases</th><td id=\"total\">" << results.size()
      << "</td></tr><tr><th>passed</th><td id=\"passed\">" << counts[0]
      << "</td></tr><tr><th>failed</th><td id=\"failed\">" << counts[1]
      << "</td></tr><tr><th>not applicable</th><td id=\"not-applicable\">" << counts[2] << "</td></tr></table>\n";
  out << "<h2>Per role</h2>\n<table><tr><th>role</th><th>passed</th><th>failed</th><th>not applicable</th></tr>";
  for (const auto& [role, n] : per_role)
    out << "<tr><td>" << html_escape(role) << "</td><td>" << n[0] << "</td><td>" << n[1] << "</td><td>" << n[2]
        << "</td></tr>";
  out << "</table>\n";
  for (const auto& r : results) {
    size_t apdus = 0, http = 0;
    for (const auto& e : r.exchanges) (e.kind == "apdu" ? apdus : http) += 1;
    out << "<section id=\"" << html_escape(r.c->id) << "\"><h3>" << html_escape(r.c->id) << " <span class=\""
        << verdict_class(r.outcome.verdict) << "\">" << verdict_name(r.outcome.verdict) << "</span></h3>\n<table>"
        << "<tr><th>role</th><td>" << html_escape(r.c->role) << "</td></tr><tr><th>section</th><td>"
        << html_escape(r.c->section) << "</td></tr><tr><th>sends</th><td>" << html_escape(r.c->sends)
        << "</td></tr><tr><th>expects</th><td>" << html_escape(r.c->expects) << "</td></tr>";
    if (!r.outcome.detail.empty())
      out << "<tr><th>" << (r.outcome.verdict == Verdict::fail ? "expected vs. got" : "note") << "</th><td>"
          << html_escape(r.outcome.detail) << "</td></tr>";
    if (apdus || !http)
      out << "<tr><th>APDUs</th><td>" << apdus << " (" << apdu_bytes(r.exchanges) << " bytes)</td></tr>"
          << phases_html(r.exchanges);
    if (http)
      out << "<tr><th>HTTP exchanges</th><td>" << http << " (" << http_bytes(r.exchanges) << " body bytes)</td></tr>";
    out << "<tr><th>time</th><td>" << r.seconds << " s</td></tr></table>\n<details><summary>exchange</summary>\n"
        << exchange_html(r.exchanges) << "</details></section>\n";
  }
  out << "</body></html>\n";
  return out.str();
}

}  // namespace conformance
