#include "session_record.hpp"

#include <cctype>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "rsp/files.hpp"

namespace conformance {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// A case ID made safe as a file name: letters, digits, '.', '-' and '_' kept, the rest '_'.
std::string file_name(size_t index, const std::string& id) {
  char number[32];
  std::snprintf(number, sizeof number, "%03zu-", index + 1);
  std::string name = number;
  for (char ch : id)
    name += (std::isalnum(static_cast<unsigned char>(ch)) || ch == '.' || ch == '-' || ch == '_') ? ch : '_';
  return name + ".json";
}

json exchange_json(const Exchange& e) {
  json j{{"kind", e.kind}, {"sent", rsp::to_hex(e.sent)}, {"received", rsp::to_hex(e.received)}};
  if (!e.label.empty()) j["label"] = e.label;
  if (e.kind == "http") {
    j["status"] = e.status;
    j["headers"] = e.headers;
  }
  if (!e.error.empty()) j["error"] = e.error;
  return j;
}

rsp::Expected<Exchange> exchange_from(const json& j) {
  if (!j.is_object() || !j.contains("kind") || !j.contains("sent") || !j.contains("received"))
    return rsp::fail("an exchange needs kind, sent and received");
  Exchange e;
  e.kind = j.at("kind").get<std::string>();
  if (e.kind != "apdu" && e.kind != "http") return rsp::fail("an exchange's kind is apdu or http, not " + e.kind);
  auto sent = rsp::from_hex(j.at("sent").get<std::string>());
  auto received = rsp::from_hex(j.at("received").get<std::string>());
  if (!sent || !received) return rsp::fail("an exchange's sent and received are hex");
  e.sent = std::move(*sent);
  e.received = std::move(*received);
  e.label = j.value("label", "");
  e.status = j.value("status", 0);
  e.error = j.value("error", "");
  if (j.contains("headers")) e.headers = j.at("headers").get<std::vector<std::pair<std::string, std::string>>>();
  return e;
}

}  // namespace

rsp::Status<> write_record(const fs::path& dir, const RecordInfo& info, const std::vector<Result>& results) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return rsp::fail("cannot create " + dir.string() + ": " + ec.message());
  json run{{"role", info.role},
           {"target", info.target},
           {"binding", info.binding},
           {"date", info.date},
           {"cases", json::array()}};
  for (size_t i = 0; i < results.size(); ++i) {
    const Result& r = results[i];
    json exchanges = json::array();
    for (const auto& e : r.exchanges) exchanges.push_back(exchange_json(e));
    std::string name = file_name(i, r.c->id);
    json one{{"case", r.c->id}, {"verdict", verdict_name(r.outcome.verdict)}, {"exchanges", std::move(exchanges)}};
    if (auto written = rsp::files::write_atomic(dir / name, one.dump(1)); !written)
      return rsp::Unexpected{written.error()};
    run["cases"].push_back({{"case", r.c->id}, {"verdict", verdict_name(r.outcome.verdict)}, {"file", name}});
  }
  if (auto written = rsp::files::write_atomic(dir / "run.json", run.dump(1)); !written)
    return rsp::Unexpected{written.error()};
  return rsp::Ok{};
}

rsp::Expected<Recording> read_record(const fs::path& dir) {
  auto read_json = [](const fs::path& file) -> rsp::Expected<json> {
    auto bytes = rsp::files::read(file);
    if (!bytes) return rsp::Unexpected{bytes.error()};
    auto parsed = json::parse(bytes->begin(), bytes->end(), nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object()) return rsp::fail(file.string() + " is not a JSON object");
    return parsed;
  };
  auto run = read_json(dir / "run.json");
  if (!run) return rsp::fail("not a recording (" + run.error().message + ")");
  Recording recording;
  try {
    recording.info = {run->value("role", ""), run->value("target", ""), run->value("binding", ""),
                      run->value("date", "")};
    for (const auto& entry : run->at("cases")) {
      std::string name = entry.at("file").get<std::string>();
      if (name.find('/') != std::string::npos || name.starts_with("."))
        return rsp::fail("run.json names a file outside " + dir.string());
      auto one = read_json(dir / name);
      if (!one) return rsp::Unexpected{one.error()};
      RecordedCase c{entry.at("case").get<std::string>(), entry.value("verdict", ""), {}};
      for (const auto& e : one->at("exchanges")) {
        auto exchange = exchange_from(e);
        if (!exchange) return rsp::fail(name + ": " + exchange.error().message);
        c.exchanges.push_back(std::move(*exchange));
      }
      recording.cases.push_back(std::move(c));
    }
  } catch (const json::exception& e) {
    return rsp::fail(std::string("run.json or a case file lacks a member: ") + e.what());
  }
  return recording;
}

}  // namespace conformance
